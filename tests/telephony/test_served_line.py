"""The phone line as production runs it: gunicorn, one worker, a fixed pool of threads
(docs/deployment.md), in a process of its own that a test can starve, flood or kill."""

from __future__ import annotations

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
            try:
                ws.recv(timeout=60)
            except (ConnectionClosed, TimeoutError):
                pass
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
    assert code in (1009, 1006), code  # too big (or cut while still sending it)
    assert requests.get(server.base + "/health", timeout=10).status_code in (200, 503)

