"""The phone line as production runs it: gunicorn, one worker, a fixed pool of threads
(docs/deployment.md), in a process of its own that a test can starve, flood or kill."""

from __future__ import annotations

import contextlib
import threading
import xml.etree.ElementTree as ET

import pytest
import requests
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from civicline.twilio import media_messages as tm
from support.served import Served

THREADS = 8


@pytest.fixture
def served(tmp_path, audio_dir):
    started: list[Served] = []

    def make(**kwargs) -> Served:
        server = Served(tmp_path / f"server{len(started)}", audio_dir=audio_dir, **kwargs).start()
        started.append(server)
        return server

    yield make
    for server in started:
        server.stop()


def stream_url(server: Served) -> str:
    return server.base.replace("http://", "ws://") + "/twilio/stream"


def test_idle_sockets_without_a_pass_do_not_hold_the_line(served):
    """As many sockets as the server has threads, each sending only Twilio's `connected`:
    each is closed within a second, and a signed call that comes meanwhile is answered."""
    server = served(threads=THREADS)
    closed = [threading.Event() for _ in range(THREADS)]
    opened = threading.Semaphore(0)

    def idle(done: threading.Event) -> None:
        with connect(stream_url(server), open_timeout=10, close_timeout=2) as ws:
            ws.send(tm.TwilioSide("MZ1", "CA1").connected())
            opened.release()
            with contextlib.suppress(ConnectionClosed, TimeoutError):
                ws.recv(timeout=60)
            if ws.close_code is not None:
                done.set()

    for done in closed:
        threading.Thread(target=idle, args=(done,), daemon=True).start()
    assert all(opened.acquire(timeout=30) for _ in closed)  # every thread of the server is taken
    params = {"CallSid": "CA" + "f" * 32, "From": "+33611223344", "AccountSid": tm.TwilioSide("MZ", "CA").account_sid}
    url = server.base + "/twilio/voice"
    signature = server.twilio.validator.compute_signature(url, params)
    # Twilio waits 15 s for a webhook; before the pass was checked first, the threads were
    # held for 10 s and more by each idle socket.
    r = requests.post(url, data=params, headers={"X-Twilio-Signature": signature}, timeout=5)
    assert r.status_code == 200 and ET.fromstring(r.text).find("./Connect/Stream") is not None
    assert all(done.wait(10) for done in closed), "an idle socket was left open"


def test_a_huge_frame_is_refused_without_being_buffered(served):
    server = served(threads=THREADS)
    before = server.memory_kb()["VmRSS"]
    frame = '{"event": "connected", "junk": "' + "x" * (50 * 1024 * 1024) + '"}'
    with connect(stream_url(server), open_timeout=10, close_timeout=2, max_size=None) as ws:
        try:
            ws.send(frame)
            ws.recv(timeout=30)
        except (ConnectionClosed, OSError):
            pass
        code = ws.close_code
    grown_mb = (server.memory_kb()["VmHWM"] - before) / 1024
    assert grown_mb < 20, f"the worker grew by {grown_mb:.0f} MB for one frame"
    assert code in (1009, 1008, 1006), code  # too big, no start in time, or cut while sending
    assert requests.get(server.base + "/health", timeout=10).status_code in (200, 503)


def _gather_action(response: requests.Response) -> str:
    gather = ET.fromstring(response.text).find("Gather")
    assert gather is not None, response.text
    return gather.get("action")


def test_a_twiml_call_goes_on_after_the_server_is_killed(served, tmp_path):
    server = served(mode="twiml")
    sid, params, first = server.twilio.incoming()
    to_english = server.twilio.post(_gather_action(first), {**params, "Digits": "2"})
    menu_action = _gather_action(to_english)
    server.kill()  # kill -9: nothing is flushed or closed on the way out
    server.start()
    # Twilio retries the request the dead server may not have answered: same answer.
    retried = server.twilio.post(_gather_action(first), {**params, "Digits": "2"})
    assert retried.text == to_english.text
    # The caller's next key is answered where the call was: the waste menu's question.
    waste = server.twilio.post(menu_action, {**params, "Digits": "1"})
    assert waste.status_code == 200
    assert "t=2" in _gather_action(waste)
    store_path = server.workdir / "records.sqlite3"
    from records import SQLiteStore

    store = SQLiteStore(store_path, read_only=True)
    try:
        turns = store.turns()
        assert [(t["seq"], t["key_pressed"]) for t in turns] == [(0, None), (1, "2"), (2, "1")]
        assert turns[-1]["intent"] == "waste.collection_day", turns[-1]
        assert store.calls()[0]["language"] == "en"
    finally:
        store.close()
    assert server.twilio.status(params, "completed").status_code == 204


def test_a_streamed_call_cut_by_a_crash_is_closed_by_twilios_status_callback(served):
    server = served(mode="streams")
    sid, params, r = server.twilio.incoming()
    leg = server.twilio.stream(r, sid)
    assert leg.wait_for(lambda: leg.current.first_frame_at is not None or leg.closed.is_set())
    assert not leg.closed.is_set()
    leg.press("2")
    assert leg.wait_for(lambda: leg.clears >= 1 or leg.closed.is_set())
    server.kill()
    assert leg.wait_closed(10)
    server.start()
    assert server.twilio.status(params, "completed").status_code == 204
    from records import SQLiteStore

    store = SQLiteStore(server.workdir / "records.sqlite3", read_only=True)
    try:
        [call] = store.calls()
        assert call["id"] == sid and call["ended_at"] and call["outcome"] == "abandoned", call
    finally:
        store.close()
    # The call is over for good: a replayed start is refused.
    replay = server.twilio.post("/twilio/voice", params)
    assert ET.fromstring(replay.text).find("Hangup") is not None


def test_a_streamed_call_reconnects_when_the_server_is_back_in_time(served):
    """The websocket died with the process; Twilio asks the <Connect action>: the restarted
    server gives a new stream, on which the caller hears the question again."""
    server = served(mode="streams")
    sid, params, r = server.twilio.incoming()
    leg = server.twilio.stream(r, sid)
    assert leg.wait_for(lambda: leg.current.first_frame_at is not None or leg.closed.is_set())
    leg.press("2")
    assert leg.wait_for(lambda: leg.clears >= 1 or leg.closed.is_set())
    server.kill()
    assert leg.wait_closed(10)
    server.start()
    again = server.twilio.connect_action(r, params)
    assert ET.fromstring(again.text).find("./Connect/Stream") is not None, again.text
    leg2 = server.twilio.stream(again, sid)
    assert leg2.wait_for(lambda: leg2.current.first_frame_at is not None or leg2.closed.is_set())
    assert not leg2.closed.is_set()
    leg2.press("0")  # the call goes on where it was: English, main menu -> a person
    assert leg2.wait_closed(60)
    dial = server.twilio.connect_action(again, params)
    assert ET.fromstring(dial.text).find("Dial") is not None, dial.text
