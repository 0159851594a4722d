"""Forms for the human lines (number, hours, public holidays) and the permits' fees, on a
copy of the demo town: what is saved is what the town's loader then reads, the file keeps
its comments, a bad value is refused at its field with nothing written, every save is a
version, a viewer cannot save, and a form without the page's token is refused."""

from __future__ import annotations

import re
from datetime import date, time
from decimal import Decimal
from html import unescape

import pytest

from civicline.console import town_edit, town_forms_views
from flows.town import load_town
from support.console import csrf, make_demo_app, sign_in


@pytest.fixture
def demo(tmp_path, monkeypatch):
    app, town = make_demo_app(tmp_path, monkeypatch)
    client = app.test_client()
    client.environ_base["wsgi.url_scheme"] = "https"
    return app, town, client


def _hash(html: str) -> str:
    return re.search(r'name="base_hash" value="([0-9a-f]*)"', html).group(1)


def _line_form(client, **changes):
    html = client.get("/console/data/human-lines").get_data(as_text=True)
    form = {"csrf_token": csrf(client), "base_hash": _hash(html), "number": "+33 1 99 00 12 34",
            "closed_on_public_holidays": "yes",
            **{f"day-{i}": "08:30-12:00, 13:30-17:00" for i in range(5)}, "day-5": "", "day-6": ""}
    form.update(changes)
    return client.post("/console/data/human-lines/main", data={k: v for k, v in form.items() if v is not None})


def test_the_form_shows_the_lines_values(demo):
    _, _, client = demo
    sign_in(client)
    html = unescape(client.get("/console/data/human-lines").get_data(as_text=True))
    assert 'id="main-number" name="number" type="tel" autocomplete="off" value="+33 1 99 00 12 34"' in html
    assert 'id="main-day-0" name="day-0" value="08:30-12:00, 13:30-17:00"' in html
    assert 'id="main-day-5" name="day-5" value=""' in html
    assert 'name="closed_on_public_holidays" value="yes" checked' in html


def test_hours_number_and_holidays_are_saved_as_the_town_reads_them(demo):
    app, town, client = demo
    sign_in(client)
    before = (town / "town.yaml").read_text(encoding="utf-8")
    response = _line_form(client, number="01 99 00 56 78", **{"day-4": "08:30-12:00", "day-5": "9:00-12:00"},
                          closed_on_public_holidays=None)
    assert response.status_code == 302, response.get_data(as_text=True)
    after = (town / "town.yaml").read_text(encoding="utf-8")
    # Only the three values changed: every comment and the rest of the file stay.
    assert [line for line in before.split("\n") if line.lstrip().startswith("#")] == \
           [line for line in after.split("\n") if line.lstrip().startswith("#")]
    assert after.split("human_lines:")[0] == before.split("human_lines:")[0]
    line = load_town(town).lines["main"]
    assert line.number == "+33199005678" and line.display == "01 99 00 56 78"
    assert line.hours.spans[4] == ((time(8, 30), time(12, 0)),)
    assert line.hours.spans[5] == ((time(9, 0), time(12, 0)),) and line.hours.spans[6] == ()
    assert line.hours.closed_on_holidays is False
    # The running assistant uses it at once, and the change is a version with its author.
    assert app.extensions["civicline"].runtime.town.lines["main"].number == "+33199005678"
    versions = app.extensions["console"].versions.history("data", "town.yaml")
    assert [v.author for v in versions] == ["ed", "(before the console)"]
    assert "Saved town.yaml as version 2" in client.get("/console/data/human-lines").get_data(as_text=True)


@pytest.mark.parametrize(("field", "value", "message"), [
    ("number", "0115 901 3901 ext", "is not a phone number: use digits"),
    ("number", "+33 1", "is not a phone number of FR"),
    ("day-0", "8h30 to noon", "is not a span of hours: write it like 08:30-12:00"),
    ("day-1", "17:00-08:00", "ends before it starts"),
    ("day-2", "08:00-12:00, 11:00-14:00", "Two spans of this day overlap"),
    ("closed_days", "24/12/2026, 31/02/2026", "'31/02/2026' is not a date: write it like 24/12/2026"),
])
def test_a_bad_value_is_refused_at_its_field_and_nothing_is_written(demo, field, value, message):
    _, town, client = demo
    sign_in(client)
    before = (town / "town.yaml").read_text(encoding="utf-8")
    response = _line_form(client, **{field: value})
    html = unescape(response.get_data(as_text=True))
    assert response.status_code == 422
    assert (town / "town.yaml").read_text(encoding="utf-8") == before
    summary = re.search(r'<div class="flash error" role="alert" id="form-errors".*?</div>', html, re.S).group(0)
    assert f'href="#main-{field}"' in summary and message in summary
    assert f'aria-invalid="true" aria-describedby="main-{field}' in html or \
           re.search(rf'id="main-{field}"[^>]*aria-describedby="[^"]*main-{field}-error"[^>]*aria-invalid="true"', html)
    assert f'value="{value}"' in html  # what was typed is still there


def test_the_messages_are_in_the_staffs_language(demo):
    _, _, client = demo
    sign_in(client)
    client.post("/console/language", data={"lang": "fr", "csrf_token": csrf(client), "next": ""})
    html = unescape(_line_form(client, **{"day-0": "midi"}).get_data(as_text=True))
    assert "« midi » n'est pas une plage horaire : écrivez-la comme 08:30-12:00." in html
    assert "<h1>Lignes humaines et horaires</h1>" in html and "Lundi" in html


def test_two_editors_the_second_is_told_and_keeps_its_values(demo):
    _, town, client = demo
    sign_in(client)
    stale = client.get("/console/data/human-lines").get_data(as_text=True)
    assert _line_form(client, number="01 99 00 11 11").status_code == 302
    saved = (town / "town.yaml").read_text(encoding="utf-8")
    form = {"csrf_token": csrf(client), "base_hash": _hash(stale), "number": "01 99 00 22 22",
            **{f"day-{i}": "09:00-12:00" for i in range(7)}}
    response = client.post("/console/data/human-lines/main", data=form)
    assert response.status_code == 409
    assert "Someone else saved town.yaml" in unescape(response.get_data(as_text=True))
    assert 'value="01 99 00 22 22"' in response.get_data(as_text=True)
    assert (town / "town.yaml").read_text(encoding="utf-8") == saved


def test_a_viewer_reads_but_cannot_save_and_a_form_without_the_token_is_refused(demo):
    _, town, client = demo
    sign_in(client, "vi")
    before = (town / "town.yaml").read_text(encoding="utf-8")
    html = client.get("/console/data/human-lines").get_data(as_text=True)
    assert "saving needs the editor role" in html and "Check and save" not in html
    assert _line_form(client).status_code == 403
    assert client.get("/console/data/fees").status_code == 200
    assert client.post("/console/data/fees/cafe_terrace", data={"csrf_token": csrf(client), "amount": "1",
                                                                 "unit": "once", "source": "x"}).status_code == 403
    client.post("/console/sign-out", data={"csrf_token": csrf(client)})
    sign_in(client, "ed")
    response = client.post("/console/data/human-lines/main", data={"number": "01 99 00 56 78", "csrf_token": "forged"})
    assert response.status_code == 400
    assert (town / "town.yaml").read_text(encoding="utf-8") == before


def _fee_form(client, permit="cafe_terrace", **changes):
    html = client.get("/console/data/fees").get_data(as_text=True)
    form = {"csrf_token": csrf(client), "base_hash": _hash(html), "amount": "30", "unit": "m2_year",
            "source": "Délibération tarifs 2026, terrasses, ligne 2"}
    form.update(changes)
    return client.post(f"/console/data/fees/{permit}", data=form)


def test_a_fee_is_saved_verified_today_by_its_editor(demo, monkeypatch):
    app, town, client = demo
    monkeypatch.setattr(town_forms_views, "today", lambda: date(2026, 12, 3))
    sign_in(client)
    before = (town / "data" / "permits.yaml").read_text(encoding="utf-8")
    response = _fee_form(client, amount="32,50")
    assert response.status_code == 302, response.get_data(as_text=True)
    after = (town / "data" / "permits.yaml").read_text(encoding="utf-8")
    changed = [(a, b) for a, b in zip(before.split("\n"), after.split("\n"), strict=True) if a != b]
    assert len(changed) == 1  # one line: the fee's; comments and the other permits stay
    assert changed[0][1].strip() == ('fee: {amount: 32.50, unit: "m2_year", source: "Délibération tarifs 2026, '
                                     'terrasses, ligne 2", verified: 2026-12-03, verified_by: "ed"}')
    fee = load_town(town).permits.permits["cafe_terrace"].fee
    assert (fee.amount, fee.unit, fee.verified) == (Decimal("32.50"), "m2_year", date(2026, 12, 3))
    runtime_fee = app.extensions["civicline"].runtime.town.permits.permits["cafe_terrace"].fee
    assert runtime_fee.verified == date(2026, 12, 3)
    html = unescape(client.get("/console/data/fees", headers={"Accept-Language": "en"}).get_data(as_text=True))
    assert "Verified on 03/12/2026 by ed" in html


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"amount": "twelve"}, "amount", "is not an amount"),
    ({"amount": "-4"}, "amount", "is not an amount"),
    ({"amount": "1.234"}, "amount", "is not an amount"),
    ({"unit": "week"}, "unit", "Choose a unit among once, day, m2_year, month, year"),
    ({"source": "  "}, "source", "Name the document or page the fee comes from"),
])
def test_a_bad_fee_is_refused_at_its_field_and_nothing_is_written(demo, changes, field, message):
    _, town, client = demo
    sign_in(client)
    before = (town / "data" / "permits.yaml").read_text(encoding="utf-8")
    response = _fee_form(client, **changes)
    html = unescape(response.get_data(as_text=True))
    assert response.status_code == 422 and message in html
    assert f'href="#fee-cafe_terrace-{field}"' in html
    assert (town / "data" / "permits.yaml").read_text(encoding="utf-8") == before


def test_unknown_lines_and_permits_are_not_found(demo):
    _, _, client = demo
    sign_in(client)
    assert client.post("/console/data/human-lines/nope", data={"csrf_token": csrf(client)}).status_code == 404
    assert client.post("/console/data/fees/nope", data={"csrf_token": csrf(client)}).status_code == 404


def test_every_refusal_message_has_its_french_and_spanish_wording():
    from babel.messages.pofile import read_po

    from support.console import ROOT

    found = set()
    for check, args in [
        (town_edit.check_number, ("", "FR")), (town_edit.check_number, ("abc", "FR")),
        (town_edit.check_number, ("+33 1", "FR")), (town_edit.check_days, (["x"] + [""] * 6,)),
        (town_edit.check_days, (["12:00-08:00"] + [""] * 6,)), (town_edit.check_days, (["08:00-12:00, 11:00-13:00"] + [""] * 6,)),
        (town_edit.check_days, ([""] * 7,)), (town_edit.check_fee, ("x", "week", "")), (town_edit.check_fee, ("1", "once", "s" * 301)),
        (town_edit.check_closed_days, ("31/02/2026",)),
    ]:
        with pytest.raises(town_edit.FieldErrors) as refused:
            check(*args)
        found |= {text for text, _ in refused.value.errors.values()}
    assert len(found) == 12  # every message town_edit's checks of lines and fees have
    for lang in ("fr", "es"):
        with (ROOT / "civicline" / "console" / "translations" / lang / "LC_MESSAGES" / "messages.po").open("rb") as f:
            translated = {m.id for m in read_po(f, locale=lang) if m.id and m.string}
        assert found - translated == set(), lang


def test_any_values_sent_to_the_forms_never_give_a_server_error(demo):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from support.fuzzing import TEXT

    _, town, client = demo
    sign_in(client)
    before = (town / "town.yaml").read_text(encoding="utf-8")
    fields = st.sampled_from(["number", "day-0", "day-3", "day-6", "closed_on_public_holidays", "amount", "unit",
                              "source", "base_hash"])

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.sampled_from(["/console/data/human-lines/main", "/console/data/fees/cafe_terrace"]),
           st.dictionaries(fields, TEXT, max_size=6))
    def send(url, form):
        response = client.post(url, data={**form, "csrf_token": csrf(client)})
        assert response.status_code < 500, (url, form)

    send()
    # No hash of the page: every send is refused as a conflict or a bad value; nothing written.
    assert (town / "town.yaml").read_text(encoding="utf-8") == before


def test_the_towns_own_closing_days_are_saved_and_close_the_line(demo):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    _, town, client = demo
    sign_in(client)
    response = _line_form(client, closed_days="24/12/2026, 2026-12-31 24/12/2026")
    assert response.status_code == 302, response.get_data(as_text=True)
    assert "    closed_days: [2026-12-24, 2026-12-31]" in (town / "town.yaml").read_text(encoding="utf-8")
    hours = load_town(town).lines["main"].hours
    paris = ZoneInfo("Europe/Paris")
    assert hours.closed_days == {date(2026, 12, 24), date(2026, 12, 31)}
    assert not hours.is_open(datetime(2026, 12, 24, 10, 0, tzinfo=paris))
    assert hours.is_open(datetime(2026, 12, 23, 10, 0, tzinfo=paris))
    assert hours.next_opening(datetime(2026, 12, 24, 10, 0, tzinfo=paris)) == datetime(2026, 12, 28, 8, 30, tzinfo=paris)
    html = client.get("/console/data/human-lines").get_data(as_text=True)
    assert 'name="closed_days" autocomplete="off" value="24/12/2026, 31/12/2026"' in html
    # Emptied: the line goes, nothing else changes.
    assert _line_form(client, closed_days="").status_code == 302
    assert "closed_days" not in (town / "town.yaml").read_text(encoding="utf-8")


def test_a_closed_day_that_is_not_a_date_in_town_yaml_is_a_problem_at_its_line(tmp_path):
    import shutil

    from flows.town import check_town
    from support.console import ROOT

    town = tmp_path / "t"
    shutil.copytree(ROOT / "towns" / "port-lumiere", town)
    text = (town / "town.yaml").read_text(encoding="utf-8").replace(
        "    closed_on_public_holidays: true", "    closed_on_public_holidays: true\n    closed_days: [2026-12-24, 24.12.2026]")
    (town / "town.yaml").write_text(text, encoding="utf-8")
    line = text.split("\n").index("    closed_days: [2026-12-24, 24.12.2026]") + 1
    problems = check_town(town)
    assert any(p.line == line and "closed_days" in p.message and "24.12.2026" in p.message for p in problems), problems
