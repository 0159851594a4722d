"""The console speaks the staff's language (French, English, Spanish): the browser's by
default, the user's choice once made (kept for the session); dates are written the town's
way; every sentence of the templates has its French and Spanish wording; the dashboard
lists what in the town's data must be acted on, soonest first."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from support.console import csrf


def _page(client, path="/console/dashboard", **headers):
    response = client.get(path, headers=headers)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


@pytest.mark.parametrize(("accept", "lang", "heading", "nav"), [
    ("fr-FR,fr;q=0.9", "fr", "Tableau de bord", "Liste à vérifier"),
    ("es-ES,es;q=0.9", "es", "Panel", "Lista de revisión"),
    ("en-GB,en;q=0.9", "en", "Dashboard", "Review list"),
    ("de-DE", "en", "Dashboard", "Review list"),
])
def test_the_browser_language_is_used(editor, accept, lang, heading, nav):
    html = _page(editor, **{"Accept-Language": accept})
    assert f'<html lang="{lang}">' in html
    assert f"<h1>{heading}</h1>" in html and f">{nav}</a>" in html


def test_the_users_choice_wins_and_stays(editor):
    response = editor.post("/console/language", data={"lang": "es", "next": "/console/calls?x=1",
                                                      "csrf_token": csrf(editor)})
    assert response.status_code == 302 and response.headers["Location"].endswith("/console/calls?x=1")
    html = _page(editor, **{"Accept-Language": "fr"})
    assert '<html lang="es">' in html and "Cerrar sesión" in html
    # Only a page of the console may be returned to.
    response = editor.post("/console/language", data={"lang": "fr", "next": "https://evil.example/",
                                                      "csrf_token": csrf(editor)})
    assert response.headers["Location"].endswith("/console/dashboard")
    assert editor.post("/console/language", data={"lang": "de", "csrf_token": csrf(editor)}).status_code == 422


def test_the_sign_in_page_speaks_french_before_signing_in(client):
    html = _page(client, "/console/sign-in", **{"Accept-Language": "fr"})
    assert "Nom d'utilisateur" in html and "Mot de passe" in html and "Se connecter" in html


def test_dates_are_written_the_towns_way(editor):
    html = _page(editor, "/console/dashboard?from=2026-01-02&to=2026-01-31", **{"Accept-Language": "en"})
    assert "from 02/01/2026 to 31/01/2026" in html  # the test town is French: day first
    assert "01/02/2026" not in html


def _places(text: str) -> set[str]:
    return set(re.findall(r"%\(\w+\)s", text))


@pytest.mark.parametrize("lang", ["fr", "es"])
def test_every_sentence_of_the_console_is_translated(lang):
    """Every sentence its Python modules and templates mark (civicline.console.messages finds
    them as Babel does), with each plural form and the same %(places)s."""
    from civicline.console.messages import english, read, translated

    catalog = read(lang)
    done = {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in catalog if m.id and translated(m.string)}
    wanted = {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in english() if m.id}
    assert len(wanted) > 500  # the code and the templates were read
    assert wanted - done == set()
    for m in catalog:
        if not m.id:
            continue
        ids = [m.id] if isinstance(m.id, str) else list(m.id)
        forms = [m.string] if isinstance(m.string, str) else list(m.string)
        for form in forms:  # a plural form may leave the count out ("un appel")
            assert _places(form) - {"%(num)s"} <= _places(ids[-1]) and _places(ids[0]) - {"%(num)s"} <= _places(form), m.id


def test_the_catalogs_are_in_step_with_the_code():
    """No sentence the code no longer says is kept (`python -m civicline.console.messages`)."""
    from civicline.console.messages import english, read

    wanted = {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in english() if m.id}
    for lang in ("fr", "es"):
        kept = {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in read(lang) if m.id}
        assert kept - wanted == set(), lang


def test_the_town_locale_writes_gedling_dates_the_british_way():
    from babel.dates import format_date

    from civicline.console.i18n import locale_of
    from flows.town import load_town

    towns = Path(__file__).resolve().parents[2] / "towns"
    gedling, demo = locale_of(load_town(towns / "gedling")), locale_of(load_town(towns / "port-lumiere"))
    assert (str(gedling), str(demo)) == ("en_GB", "fr_FR")
    assert format_date(date(2026, 1, 31), "short", locale=gedling) == "31/01/2026"


def test_the_dashboard_lists_what_to_act_on_soonest_first(editor, monkeypatch):
    from civicline.console import dashboard
    from flows.town import load_town
    from flows.town.freshness import freshness

    gedling = load_town(Path(__file__).resolve().parents[2] / "towns" / "gedling")
    notices = freshness(gedling, date(2026, 1, 31), 180, everything=True)
    monkeypatch.setattr(dashboard, "data_freshness", lambda: notices)
    html = _page(editor, **{"Accept-Language": "fr"})
    rows = re.findall(r'<tr class="fresh-(\w+)"><th scope="row">([^<]*)</th><td>([^<]*)</td><td>([^<]*)</td>', html)
    assert rows[0][:2] == ("warning", "attention") and rows[-1][:2] == ("ok", "à jour")
    assert ("ok", "à jour", "29/11/2026", "gedling_borough_council_monday_g1_bin_schedule.ics") in rows
    # Each of the 30 calendars is listed: with its last day, or warned about.
    assert len({r[3] for r in rows}) == 30
    assert [r[2] for r in rows if r[0] == "ok"] == sorted((r[2] for r in rows if r[0] == "ok"),
                                                          key=lambda d: d[6:] + d[3:5] + d[:2])
