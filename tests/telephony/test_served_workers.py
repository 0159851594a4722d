"""Several workers as production runs them (docs/deployment.md, "Several workers"): two
gunicorn servers on two ports, sharing one real redis-server (support.redis_server) and one
records file, with the webhooks of one TwiML call going to either, as a load balancer
sends them; and one of them killed (``kill -9``) in the middle of a call."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
import requests

from records import SQLiteStore
from support.served import Served


@pytest.fixture
def workers(tmp_path, audio_dir, redis_url):
    """Two servers on one Redis and one records file; each its own folder for its log."""
    # A voice's first synthesis loads its model: wait for it, so that answers are <Play>ed
    # (from Redis) rather than said by Twilio's fallback voice.
    shared = {"CIVICLINE_REDIS_URL": redis_url, "CIVICLINE_DB_PATH": str(tmp_path / "records.sqlite3"),
              "CIVICLINE_TWIML_SPEECH_WAIT_S": "120"}
    started = [Served(tmp_path / f"worker{i}", audio_dir=audio_dir, mode="twiml", env=shared) for i in range(2)]
    try:
        for server in started:
            server.start()
        yield started
    finally:
        for server in started:
            server.stop()


def on(server: Served, url: str) -> str:
    """The same webhook URL, sent to this server (as a load balancer would)."""
    path = url.split("://", 1)[1].split("/", 1)[1]
    return f"{server.base}/{path}"


def gather_action(response) -> str:
    assert response.status_code == 200, response.text
    gather = ET.fromstring(response.text).find(".//Gather")
    assert gather is not None, response.text
    return gather.get("action")


def turns(tmp_path) -> tuple[list, list]:
    store = SQLiteStore(tmp_path / "records.sqlite3", read_only=True)
    try:
        return [(t["seq"], t["key_pressed"], t["intent"]) for t in store.turns()], store.calls()
    finally:
        store.close()


def test_a_twiml_call_whose_webhooks_alternate_between_two_workers(workers, tmp_path):
    a, b = workers
    sid, params, first = a.twilio.incoming()  # worker A answers the call and keeps a copy
    to_english = b.twilio.post(on(b, gather_action(first)), {**params, "Digits": "2"})
    # Worker A's own copy still says turn 0: it must read the call as B left it.
    waste = a.twilio.post(on(a, gather_action(to_english)), {**params, "Digits": "1"})
    assert "t=2" in gather_action(waste)
    # Twilio retries a webhook on whichever worker: the same answer, the call not moved on.
    assert b.twilio.post(on(b, gather_action(first)), {**params, "Digits": "2"}).text == to_english.text
    assert a.twilio.post(on(a, gather_action(to_english)), {**params, "Digits": "1"}).text == waste.text
    recorded, calls = turns(tmp_path)
    assert [(seq, key) for seq, key, _ in recorded] == [(0, None), (1, "2"), (2, "1")]
    assert recorded[-1][2] == "waste.collection_day" and calls[0]["language"] == "en"
    # Twilio fetches the answers' audio from whichever worker: B's answer, played by A.
    played = [on(a, p.text.strip()) for p in ET.fromstring(to_english.text).iter("Play")]
    assert played, to_english.text
    for url in played:
        got = requests.get(url, timeout=30)
        assert got.status_code == 200 and got.content[:4] == b"RIFF", url
    assert b.twilio.status(params, "completed").status_code == 204
    assert all(requests.get(url, timeout=30).status_code == 404 for url in played)  # forgotten on every worker
    # Ended on B: a replay of the first webhook on A cannot reopen it.
    replay = a.twilio.post("/twilio/voice", params)
    assert "<Hangup" in replay.text
    assert len(turns(tmp_path)[1]) == 1


def test_a_worker_killed_mid_call_and_the_call_goes_on_on_the_other(workers, tmp_path):
    a, b = workers
    sid, params, first = a.twilio.incoming()
    to_english = a.twilio.post(on(a, gather_action(first)), {**params, "Digits": "2"})
    a.kill()  # kill -9, between two turns of the call
    # Twilio's retry of the webhook the dead worker may not have answered reaches B.
    assert b.twilio.post(on(b, gather_action(first)), {**params, "Digits": "2"}).text == to_english.text
    waste = b.twilio.post(on(b, gather_action(to_english)), {**params, "Digits": "1"})
    assert "t=2" in gather_action(waste)
    recorded, calls = turns(tmp_path)
    assert [(seq, key) for seq, key, _ in recorded] == [(0, None), (1, "2"), (2, "1")]
    assert recorded[-1][2] == "waste.collection_day" and calls[0]["language"] == "en"
    assert b.twilio.status(params, "completed").status_code == 204
