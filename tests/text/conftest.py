"""The service in writing under test: civicline served on 127.0.0.1 by a real threaded server
on the demo town (its real flows and catalogs, with their written wording), a records store
per test, the fake Twilio signing SMS webhooks, and its REST API receiving the SMS we send.
Clocks are moved by hand: the conversations' (idle time) and the town's (what day it is)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from civicline.config import Config
from records import CallRecorder, SQLiteStore
from support.fake_twilio import ACCOUNT, FakeTwilio, Recordings, twilio_secrets_set
from support.textkit import NOW, TOKEN, TOWN_NUMBER

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session", autouse=True)
def twilio_secrets():
    with twilio_secrets_set(TOKEN):
        yield


@pytest.fixture(scope="session")
def demo_runtime(tmp_path_factory):
    from civicline.wiring import load_runtime

    cache = tmp_path_factory.mktemp("embeddings")
    return load_runtime(Config(town_path=ROOT / "towns" / "port-lumiere", meaning_cache_dir=cache, sms_copies=True))


class Clock:
    """Monotonic seconds that a test moves."""

    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


class Served:
    def __init__(self, app, server, twilio: FakeTwilio, api: Recordings, store: SQLiteStore, clock: Clock) -> None:
        self.app, self.server, self.twilio, self.api, self.store, self.clock = app, server, twilio, api, store, clock
        self.service = app.extensions["text_service"]
        self.base = twilio.base


@pytest.fixture
def serve(tmp_path, demo_runtime):
    started: list[Served] = []

    def make(**settings) -> Served:
        from civicline.app import create_app

        api = Recordings(ACCOUNT, TOKEN)
        config = Config(
            town_path=ROOT / "towns" / "port-lumiere",
            db_path=tmp_path / "records.sqlite3",
            sms_from=TOWN_NUMBER,
            sms_api_base=api.base,
            chat_cookie_secure=False,
            **settings,
        )
        store = SQLiteStore(config.db_path)
        recorder = CallRecorder(store, hash_key=b"k" * 32, auto_purge=False)
        app = create_app(config, runtime=demo_runtime, recorder=recorder)
        clock = Clock()
        service = app.extensions["text_service"]
        service.stop()  # the background sweeper: tests end idle conversations themselves
        service.clock = lambda: NOW
        service.conversations.clock = clock
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        served = Served(app, server, FakeTwilio(f"http://127.0.0.1:{server.server_port}", TOKEN), api, store, clock)
        started.append(served)
        return served

    yield make
    for s in started:
        s.server.shutdown()
        s.api.shutdown()
        s.store.close()
