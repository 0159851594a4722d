"""The console's browser tests' shared pieces: Debian's Chromium driven by Playwright (no
downloaded browser, no network), axe-core's serious and critical findings, and a signed-in
page in a given browser language."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.console import PASSWORD

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def require_chromium() -> None:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/install-system-deps.sh (Debian package chromium)")


# How long an assertion waits for the page to show what the server answers (a try-a-call
# turn runs the whole engine): a bound on a wait, not a speed goal; on a machine busy with
# other work Playwright's 5 s default was once too short.
EXPECT_TIMEOUT_MS = 30_000


def launch(playwright):
    """Debian's Chromium, headless; the browser tests' `browser` fixture (tests/console/conftest.py)."""
    from playwright.sync_api import expect

    require_chromium()
    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    return playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)


def serious(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    result = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def signed_in_context(browser, served, locale: str, name: str = "ed"):
    """A new browser context in ``locale`` signed in as ``name``; the caller closes it."""
    context = browser.new_context(base_url=served[1], locale=locale)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto("/console/sign-in")
    page.locator("#name").fill(name)
    page.locator("#password").fill(PASSWORD)
    page.locator("#password").press("Enter")
    page.wait_for_url("**/console/dashboard")
    return context, page
