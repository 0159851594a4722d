"""Several workers as production runs them (docs/deployment.md, "Several workers"): two
gunicorn servers on two ports, sharing one real redis-server (support.redis_server) and the
records, in one SQLite file (one machine) or in one PostgreSQL database (as two machines
would: then the two share no file; support.postgres_server), with the webhooks of one TwiML
call going to either, as a load balancer sends them; one of them killed (``kill -9``) in the
middle of a call, TwiML or streamed; a flow saved through one heard on a call the other
serves; and 50 calls at once, every turn counted in PostgreSQL."""

from __future__ import annotations

import threading
import time
import xml.etree.ElementTree as ET
from typing import Any

import pytest
import requests

from records import PostgresStore, SQLiteStore
from support.fake_twilio import MediaLeg
from support.served import ROOT, Served


@pytest.fixture(params=["sqlite", "postgresql"])
def records(request, tmp_path) -> dict[str, str]:
    """Where both workers keep the records: one SQLite file, or one PostgreSQL database."""
    if request.param == "sqlite":
        return {"CIVICLINE_DB_PATH": str(tmp_path / "records.sqlite3")}
    return {"CIVICLINE_DATABASE_URL": request.getfixturevalue("postgres_url")}


def records_store(records: dict[str, str], read_only: bool = True) -> Any:
    url = records.get("CIVICLINE_DATABASE_URL")
    return PostgresStore(url) if url else SQLiteStore(records["CIVICLINE_DB_PATH"], read_only=read_only)


@pytest.fixture
def workers(tmp_path, audio_dir, redis_url, records):
    """Two servers on one Redis and one records database; each its own folder for its log."""
    # A voice's first synthesis loads its model: wait for it, so that answers are <Play>ed
    # (from Redis) rather than said by Twilio's fallback voice.
    shared = {"CIVICLINE_REDIS_URL": redis_url, **records, "CIVICLINE_TWIML_SPEECH_WAIT_S": "120"}
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


def turns(records: dict[str, str]) -> tuple[list, list]:
    store = records_store(records)
    try:
        return [(t["seq"], t["key_pressed"], t["intent"]) for t in store.turns()], store.calls()
    finally:
        store.close()


def test_a_twiml_call_whose_webhooks_alternate_between_two_workers(workers, records):
    a, b = workers
    sid, params, first = a.twilio.incoming()  # worker A answers the call and keeps a copy
    to_english = b.twilio.post(on(b, gather_action(first)), {**params, "Digits": "2"})
    # Worker A's own copy still says turn 0: it must read the call as B left it.
    waste = a.twilio.post(on(a, gather_action(to_english)), {**params, "Digits": "1"})
    assert "t=2" in gather_action(waste)
    # Twilio retries a webhook on whichever worker: the same answer, the call not moved on.
    assert b.twilio.post(on(b, gather_action(first)), {**params, "Digits": "2"}).text == to_english.text
    assert a.twilio.post(on(a, gather_action(to_english)), {**params, "Digits": "1"}).text == waste.text
    recorded, calls = turns(records)
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
    assert len(turns(records)[1]) == 1


def test_a_worker_killed_mid_call_and_the_call_goes_on_on_the_other(workers, records):
    a, b = workers
    sid, params, first = a.twilio.incoming()
    to_english = a.twilio.post(on(a, gather_action(first)), {**params, "Digits": "2"})
    a.kill()  # kill -9, between two turns of the call
    # Twilio's retry of the webhook the dead worker may not have answered reaches B.
    assert b.twilio.post(on(b, gather_action(first)), {**params, "Digits": "2"}).text == to_english.text
    waste = b.twilio.post(on(b, gather_action(to_english)), {**params, "Digits": "1"})
    assert "t=2" in gather_action(waste)
    recorded, calls = turns(records)
    assert [(seq, key) for seq, key, _ in recorded] == [(0, None), (1, "2"), (2, "1")]
    assert recorded[-1][2] == "waste.collection_day" and calls[0]["language"] == "en"
    assert b.twilio.status(params, "completed").status_code == 204


def test_a_flow_saved_through_one_worker_is_heard_on_a_call_the_other_serves(tmp_path, audio_dir, redis_url, records):
    """Staff save the demo town's main menu in the console of worker A, with keys 1 and 2
    swapped; a call answered by worker B then goes where the new menu says."""
    import re
    import shutil

    from civicline.console.accounts import Users

    town = tmp_path / "town"
    shutil.copytree(ROOT / "towns" / "port-lumiere", town)
    store = records_store(records, read_only=False)
    Users(store).add("ed", "correct horse battery", "editor")
    store.close()
    env = {"CIVICLINE_REDIS_URL": redis_url, **records, "CIVICLINE_TOWN_PATH": str(town),
           "SERVED_TOWN": "demo", "CIVICLINE_MEANING_MODEL": "none", "CIVICLINE_TWIML_SPEECH_WAIT_S": "0.5",
           "CIVICLINE_SECRET_KEY": "workers-test-secret-" + "x" * 20, "SERVED_HTTP_COOKIES": "1"}
    a, b = (Served(tmp_path / f"worker{i}", audio_dir=audio_dir, mode="twiml", env=env) for i in range(2))
    try:
        a.start()
        b.start()
        before = requests.get(b.base + "/health", timeout=30).json()["flows"]
        staff = requests.Session()

        def csrf(page: str) -> str:
            found = re.search(r'name="csrf_token" value="([^"]+)"', page)
            assert found, page[:2000]
            return found.group(1)

        page = staff.get(a.base + "/console/sign-in", timeout=30).text
        signed = staff.post(a.base + "/console/sign-in", timeout=60, data={
            "name": "ed", "password": "correct horse battery", "csrf_token": csrf(page), "next": ""})
        assert signed.status_code in (200, 302, 303) and "sign-in" not in signed.url, signed.text[:2000]
        editor = staff.get(a.base + "/console/flows/main.yaml", timeout=30)
        assert editor.status_code == 200, editor.text[:2000]
        base_hash = re.search(r'name="base_hash" value="([^"]*)"', editor.text).group(1)
        text = (town / "flows" / "main.yaml").read_text(encoding="utf-8")
        swapped = text.replace("- key: 1\n", "- key: @\n").replace("- key: 2\n", "- key: 1\n").replace("- key: @\n", "- key: 2\n")
        assert swapped != text
        saved = staff.post(a.base + "/console/flows/main.yaml", timeout=120, data={
            "content": swapped, "base_hash": base_hash, "csrf_token": csrf(editor.text), "note": "meetings first"})
        assert saved.status_code == 200 and "Saved main.yaml" in saved.text, saved.text[:3000]
        after = requests.get(a.base + "/health", timeout=30).json()["flows"]
        assert after != before
        deadline = time.monotonic() + 60  # B reloads on the notice, on a thread of its own
        while requests.get(b.base + "/health", timeout=30).json()["flows"] != after:
            assert time.monotonic() < deadline, "worker B never loaded the saved flow"
            threading.Event().wait(0.1)  # the pause between two looks
        sid, params, first = b.twilio.incoming()
        menu = b.twilio.post(on(b, gather_action(first)), {**params, "Digits": "2"})  # English
        b.twilio.post(on(b, gather_action(menu)), {**params, "Digits": "1"})
        recorded, _ = turns(records)
        assert recorded[-1][1:] == ("1", "meetings.next"), recorded
    finally:
        a.stop()
        b.stop()


CALLS = 50


@pytest.mark.slow
def test_fifty_simultaneous_calls_on_two_workers_lose_no_record_in_postgresql(tmp_path, audio_dir, redis_url,
                                                                               postgres_url):
    """50 TwiML calls at once, each turn on the other worker than the last (as a load
    balancer may send them): every call and every turn is in PostgreSQL, in order."""
    shared = {"CIVICLINE_REDIS_URL": redis_url, "CIVICLINE_DATABASE_URL": postgres_url,
              "CIVICLINE_TWIML_SPEECH_WAIT_S": "120"}
    servers = [Served(tmp_path / f"worker{i}", audio_dir=audio_dir, mode="twiml", env=shared) for i in range(2)]
    try:
        for server in servers:
            server.start()
        # One call first: the voices load and the answers are synthesised once, so that the
        # 50 below measure the records, not a cold start.
        warm = servers[0]
        _, params, first = warm.twilio.incoming()
        warm.twilio.post(on(warm, gather_action(first)), {**params, "Digits": "2"})
        assert warm.twilio.status(params, "completed").status_code == 204
        together = threading.Barrier(CALLS)
        failures: list[str] = []
        sids: list[str] = []

        def one_call(n: int) -> None:
            a, b = servers[n % 2], servers[(n + 1) % 2]
            try:
                together.wait(timeout=120)
                sid, params, first = a.twilio.incoming(caller=f"+336{n:08d}")
                sids.append(sid)
                menu = b.twilio.post(on(b, gather_action(first)), {**params, "Digits": "2"})
                waste = a.twilio.post(on(a, gather_action(menu)), {**params, "Digits": "1"})
                assert "t=2" in gather_action(waste)
                assert b.twilio.status(params, "completed").status_code == 204
            except BaseException as exc:  # pragma: no cover - the assertion below shows it
                failures.append(f"call {n}: {type(exc).__name__}: {exc}")

        threads = [threading.Thread(target=one_call, args=(n,)) for n in range(CALLS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=600)
        assert not failures, failures[:5]
        store = PostgresStore(postgres_url)
        try:
            calls = {c["id"]: c for c in store._rows("SELECT * FROM calls WHERE id IN ("
                                                      + ", ".join("?" * len(sids)) + ")", sids)}
            assert len(calls) == CALLS and all(c["outcome"] and c["ended_at"] for c in calls.values())
            turns = store._rows(f"SELECT call_id, seq, key_pressed FROM turns WHERE call_id IN"
                                f" ({', '.join('?' * len(sids))}) ORDER BY call_id, seq", sids)
            by_call: dict[str, list] = {}
            for t in turns:
                by_call.setdefault(t["call_id"], []).append((t["seq"], t["key_pressed"]))
            assert len(by_call) == CALLS
            # Every turn, numbered without a gap: the greeting, "2", "1" (and the hang-up's).
            shapes = {tuple(keys) for keys in by_call.values()}
            assert len(shapes) == 1, shapes
            [shape] = shapes
            assert [seq for seq, _ in shape] == list(range(len(shape)))
            assert [key for _, key in shape][:3] == [None, "2", "1"]
        finally:
            store.close()
        for server in servers:  # both took calls and neither lost a write
            health = requests.get(server.base + "/health", timeout=30).json()
            assert health["records"]["write_failures"] == 0 and health["database"]["backend"] == "postgresql"
    finally:
        for server in servers:
            server.stop()


def stream_on(server: Served, response, call_sid: str) -> MediaLeg:
    """The <Connect><Stream> a webhook answered with, opened on this server."""
    stream = ET.fromstring(response.text).find("./Connect/Stream")
    assert stream is not None, response.text
    params = {p.get("name"): p.get("value") for p in stream.findall("Parameter")}
    path = stream.get("url").split("://", 1)[1].split("/", 1)[1]
    return MediaLeg(server.base.replace("http://", "ws://") + "/" + path, call_sid, params)


def test_a_streamed_call_on_another_worker_than_its_webhook_and_reconnected_when_that_one_dies(
    tmp_path, audio_dir, redis_url
):
    env = {"CIVICLINE_REDIS_URL": redis_url, "CIVICLINE_DB_PATH": str(tmp_path / "records.sqlite3")}
    a, b = (Served(tmp_path / f"worker{i}", audio_dir=audio_dir, mode="streams", env=env) for i in range(2))
    try:
        a.start()
        b.start()
        sid, params, r = a.twilio.incoming()  # A issues the one-time pass
        leg = stream_on(b, r, sid)  # the websocket reaches B, which honours it
        assert leg.wait_for(lambda: leg.current.first_frame_at is not None or leg.closed.is_set())
        assert not leg.closed.is_set()
        leg.press("2")  # English
        assert leg.wait_for(lambda: leg.clears >= 1 or leg.closed.is_set())
        b.kill()  # the worker holding the stream dies
        assert leg.wait_closed(10)
        action = ET.fromstring(r.text).find("./Connect").get("action")
        again = a.twilio.post(on(a, action), {**params, "CallStatus": "in-progress"})
        leg2 = stream_on(a, again, sid)
        assert leg2.wait_for(lambda: leg2.current.first_frame_at is not None or leg2.closed.is_set())
        assert not leg2.closed.is_set()
        leg2.press("0")  # the call goes on where it was: English, main menu -> a person
        assert leg2.wait_closed(60)
        dial = a.twilio.post(on(a, ET.fromstring(again.text).find("./Connect").get("action")),
                             {**params, "CallStatus": "in-progress"})
        assert ET.fromstring(dial.text).find("Dial") is not None, dial.text
        reused = stream_on(a, r, sid)  # the first pass, shown again: spent
        assert reused.wait_closed(10)
    finally:
        a.stop()
        b.stop()


def test_one_gunicorn_with_two_workers_as_documented_serves_a_twiml_call_across_them(tmp_path, audio_dir, redis_url):
    """`gunicorn --workers 2 --threads 64 --timeout 0` (docs/deployment.md, section 9) on one
    Redis: the worker that answered the call's first webhook is killed (``kill -9``; the master
    starts another), so its later turns are surely answered by a worker that never saw it."""
    import os
    import signal
    from urllib.parse import urlsplit

    env = {"CIVICLINE_REDIS_URL": redis_url, "CIVICLINE_TWIML_SPEECH_WAIT_S": "120"}
    server = Served(tmp_path / "gunicorn", audio_dir=audio_dir, mode="twiml", env=env, threads=64, workers=2).start()
    try:
        assert len(server.worker_pids()) == 2
        sid, params, first = server.twilio.incoming()
        [answered_by] = server.served_by("/twilio/voice")
        os.kill(answered_by, signal.SIGKILL)
        to_english = server.twilio.post(gather_action(first), {**params, "Digits": "2"})
        waste = server.twilio.post(gather_action(to_english), {**params, "Digits": "1"})
        assert "t=2" in gather_action(waste)
        later = server.served_by(urlsplit(gather_action(first)).path, count=2)
        assert len(later) == 2 and answered_by not in later
        recorded, calls = turns({"CIVICLINE_DB_PATH": str(tmp_path / "gunicorn" / "records.sqlite3")})
        assert [(seq, key) for seq, key, _ in recorded] == [(0, None), (1, "2"), (2, "1")]
        assert recorded[-1][2] == "waste.collection_day" and calls[0]["language"] == "en"
        assert server.twilio.status(params, "completed").status_code == 204
        assert answered_by not in server.worker_pids() and len(server.worker_pids()) == 2  # the master replaced it
    finally:
        server.stop()
