"""The console on the real demo town (read only): every page renders, a trial call answers
from the town's data with its provenance."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from civicline.config import Config
from civicline.console.accounts import Users
from support.console import PASSWORD, ROOT, SECRET, csrf, sign_in


@pytest.fixture
def demo(tmp_path, monkeypatch):
    from civicline.app import create_app

    monkeypatch.setenv("CIVICLINE_SECRET_KEY", SECRET)
    monkeypatch.setenv("CIVICLINE_HASH_KEY", "demo-town-tests-hash-key-0123456789")
    config = Config(town_path=ROOT / "towns" / "port-lumiere", db_path=tmp_path / "db.sqlite3")
    app = create_app(config)
    app.instance_path = str(tmp_path / "instance")
    users = app.extensions["console"].users = Users(
        app.extensions["console"].store, hasher=PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )
    users.add("ed", PASSWORD, "editor")
    client = app.test_client()
    client.environ_base["wsgi.url_scheme"] = "https"
    assert sign_in(client).status_code == 302
    return app, client


def test_every_page_renders_on_the_demo_town(demo):
    app, client = demo
    for url in ["/console/dashboard", "/console/calls", "/console/review", "/console/callbacks",
                "/console/flows", "/console/data", "/console/translations", "/console/try"]:
        assert client.get(url).status_code == 200, url
    flows = client.get("/console/flows").get_data(as_text=True)
    assert "waste.yaml" in flows and "main.yaml" in flows
    for name in ("streets.csv", "meetings.ics", "permits.yaml"):
        assert client.get(f"/console/data/file/{name}").status_code == 200, name


def test_a_trial_call_on_the_demo_town(demo):
    app, client = demo
    response = client.post("/console/try/start", data={"csrf_token": csrf(client), "language": "en",
                                                       "at": "2026-12-01T10:15"},
                           headers={"Accept": "application/json"})
    assert response.status_code == 200
    trial = response.get_json()["id"]
    said = client.post(f"/console/try/{trial}/send",
                       data={"csrf_token": csrf(client), "kind": "text", "text": "when is the next council meeting"},
                       headers={"Accept": "application/json"}).get_json()
    # The sentence picks the main menu's choice and then the meetings menu's: straight to the answer.
    assert "meetings.next" in said["html"]
    assert "The town council" in said["html"] and "Source: <code>meetings / conseil-municipal" in said["html"]
