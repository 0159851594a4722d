"""Fixtures for the staff console (the app itself: support.console)."""

from __future__ import annotations

from pathlib import Path

import pytest

from records import SQLiteStore
from support.console import make_app, make_catalog_dir, make_town, sign_in


@pytest.fixture
def town(tmp_path: Path) -> Path:
    return make_town(tmp_path)


@pytest.fixture
def catalog_dir(tmp_path: Path) -> Path:
    return make_catalog_dir(tmp_path)


@pytest.fixture
def store(tmp_path: Path):
    s = SQLiteStore(tmp_path / "records.sqlite3")
    yield s
    s.close()


@pytest.fixture
def app(tmp_path, town, catalog_dir, store, monkeypatch):
    return make_app(tmp_path, town, catalog_dir, store, monkeypatch)


@pytest.fixture
def client(app):
    # https: the session cookie is Secure, as in production.
    client = app.test_client()
    client.environ_base["wsgi.url_scheme"] = "https"
    return client


@pytest.fixture
def editor(client):
    response = sign_in(client)
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


@pytest.fixture
def viewer(client):
    assert sign_in(client, "vi").status_code == 302
    return client


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium per browser test module (support.browser)."""
    from playwright.sync_api import sync_playwright

    from support.browser import launch

    with sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()
