"""The console on a service answering several towns: each account sees only its towns,
every page shows one town, and a URL for another town's data is refused (403)."""

from __future__ import annotations

import argparse
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from civicline.config import Config
from records import SQLiteStore
from support.console import KEY, PASSWORD, SECRET, csrf, sign_in

BOTH_BACKENDS = True  # the accounts' towns and the calls' towns on SQLite and on PostgreSQL (conftest)

ROOT = Path(__file__).resolve().parents[2]
PL, GE = "+33199000000", "+441159000000"


@pytest.fixture
def towns_app(tmp_path, monkeypatch, store):
    from argon2 import PasswordHasher

    from civicline.app import create_app
    from civicline.console.accounts import Users

    monkeypatch.setenv("CIVICLINE_SECRET_KEY", SECRET)
    monkeypatch.setenv("CIVICLINE_HASH_KEY", "console-towns-tests-hash-key-0123456789")
    monkeypatch.delenv("CIVICLINE_REDIS_URL", raising=False)
    folders = {}
    for name in ("port-lumiere", "gedling"):
        folders[name] = tmp_path / name
        shutil.copytree(ROOT / "towns" / name, folders[name])
    config = Config(town_path=folders["port-lumiere"], db_path=tmp_path / "records.sqlite3",
                    towns={PL: folders["port-lumiere"], GE: folders["gedling"]}, meaning_model="none")
    from records import CallRecorder

    app = create_app(config, recorder=CallRecorder(store, hash_key=KEY, auto_purge=False))
    app.config.update(TESTING=True)
    app.instance_path = str(tmp_path / "instance")
    users = app.extensions["console"].users = Users(
        app.extensions["console"].store, hasher=PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    for name, role, towns in (("pl", "editor", ["port-lumiere"]), ("ge", "editor", ["gedling"]),
                              ("ad", "admin", []), ("nobody", "editor", []), ("both", "viewer", ["gedling", "port-lumiere"])):
        users.add(name, PASSWORD, role)
        users.set_towns(name, towns)
    store = app.extensions["console"].store
    now = datetime.now(UTC).isoformat()
    for call_id, town in (("call-pl", "port-lumiere"), ("call-old", ""), ("call-ge", "gedling")):
        store.start_call({"id": call_id, "started_at": now, "language": "en", "caller_hash": None,
                          "caller_last2": None, "town": town})
        store.add_review_item({"id": f"item-{call_id}", "call_id": call_id, "kind": "not_understood",
                               "created_at": now, "reason": f"reason of {call_id}"})
        store.add_staff_request({"id": f"req-{call_id}", "call_id": call_id, "kind": "callback",
                                 "created_at": now, "text": f"request of {call_id}"})
    return app, folders


def client_of(app, name):
    client = app.test_client()
    client.environ_base["wsgi.url_scheme"] = "https"
    assert sign_in(client, name).status_code == 302
    return client


def test_a_staff_account_sees_only_its_towns_calls_items_and_requests(towns_app):
    app, _ = towns_app
    pl, ge = client_of(app, "pl"), client_of(app, "ge")
    calls = pl.get("/console/calls").get_data(as_text=True)
    assert "call-pl" in calls and "call-old" in calls and "call-ge" not in calls  # '' = before towns: the first
    assert "call-ge" in ge.get("/console/calls").get_data(as_text=True)
    assert "call-pl" not in ge.get("/console/calls").get_data(as_text=True)
    review = pl.get("/console/review").get_data(as_text=True)
    assert "reason of call-pl" in review and "reason of call-ge" not in review
    callbacks = ge.get("/console/callbacks").get_data(as_text=True)
    assert "request of call-ge" in callbacks and "request of call-pl" not in callbacks
    # URLs of the other town's data: refused, whatever the link says.
    assert pl.get("/console/calls/call-ge").status_code == 403
    assert pl.get("/console/review/item-call-ge").status_code == 403
    assert pl.get("/console/calls?town=gedling").status_code == 403
    assert pl.get("/console/flows?town=gedling").status_code == 403
    changed = pl.post("/console/callbacks/req-call-ge", data={"action": "note", "note": "x", "csrf_token": csrf(pl)})
    assert changed.status_code == 403
    assert {r["id"]: r["note"] for r in app.extensions["console"].store.staff_requests()}["req-call-ge"] is None
    assert pl.get("/console/calls/call-pl").status_code == 200
    assert ge.get("/console/review/item-call-ge").status_code == 200


def test_the_dashboard_counts_the_shown_towns_calls_only(towns_app):
    from records import browse, kpis

    app, _ = towns_app
    store = app.extensions["console"].store
    assert kpis.compute(browse.WithoutTrials(store, towns=("gedling",)))["calls"] == 1
    assert kpis.compute(browse.WithoutTrials(store, towns=("port-lumiere", "")))["calls"] == 2
    assert kpis.compute(browse.WithoutTrials(store))["calls"] == 3
    assert client_of(app, "ge").get("/console/dashboard").status_code == 200


def test_an_admin_without_towns_sees_every_town_and_links_keep_the_town_shown(towns_app):
    app, _ = towns_app
    ad = client_of(app, "ad")
    page = ad.get("/console/calls?town=gedling").get_data(as_text=True)
    assert "call-ge" in page and "call-pl" not in page
    assert 'value="gedling" selected' in page and 'value="port-lumiere"' in page  # the town switch
    assert "/console/review?town=gedling" in page  # every link names the town shown
    assert "call-ge" in ad.get("/console/calls").get_data(as_text=True)  # the town last opened
    assert "call-pl" in ad.get("/console/calls?town=port-lumiere").get_data(as_text=True)


def test_an_account_given_several_towns_moves_between_them_and_one_given_none_sees_nothing(towns_app):
    app, _ = towns_app
    both = client_of(app, "both")
    assert both.get("/console/dashboard?town=gedling").status_code == 200
    assert both.get("/console/dashboard?town=port-lumiere").status_code == 200
    assert both.get("/console/dashboard?town=elsewhere").status_code == 403
    nobody = client_of(app, "nobody")
    refused = nobody.get("/console/dashboard")
    assert refused.status_code == 403 and "civicline users towns" in refused.get_data(as_text=True)
    assert nobody.post("/console/sign-out", data={"csrf_token": csrf(nobody)}).status_code == 200


def test_the_flow_editor_shows_and_saves_the_shown_towns_files(towns_app):
    app, folders = towns_app
    ext = app.extensions["civicline"]
    ge = client_of(app, "ge")
    name = "main.yaml"
    page = ge.get(f"/console/flows/{name}")
    assert page.status_code == 200
    text = (folders["gedling"] / "flows" / name).read_text(encoding="utf-8")
    assert "Gedling" in page.get_data(as_text=True) or text.splitlines()[0] in page.get_data(as_text=True)
    before_pl = ext.runtime_of("port-lumiere").flows.version
    before_ge = ext.runtime_of("gedling").flows.version
    from civicline.console.file_versions import text_hash

    saved = ge.post(f"/console/flows/{name}", data={
        "content": text + "\n# saved for Gedling\n", "base_hash": text_hash(text), "csrf_token": csrf(ge)})
    assert saved.status_code == 302, saved.get_data(as_text=True)[:2000]
    assert "# saved for Gedling" in (folders["gedling"] / "flows" / name).read_text(encoding="utf-8")
    assert "# saved for Gedling" not in (folders["port-lumiere"] / "flows" / name).read_text(encoding="utf-8")
    assert ext.runtime_of("gedling").flows.version != before_ge
    assert ext.runtime_of("port-lumiere").flows.version == before_pl
    # Its versions are Gedling's: Port-Lumière's editor sees no history of that file.
    assert "saved for Gedling" not in client_of(app, "pl").get(f"/console/flows/{name}/versions/2").get_data(as_text=True)
    assert "# saved for Gedling" in ge.get(f"/console/flows/{name}/versions/2").get_data(as_text=True)


def test_the_users_command_grants_towns_the_configuration_serves(tmp_path, capsys):
    from civicline.commands import console_cmd

    toml = tmp_path / "civicline.toml"
    toml.write_text(
        f'[records]\ndb = "{tmp_path / "records.sqlite3"}"\n'
        f'[towns]\n"{PL}" = "{ROOT / "towns" / "port-lumiere"}"\n"{GE}" = "{ROOT / "towns" / "gedling"}"\n',
        encoding="utf-8")
    store = SQLiteStore(tmp_path / "records.sqlite3")
    from argon2 import PasswordHasher

    from civicline.console.accounts import Users

    Users(store, hasher=PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)).add("cl", PASSWORD, "editor")
    args = argparse.Namespace(config=str(toml), name="cl", town=["gedling"])
    assert console_cmd.run_towns(args) == 0
    assert "cl sees gedling" in capsys.readouterr().out
    assert Users(store).get("cl").towns == ("gedling",)
    from staff_files.problems import CivicError

    with pytest.raises(CivicError, match="not a town of this service"):
        console_cmd.run_towns(argparse.Namespace(config=str(toml), name="cl", town=["nowhere"]))
    assert Users(store).get("cl").towns == ("gedling",)
    console_cmd.run_towns(argparse.Namespace(config=str(toml), name="cl", town=[]))
    assert Users(store).get("cl").towns == ()
    store.close()
