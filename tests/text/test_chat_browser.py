"""The chat page in a real headless Chromium (Debian's, driven by Playwright), with and without
JavaScript, by keyboard only, and axe-core on every state of the page with no serious or
critical violation (WCAG 2.2 AA rules). The browser reaches only 127.0.0.1."""

from __future__ import annotations

import pytest

from support.browser import launch

pytestmark = pytest.mark.slow



@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()


def open_page(browser, base: str, *, javascript: bool, locale: str = "fr-FR"):
    context = browser.new_context(base_url=base, java_script_enabled=javascript, locale=locale)
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return context, page, errors


def serious(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    result = Axe().run(page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a",
                                                                             "wcag21aa", "wcag22aa", "best-practice"]}})
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def axe_of(browser, base: str, page) -> list[str]:
    """axe-core on what a page without JavaScript shows: axe is a script, so it runs in a
    second context, with the same cookie, on the same HTML."""
    context = browser.new_context(base_url=base, java_script_enabled=True)
    context.add_cookies(page.context.cookies())
    checker = context.new_page()
    checker.set_default_timeout(10_000)
    checker.route("**/chat.js", lambda route: route.abort())  # the page as it was, unchanged
    checker.goto("/chat")
    checker.set_content(page.content())
    found = serious(checker)
    context.close()
    return found


def test_without_javascript_the_page_is_a_form_that_answers(browser, serve):
    s = serve()
    context, page, errors = open_page(browser, s.base, javascript=False)
    page.goto("/chat")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert axe_of(browser, s.base, page) == []
    # By keyboard only: to the message field, type, Enter on the button.
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # the skip link to the message field
    assert page.evaluate("document.activeElement.id") == "message"
    page.keyboard.type("Quand est ouverte la déchèterie ?")
    with page.expect_navigation():
        page.get_by_role("button", name="Envoyer").press("Enter")
    assert page.url.endswith("/chat#latest")
    log = page.get_by_role("log")
    assert "Horaires" in log.inner_text()
    assert axe_of(browser, s.base, page) == []
    # A quick answer is a plain button: "no" to "anything else?", then the survey.
    with page.expect_navigation():
        page.get_by_role("button", name="2 – non").click()
    assert "de 1 à 5" in page.get_by_role("log").inner_text()
    assert axe_of(browser, s.base, page) == []
    # An empty message: an alert, tied to the field.
    with page.expect_navigation():
        page.get_by_role("button", name="Envoyer").click()
    alert = page.get_by_role("alert")
    assert "Écrivez d'abord un message" in alert.inner_text()
    assert page.get_by_label("Votre message").get_attribute("aria-invalid") == "true"
    assert axe_of(browser, s.base, page) == []
    context.close()
    assert not errors


def test_with_javascript_messages_come_without_reloads_and_focus_stays_in_the_field(browser, serve):
    s = serve()
    context, page, errors = open_page(browser, s.base, javascript=True, locale="en-GB")
    page.goto("/chat")
    assert page.locator("html").get_attribute("lang") == "en"
    page.evaluate("window.__same_page = true")
    field = page.get_by_label("Your message")
    field.fill("Hello, I have a question please")
    page.get_by_role("button", name="Send").click()
    log = page.get_by_role("log")
    log.get_by_text("Type 1 for waste collection", exact=False).wait_for()
    assert page.evaluate("window.__same_page === true")  # no reload
    assert page.evaluate("document.activeElement.id") == "message" and field.input_value() == ""
    page.get_by_role("button", name="1 – waste collection").click()
    log.get_by_text("Type 1 for your collection days", exact=False).wait_for()
    assert page.evaluate("window.__same_page === true")
    assert serious(page) == []
    # The field stops at the longest message the server takes ([text] max_length); that is sent.
    field.fill("x" * 1001)
    assert len(field.input_value()) == 1000
    page.get_by_role("button", name="Send").click()
    log.get_by_text("x" * 40, exact=False).wait_for()
    assert page.evaluate("window.__same_page === true")
    context.close()
    assert not errors, errors


def test_a_persons_answer_appears_while_the_page_is_open(browser, serve):
    s = serve()
    context, page, errors = open_page(browser, s.base, javascript=True, locale="en-GB")
    page.goto("/chat")
    page.get_by_label("Your message").fill("Hello, I have a question please")
    page.get_by_role("button", name="Send").click()
    page.get_by_role("log").get_by_text("Type 1 for waste collection", exact=False).wait_for()
    page.get_by_label("Your message").fill("0")
    page.get_by_role("button", name="Send").click()
    page.get_by_role("log").get_by_text("passing your question to a person", exact=False).wait_for()
    [call] = s.store.calls()
    s.service.staff_reply(call["id"], "Hello, this is Marie from the town hall.")
    # The page asks for new messages every 10 s while a person has the conversation.
    page.get_by_role("log").get_by_text("this is Marie from the town hall", exact=False).wait_for(timeout=20_000)
    assert "Town hall staff" in page.get_by_role("log").inner_text()
    assert serious(page) == []
    context.close()
    assert not errors, errors
