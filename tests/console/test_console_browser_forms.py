"""The console's forms on real towns in a real headless Chromium, with axe-core, in French,
English and Spanish: the human lines and the permit fees (on a copy of Port-Lumière), the
next collections of an address and a calendar reviewed before it is published (on a copy of
Gedling, whose calendars are published ICS files), the sorting guide, and the town picker of
a service answering both towns. A refused form is announced and takes the focus; a saved one
writes the town's file.

Its own module: the test town's app (test_console_browser.py) replaces the runtime check
for its whole module, and these towns need the real one."""

from __future__ import annotations

import re
import threading

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from support.browser import serious, signed_in_context
from support.console import make_demo_app

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def served_demo(tmp_path_factory):
    """The console on a copy of the demo town, whose town.yaml and permits the forms edit."""
    tmp = tmp_path_factory.mktemp("demo-browser")
    with pytest.MonkeyPatch.context() as mp:
        app, town = make_demo_app(tmp, mp)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        yield app, f"http://127.0.0.1:{server.server_port}", town
        server.shutdown()
        thread.join(5)


@pytest.mark.parametrize(("locale", "lang", "forms_link", "monday", "save", "bad", "saved"), [
    ("fr-FR", "fr", "Lignes humaines : numéros, horaires, jours fériés", "Lundi", "Vérifier et enregistrer",
     "n'est pas une plage horaire", "enregistré comme version"),
    ("en-GB", "en", "Human lines: phone numbers, opening hours, public holidays", "Monday", "Check and save",
     "is not a span of hours", "as version"),
    ("es-ES", "es", "Líneas con personal: números, horarios, días festivos", "Lunes", "Comprobar y guardar",
     "no es una franja horaria", "guardado como versión"),
])
def test_the_human_lines_form_in_each_language_passes_axe_refuses_then_saves(
    browser, served_demo, locale, lang, forms_link, monday, save, bad, saved
):
    context, page = signed_in_context(browser, served_demo, locale)
    try:
        page.goto("/console/data")
        page.get_by_role("link", name=forms_link).click()
        assert page.locator("html").get_attribute("lang") == lang
        assert serious(page) == []
        page.get_by_label(monday).fill("8h30 to noon")
        page.get_by_role("button", name=re.compile(save)).click()
        alert = page.get_by_role("alert")
        expect(alert).to_contain_text(bad)
        expect(page.locator("#form-errors")).to_be_focused()  # read out first
        field = page.get_by_label(monday)
        assert field.get_attribute("aria-invalid") == "true" and field.input_value() == "8h30 to noon"
        assert bad in page.locator("#" + field.get_attribute("aria-describedby")).inner_text()
        assert serious(page) == []
        alert.get_by_role("link").first.click()  # the summary's link leads to the field
        assert page.evaluate("document.activeElement.id") == "main-day-0"
        closing = {"fr": "17:10", "en": "17:20", "es": "17:30"}[lang]  # a change in each run
        field.fill(f"08:30-12:00, 13:30-{closing}")
        page.get_by_role("button", name=re.compile(save)).click()
        expect(page.get_by_role("status").first).to_contain_text(saved)
        assert serious(page) == []
        assert f'monday: ["08:30-12:00", "13:30-{closing}"]' in (served_demo[2] / "town.yaml").read_text(encoding="utf-8")
    finally:
        context.close()


@pytest.mark.parametrize(("locale", "lang", "heading", "amount", "button", "bad"), [
    ("fr-FR", "fr", "Tarifs des autorisations", "Montant", "Enregistrer, vérifié aujourd'hui", "n'est pas un montant"),
    ("en-GB", "en", "Permit fees", "Amount", "Save, verified today", "is not an amount"),
    ("es-ES", "es", "Tasas de los permisos", "Importe", "Guardar, comprobado hoy", "no es un importe"),
])
def test_the_fees_form_in_each_language_passes_axe_and_announces_a_refusal(
    browser, served_demo, locale, lang, heading, amount, button, bad
):
    app, _, town = served_demo
    before = (town / "data" / "permits.yaml").read_text(encoding="utf-8")
    context, page = signed_in_context(browser, served_demo, locale)
    try:
        page.goto("/console/data/fees")
        assert page.locator("html").get_attribute("lang") == lang
        assert page.get_by_role("heading", level=1).inner_text() == heading
        assert serious(page) == []
        terrace = page.locator("section", has=page.locator("#fee-cafe_terrace-amount"))
        terrace.get_by_label(amount).fill("beaucoup")
        terrace.get_by_role("button", name=re.compile(button)).click()
        expect(page.get_by_role("alert")).to_contain_text(bad)
        assert page.locator("#fee-cafe_terrace-amount").get_attribute("aria-invalid") == "true"
        assert serious(page) == []
        assert (town / "data" / "permits.yaml").read_text(encoding="utf-8") == before
    finally:
        context.close()


@pytest.fixture(scope="module")
def served_gedling(tmp_path_factory):
    """The console on a copy of Gedling, whose collections come from published calendars."""
    tmp = tmp_path_factory.mktemp("gedling-browser")
    with pytest.MonkeyPatch.context() as mp:
        app, town = make_demo_app(tmp, mp, "gedling")
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        yield app, f"http://127.0.0.1:{server.server_port}", town
        server.shutdown()
        thread.join(5)


@pytest.mark.parametrize(("locale", "lang", "street", "show", "instead", "day"), [
    ("fr-FR", "fr", "Rue", "Afficher les collectes", "au lieu du", "samedi 27 décembre 2025"),
    ("en-GB", "en", "Street", "Show the collections", "instead of", "Saturday, 27 December 2025"),
    ("es-ES", "es", "Calle", "Mostrar las recogidas", "en lugar del", "sábado, 27 de diciembre de 2025"),
])
def test_the_next_collections_of_an_address_in_each_language_pass_axe(browser, served_gedling, locale, lang, street,
                                                                       show, instead, day):
    context, page = signed_in_context(browser, served_gedling, locale)
    try:
        page.goto("/console/data/next-collections")
        assert page.locator("html").get_attribute("lang") == lang
        assert serious(page) == []
        page.get_by_label(street).select_option("acorn-drive")
        page.locator("#from").fill("2025-12-15")
        page.get_by_role("button", name=show).press("Enter")
        table = page.get_by_role("table")
        expect(table).to_contain_text(day)  # the staff's language, never a US date
        assert instead in table.inner_text()
        assert serious(page) == []
    finally:
        context.close()


@pytest.mark.parametrize(("locale", "lang", "heading", "where", "save", "bad"), [
    ("fr-FR", "fr", "Guide du tri", "Où il va", "Vérifier et enregistrer", "Donnez au moins un nom"),
    ("en-GB", "en", "Sorting guide", "Where it goes", "Check and save", "Give at least one name"),
    ("es-ES", "es", "Guía de separación", "Adónde va", "Comprobar y guardar", "Indique al menos un nombre"),
])
def test_the_sorting_guide_forms_in_each_language_pass_axe(browser, served_demo, locale, lang, heading, where, save, bad):
    context, page = signed_in_context(browser, served_demo, locale)
    try:
        page.goto("/console/data/sorting")
        assert page.locator("html").get_attribute("lang") == lang
        assert page.get_by_role("heading", level=1).inner_text() == heading
        assert serious(page) == []
        page.locator("a[href='/console/data/sorting/item/mattress']").click()
        assert serious(page) == []
        page.get_by_label(where).select_option("recycling_centre")
        page.locator("#item-names-en").fill("")
        page.get_by_role("button", name=save).click()
        expect(page.get_by_role("alert")).to_contain_text(bad)
        expect(page.locator("#form-errors")).to_be_focused()  # read out first
        assert page.locator("#item-names-en").get_attribute("aria-invalid") == "true"
        assert serious(page) == []
        page.locator("#item-names-en").fill(f"mattress, {lang} bed mattress")
        page.get_by_role("button", name=save).click()
        page.wait_for_url("**/console/data/sorting")
        assert serious(page) == []
        assert f'en: ["mattress", "{lang} bed mattress"]' in (served_demo[2] / "data" / "sorting.yaml").read_text(encoding="utf-8")
    finally:
        context.close()


@pytest.mark.parametrize(("locale", "upload", "publish", "saved"), [
    ("fr-FR", "Vérifier et envoyer", "Publier", "Rien n'a changé|enregistré en version"),
    ("en-GB", "Check and upload", "Publish", "Nothing changed|as version"),
    ("es-ES", "Comprobar y subir", "Publicar", "No ha cambiado nada|guardado como versión"),
])
def test_a_calendar_is_reviewed_then_published_and_both_pages_pass_axe(browser, served_gedling, monkeypatch, locale,
                                                                      upload, publish, saved):
    from datetime import date

    from civicline.console import town_forms_views

    monkeypatch.setattr(town_forms_views, "today", lambda: date(2025, 12, 15))  # the calendars' year
    _, _, town = served_gedling
    calendar = "ical/gedling_borough_council_friday_g4_bin_schedule.ics"
    context, page = signed_in_context(browser, served_gedling, locale)
    try:
        page.goto("/console/data")
        page.locator("#file").set_input_files(str(town / "data" / calendar))
        page.locator("#target").select_option(calendar)
        page.get_by_role("button", name=upload).click()
        expect(page.locator("h3", has_text="Acorn Drive")).to_be_visible()
        assert serious(page) == []
        page.get_by_role("button", name=re.compile(f"^{publish} ")).click()
        # The calendar as published again: saved, or the same text as the one saved.
        expect(page.get_by_role("status")).to_contain_text(re.compile(saved))
        assert page.url.endswith(f"/console/data/file/{calendar}")
        assert serious(page) == []
    finally:
        context.close()


@pytest.fixture(scope="module")
def served_towns(tmp_path_factory):
    """The console of a service answering both towns, and an administrator who sees both."""
    import shutil

    from argon2 import PasswordHasher

    from civicline.app import create_app
    from civicline.config import Config
    from civicline.console.accounts import Users
    from support.console import PASSWORD, ROOT, SECRET

    tmp = tmp_path_factory.mktemp("towns-browser")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CIVICLINE_SECRET_KEY", SECRET)
        mp.setenv("CIVICLINE_HASH_KEY", "towns-browser-tests-hash-key-0123456789")
        mp.delenv("CIVICLINE_REDIS_URL", raising=False)
        folders = {name: tmp / name for name in ("port-lumiere", "gedling")}
        for name, folder in folders.items():
            shutil.copytree(ROOT / "towns" / name, folder)
        app = create_app(Config(town_path=folders["port-lumiere"], db_path=tmp / "records.sqlite3",
                                towns={"+33199000000": folders["port-lumiere"], "+441159000000": folders["gedling"]},
                                meaning_model="none"))
        app.config.update(TESTING=True)
        app.instance_path = str(tmp / "instance")
        users = app.extensions["console"].users = Users(
            app.extensions["console"].store, hasher=PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
        users.add("ed", PASSWORD, "admin")
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        yield app, f"http://127.0.0.1:{server.server_port}", folders
        server.shutdown()
        thread.join(5)


@pytest.mark.parametrize(("locale", "lang", "town_shown", "show", "calls"), [
    ("fr-FR", "fr", "Commune affichée", "Afficher", "Appels"),
    ("en-GB", "en", "Town shown", "Show", "Calls"),
    ("es-ES", "es", "Municipio mostrado", "Mostrar", "Llamadas"),
])
def test_the_town_picker_in_each_language_passes_axe_and_the_town_stays_shown(browser, served_towns, locale, lang,
                                                                              town_shown, show, calls):
    context, page = signed_in_context(browser, served_towns, locale)
    try:
        assert page.locator("html").get_attribute("lang") == lang
        picker = page.get_by_label(town_shown)
        assert sorted(picker.locator("option").evaluate_all("os => os.map(o => o.value)")) == ["gedling", "port-lumiere"]
        assert serious(page) == []
        picker.select_option("gedling")
        page.locator("form", has=picker).get_by_role("button", name=show, exact=True).press("Enter")  # by keyboard
        page.wait_for_url("**/console/dashboard?town=gedling")
        expect(page.get_by_label(town_shown)).to_have_value("gedling")
        assert serious(page) == []
        # Every link keeps the town shown: the calls are Gedling's, in the staff's language.
        page.get_by_role("navigation").get_by_role("link", name=calls, exact=True).click()
        page.wait_for_url("**/console/calls?town=gedling")
        assert page.locator("html").get_attribute("lang") == lang
        expect(page.get_by_label(town_shown)).to_have_value("gedling")
        assert serious(page) == []
    finally:
        context.close()
