"""The staff console's test app: a copy of the engine's test flows, a copy of the language
catalogs and a small data folder, with a fresh records store and users.

``civicline.wiring.check_runtime`` is replaced by one that builds the runtime from those
copies (the engine's test handlers and town), so that saving a flow exercises the real
RuntimeHolder.reload and the real validator without touching the repository's files.
"""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

from civicline import wiring
from civicline.config import Config
from civicline.console import data_edit
from flows.loader import flow_files, load_flows
from flows.runtime import Runtime
from flows.validator import validate
from records import CallRecorder
from staff_files.problems import FlowError
from support.flowkit import EXAMPLES, FIXTURES, HANDLERS, OPEN, TEST_PROMPTS, FakeTown
from translations.catalog import CATALOG_DIR, Catalogs

ROOT = Path(__file__).resolve().parents[2]

KEY = b"console-tests-hash-key-0123456789"
SECRET = "console-tests-secret-key-not-for-production"
PASSWORD = "correct horse battery"
ICS = (ROOT / "tests" / "console" / "data" / "meetings.ics").read_text(encoding="utf-8")


def build_checked(config: Config, flows_dir: Path | None, catalog_dir: Path) -> wiring.Checked:
    """Like wiring.check_runtime, on the test town: test handlers, test prompts."""
    flows_dir = Path(flows_dir or config.town_path / "flows")
    try:
        base = Catalogs.load(["fr", "en", "es"], "fr", directory=catalog_dir)
        flows, problems = load_flows(flow_files(flows_dir))
    except FlowError as exc:
        return wiring.Checked(None, exc.problems)
    merged = {
        lang: dataclasses.replace(
            base[lang],
            prompts={**base[lang].prompts, **TEST_PROMPTS[lang]},
            intents={**{k: tuple(v) for k, v in EXAMPLES[lang].items()}, **base[lang].intents},
        )
        for lang in base.languages
    }
    catalogs = Catalogs(merged, "fr")
    town = FakeTown()
    problems += validate(flows, catalogs, HANDLERS, town=town)
    runtime = Runtime(flows=flows, catalogs=catalogs, handlers=HANDLERS, town=town, config=config)
    return wiring.Checked(runtime, problems)


def make_town(tmp_path: Path) -> Path:
    town = tmp_path / "town"
    shutil.copytree(FIXTURES / "flows", town / "flows")
    data = town / "data"
    data.mkdir()
    (data / "streets.csv").write_text(
        "# Streets (a comment line, as the town's files have)\n"
        "id,name,zone,verified\n"
        "rue-du-port,Rue du Port,A,2025-01-10\n"
        "rue-du-pont,Rue du Pont,B,2026-09-14\n",
        encoding="utf-8",
    )
    (data / "meetings.ics").write_text(ICS, encoding="utf-8")
    return town


def make_catalog_dir(tmp_path: Path) -> Path:
    target = tmp_path / "translations"
    target.mkdir()
    for name in ("fr.yaml", "en.yaml", "es.yaml"):
        shutil.copy(CATALOG_DIR / name, target / name)
    return target


def make_app(tmp_path: Path, town: Path, catalog_dir: Path, store, monkeypatch):
    """The Flask app on the test town; shared by the function-scoped `app` fixture and
    the browser tests' module-scoped one."""
    from argon2 import PasswordHasher

    from civicline.app import create_app
    from civicline.console.accounts import Users

    monkeypatch.setenv("CIVICLINE_SECRET_KEY", SECRET)
    monkeypatch.setattr(
        wiring, "check_runtime", lambda config, flows_dir=None: build_checked(config, flows_dir, catalog_dir)
    )
    # The test town has no town.yaml: its data is checked for format only (the real
    # check_town is tested on a copy of the demo town in test_console_data.py).
    monkeypatch.setattr(data_edit, "full_check", lambda copy: [])
    config = Config(town_path=town, db_path=tmp_path / "records.sqlite3", source="tests")
    checked = build_checked(config, None, catalog_dir)
    assert not checked.problems, checked.problems
    recorder = CallRecorder(store, hash_key=KEY, auto_purge=False)
    app = create_app(config, runtime=checked.runtime, recorder=recorder)
    app.config.update(TESTING=True, CONSOLE_CATALOG_DIR=str(catalog_dir))
    app.instance_path = str(tmp_path / "instance")
    # argon2's defaults take ~0.5 s a hash here: right for sign-in, too slow for 100 tests.
    users = app.extensions["console"].users = Users(
        store, hasher=PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )
    users.add("ed", PASSWORD, "editor")
    users.add("vi", PASSWORD, "viewer")
    users.add("ad", PASSWORD, "admin")
    return app


def csrf(client) -> str:
    with client.session_transaction() as session:
        if "csrf" not in session:
            session["csrf"] = "test-token-" + "x" * 20
        return session["csrf"]


def sign_in(client, name: str = "ed", password: str = PASSWORD):
    client.get("/console/sign-in")
    return client.post(
        "/console/sign-in",
        data={"name": name, "password": password, "csrf_token": csrf(client), "next": ""},
    )


class Ticking:
    """A clock that moves 10 s each time it is read: one read per event in a Call."""

    def __init__(self, at):
        from datetime import timedelta

        self.step = timedelta(seconds=10)
        self.at = at - self.step

    def __call__(self):
        self.at += self.step
        return self.at


def place_call(app, events, *, language="en", caller="+33611111111", at=None, call_id=None):
    """A call through the app's engine and recorder, as the phone line would make it."""
    from civicline.calls import Call

    civic = app.extensions["civicline"]
    call = Call(civic.engine(), Ticking(at or OPEN), call_id=call_id, caller=caller,
                language=language, recorder=civic.recorder)
    call.start()
    for event in events:
        call.send(event)
    return call


def make_demo_app(tmp_path: Path, monkeypatch, name: str = "port-lumiere"):
    """The Flask app on a copy of a town of the repository (the demo town, Port-Lumière, by
    default), which the console's forms may write to; users ed (editor) and vi (viewer)."""
    from argon2 import PasswordHasher

    from civicline.app import create_app
    from civicline.console.accounts import Users

    monkeypatch.setenv("CIVICLINE_SECRET_KEY", SECRET)
    monkeypatch.setenv("CIVICLINE_HASH_KEY", "demo-town-tests-hash-key-0123456789")
    town = tmp_path / name
    shutil.copytree(ROOT / "towns" / name, town)
    app = create_app(Config(town_path=town, db_path=tmp_path / "demo.sqlite3"))
    app.config.update(TESTING=True)
    app.instance_path = str(tmp_path / "instance")
    users = app.extensions["console"].users = Users(
        app.extensions["console"].store, hasher=PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )
    users.add("ed", PASSWORD, "editor")
    users.add("vi", PASSWORD, "viewer")
    return app, town


def signed_in_gedling(tmp_path: Path, monkeypatch, accept_language: str | None = None):
    """The app on a copy of Gedling, its calendars' year for today, an editor signed in:
    (app, town folder, client)."""
    from datetime import date

    from civicline.console import town_forms_views

    app, town = make_demo_app(tmp_path, monkeypatch, "gedling")
    monkeypatch.setattr(town_forms_views, "today", lambda: date(2025, 12, 15))
    client = app.test_client()
    client.environ_base["wsgi.url_scheme"] = "https"
    if accept_language:
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = accept_language
    assert sign_in(client).status_code == 302
    return app, town, client
