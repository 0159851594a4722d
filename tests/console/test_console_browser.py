"""The console in a real headless Chromium (Debian's, driven by Playwright): sign in, edit a
flow with an error then fix it, answer a review item, try a call, the time-out warning, and
axe-core on every page with no serious or critical violation.

The app is served on 127.0.0.1 on a free port from a thread; the browser reaches nothing
else (no network, no downloaded browser)."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from flows.session import NoInput, Pressed, Said
from records import SQLiteStore
from support.browser import require_chromium, serious, signed_in_context
from support.console import (
    PASSWORD,
    make_app,
    make_catalog_dir,
    make_town,
    place_call,
)
from support.flowkit import CLOSED

pytestmark = pytest.mark.slow

@pytest.fixture(scope="module")
def served(tmp_path_factory):
    require_chromium()
    tmp = tmp_path_factory.mktemp("browser")
    store = SQLiteStore(tmp / "records.sqlite3")
    with pytest.MonkeyPatch.context() as mp:
        app = make_app(tmp, make_town(tmp), make_catalog_dir(tmp), store, mp)
        # Something on every page: calls, a review item, a callback request.
        place_call(app, [Pressed("1"), Said("12 rue victor hugo"), Pressed("1"), Pressed("2"), NoInput()], call_id="waste-en")
        place_call(app, [Said("purple elephants"), Said("purple giraffes"), NoInput(), Said("purple")], call_id="ladder")
        place_call(app, [Pressed("0"), Pressed("0612345678#")], language="fr", at=CLOSED, call_id="cb")
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        yield app, f"http://127.0.0.1:{server.server_port}"
        server.shutdown()
        thread.join(5)
    store.close()


@pytest.fixture
def page(browser, served):
    context = browser.new_context(base_url=served[1])
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not errors, f"JavaScript errors: {errors}"


def sign_in(page, name: str = "ed") -> None:
    page.goto("/console/sign-in")
    page.get_by_label("User name").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Password").press("Enter")  # by keyboard, as a screen-reader user would
    page.wait_for_url("**/console/dashboard")


def test_sign_in_by_keyboard_with_a_skip_link_and_page_language(page):
    page.goto("/console/sign-in")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.evaluate("document.activeElement.id") == "name"  # focus starts in the form
    page.get_by_label("User name").fill("ed")
    page.get_by_label("Password").fill("wrong password!!")
    page.get_by_label("Password").press("Enter")
    assert page.get_by_role("alert").filter(has_text="not right").is_visible()
    sign_in(page)
    assert page.get_by_role("heading", level=1).inner_text() == "Dashboard"
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    assert skip.evaluate("el => el === document.activeElement") and skip.is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_edit_a_flow_with_an_error_then_fix_it(page, served):
    app, _ = served
    sign_in(page)
    page.get_by_role("navigation").get_by_role("link", name="Flows").click()
    page.get_by_role("link", name="main.yaml", exact=True).click()
    editor = page.get_by_label("Flow file main.yaml (YAML)")
    original = editor.input_value()
    editor.fill(original.replace("prompt: test.menu", "prompt: main.no_such_prompt"))
    page.get_by_role("button", name="Check and save").click()
    alert = page.get_by_role("alert").first
    assert "Not saved" in alert.inner_text()
    problem = page.locator("#problems a[data-line]").first
    line = int(problem.get_attribute("data-line"))
    assert "main.no_such_prompt" in page.locator("#problems").inner_text()
    problem.click()  # puts the cursor on that line of the editor
    assert page.evaluate("document.activeElement.id") == "content"
    selected = page.evaluate("(() => { const a = document.getElementById('content'); return a.value.slice(a.selectionStart, a.selectionEnd); })()")
    assert "main.no_such_prompt" in selected and selected == editor.input_value().split("\n")[line - 1]
    assert serious(page) == []
    editor.fill(original.replace("{key: 1, intent: waste.collection_day", "{key: 3, intent: waste.collection_day"))
    page.get_by_role("button", name="Check and save").click()
    assert "Saved main.yaml as version 2" in page.get_by_role("status").first.inner_text()
    assert "{key: 3, intent: waste" in (Path(app.extensions["civicline"].config.town_path) / "flows" / "main.yaml").read_text()
    page.get_by_role("link", name="Version 2").click()
    assert "+      - {key: 3, intent: waste.collection_day" in page.locator("pre.diff").first.inner_text()
    assert "This is the version the assistant runs now." in page.locator("main").inner_text()
    assert serious(page) == []
    page.get_by_role("link", name="Back to main.yaml").click()
    page.get_by_role("link", name="Version 1").click()
    page.get_by_role("button", name="Go back to version 1").click()
    assert "Saved main.yaml as version 3" in page.get_by_role("status").first.inner_text()


def test_answer_a_review_item(page, served):
    sign_in(page)
    page.get_by_role("navigation").get_by_role("link", name="Review list").click()
    page.locator("tr", has_text="not understood").get_by_role("link").click()
    assert "purple elephants" in page.locator("main").inner_text()
    page.get_by_label("Note").fill("Caller wanted the waste calendar; example added.")
    page.get_by_role("button", name="Add the note").click()
    assert "Note added." in page.get_by_role("status").first.inner_text()
    page.get_by_label("Phrase").fill("purple elephants")
    page.get_by_label("It means").select_option("waste.collection_day")
    page.get_by_role("button", name="Add as an example").click()
    assert "New calls understand it now" in page.get_by_role("status").first.inner_text()
    page.get_by_role("button", name="Close", exact=True).click()
    assert "Closed." in page.get_by_role("status").first.inner_text()
    assert "closed" in page.locator("dl").first.inner_text()


def test_try_a_call_with_keypad_and_text(page):
    sign_in(page)
    page.get_by_role("navigation").get_by_role("link", name="Try a call").click()
    page.get_by_label("Language").select_option("en")
    page.get_by_role("button", name="Start a call").click()
    log = page.get_by_role("log")
    assert "Press" in log.inner_text() or "press" in log.inner_text()
    url = page.url
    page.get_by_role("button", name="1", exact=True).click()
    expect(log).to_contain_text("What is your address?")
    assert page.url == url  # no page reload: the page keeps its place for screen readers
    page.get_by_label("What the caller says").fill("12 rue victor hugo")
    page.get_by_label("What the caller says").press("Enter")
    expect(log).to_contain_text("Is that right?")
    page.get_by_role("button", name="1", exact=True).click()
    expect(log).to_contain_text("Tuesday")
    assert "Source: collections / zone-A" in log.inner_text()
    assert serious(page) == []
    page.get_by_role("button", name="Hang up").click()
    expect(page.locator("#call-title")).to_contain_text("ended")
    expect(page.get_by_label("What the caller says")).to_be_disabled()


PAGES = [
    "/console/dashboard", "/console/calls?from=2026-11-25&to=2026-12-07", "/console/calls/waste-en",
    "/console/review", "/console/callbacks", "/console/flows", "/console/flows/main.yaml",
    "/console/flows/main.yaml/picture",
    "/console/data", "/console/data/file/streets.csv", "/console/translations", "/console/try",
]


def test_axe_finds_no_serious_or_critical_violation_on_any_page(page, served):
    page.goto("/console/sign-in")
    found = {"sign-in": serious(page)}
    sign_in(page)
    app, _ = served
    item = app.extensions["console"].store.review_items()[0]["id"]
    for url in [*PAGES, f"/console/review/{item}"]:
        response = page.goto(url)
        assert response.status == 200, url
        found[url] = serious(page)
    page.goto("/console/flows/nope.yaml")  # an error page too
    found["404"] = serious(page)
    assert {k: v for k, v in found.items() if v} == {}


def test_the_time_out_warns_and_can_be_extended(page, served):
    app, _ = served
    sign_in(page)
    app.config.update(CONSOLE_IDLE_MINUTES=0.1, CONSOLE_WARN_SECONDS=5)  # 6 s, warned at 5 s left
    try:
        page.goto("/console/calls")
        dialog = page.locator("dialog#timeout")
        dialog.wait_for(state="visible", timeout=8000)
        assert page.evaluate("document.activeElement.id") == "timeout-extend"
        assert "signed out in" in dialog.inner_text()
        assert serious(page) == []
        page.keyboard.press("Enter")  # "Stay signed in"
        dialog.wait_for(state="hidden", timeout=3000)
        # Not answering the warning: the page goes to sign-in and says why.
        page.wait_for_url("**/console/sign-in**", timeout=15000)
        assert "Your session ended" in page.locator("main").inner_text()
    finally:
        app.config.update(CONSOLE_IDLE_MINUTES=20, CONSOLE_WARN_SECONDS=120)



@pytest.mark.parametrize(("locale", "lang", "heading", "user_label"), [
    ("fr-FR", "fr", "Tableau de bord", "Nom d'utilisateur"),
    ("en-GB", "en", "Dashboard", "User name"),
    ("es-ES", "es", "Panel", "Nombre de usuario"),
])
def test_the_console_in_each_language_passes_axe(browser, served, locale, lang, heading, user_label):
    context = browser.new_context(base_url=served[1], locale=locale)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto("/console/sign-in")
        assert page.locator("html").get_attribute("lang") == lang
        found = {"sign-in": serious(page)}
        page.get_by_label(user_label).fill("ed")
        page.locator("#password").fill(PASSWORD)
        page.locator("#password").press("Enter")
        page.wait_for_url("**/console/dashboard")
        assert page.get_by_role("heading", level=1).inner_text() == heading
        found["dashboard"] = serious(page)
        assert {k: v for k, v in found.items() if v} == {}
    finally:
        context.close()


def test_the_language_is_changed_by_keyboard(page):
    sign_in(page)
    page.get_by_label("Show the console in").select_option("es")
    page.get_by_role("button", name="Change").press("Enter")
    page.wait_for_url("**/console/dashboard*")
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.get_by_role("heading", level=1).inner_text() == "Panel"
    page.goto("/console/calls")  # the choice stays for the session
    assert page.locator("html").get_attribute("lang") == "es"


@pytest.mark.parametrize(("locale", "lang", "heading", "says"), [
    ("fr-FR", "fr", "Schéma d'un parcours", "Que puis-je faire pour vous ?"),
    ("en-GB", "en", "Picture of a flow", "How can I help you?"),
    ("es-ES", "es", "Esquema de un recorrido", "¿En qué puedo ayudarle?"),
])
def test_a_flows_picture_in_each_language_passes_axe_and_opens_the_editor_at_a_step(
    browser, served, locale, lang, heading, says
):
    context, page = signed_in_context(browser, served, locale)
    try:
        page.goto("/console/flows")
        page.locator("a[href='/console/flows/main.yaml/picture']").click()
        assert page.locator("html").get_attribute("lang") == lang
        assert page.get_by_role("heading", level=1).inner_text() == heading
        menu = page.get_by_role("region", name=re.compile(r"^main\.menu"))
        assert says in menu.inner_text()
        assert menu.get_by_role("table").get_by_role("row").count() == 3  # the header and two keys
        assert serious(page) == []
        # A choice's target is a link to that step's box, in the file it is written in.
        menu.get_by_role("link", name="waste.start").click()
        page.wait_for_url("**/console/flows/waste.yaml/picture#node-waste-start")
        assert serious(page) == []
        # Each box opens the YAML editor with the cursor on the step's line.
        page.goto("/console/flows/main.yaml/picture")
        page.get_by_role("region", name=re.compile(r"^main\.menu")).get_by_role("link", name=re.compile(r"^main\.menu ")).click()
        page.wait_for_url("**/console/flows/main.yaml?line=*")
        selected = page.evaluate("(() => { const a = document.getElementById('content'); return a.value.slice(a.selectionStart, a.selectionEnd); })()")
        assert selected == "  menu:" and page.evaluate("document.activeElement.id") == "content"
    finally:
        context.close()
