"""Fixtures for the staff console (the app itself: support.console). A test module that
sets ``BOTH_BACKENDS = True`` runs on a SQLite store and on a PostgreSQL one
(support.stores); the others on SQLite."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.console import make_app, make_catalog_dir, make_town, sign_in
from support.stores import BACKENDS, postgres_server, postgres_url, store_on  # noqa: F401 - fixtures


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if getattr(metafunc.module, "BOTH_BACKENDS", False) and "store" in metafunc.fixturenames:
        metafunc.parametrize("store", BACKENDS, indirect=True)


@pytest.fixture
def town(tmp_path: Path) -> Path:
    return make_town(tmp_path)


@pytest.fixture
def catalog_dir(tmp_path: Path) -> Path:
    return make_catalog_dir(tmp_path)


@pytest.fixture
def store(request: pytest.FixtureRequest, tmp_path: Path):
    s = store_on(request, getattr(request, "param", "sqlite"), tmp_path / "records.sqlite3")
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
