"""The Media Streams websocket (``/twilio/stream``): refuses a stream without a live pass,
then runs the real-time loop (voice.telephony.stream) in Twilio's wire format with the
call's dialog (civicline.phone.dialog).

Each websocket holds one of the server's threads (gunicorn's ``--threads``) for as long as
it is open, so nothing that has not shown a valid pass may hold one for long: Twilio sends
``connected`` and ``start`` (which carries the pass) as soon as the socket opens, and a
socket that has not done so within :data:`START_WAIT_S` is closed. Frames larger than any
Twilio sends are refused by the websocket itself before they are buffered; a stream that
sends faster than it can be handled, or stops sending altogether, is ended.
"""

from __future__ import annotations

import contextlib
import logging
import time
from typing import Any

from flask import Flask, current_app
from flask_sock import Sock

from civicline.phone.dialog import CallDialog
from civicline.twilio.media_messages import MAX_MESSAGE_BYTES, TwilioWire
from voice.events import ProtocolError, StreamStarted
from voice.telephony.stream import StreamCall
from voice.telephony.wire import WireFormat

log = logging.getLogger(__name__)
START_WAIT_S = 1.0
"""From the socket's opening to a valid ``start``, all messages included (Twilio sends
``connected`` and ``start`` at once)."""
RECEIVE_POLL_S = 0.25
SILENT_STREAM_S = 10.0
"""Twilio sends a media frame every 20 ms for the whole call: a stream silent this long is gone."""
MAX_BACKLOG = 250
"""Messages received and not yet handled (5 s of audio) before the stream counts as a flood."""
MAX_BACKLOG_BYTES = 1024 * 1024
"""The same in bytes (250 media messages are ~80 KB)."""
POLICY_VIOLATION = 1008


def init_app(app: Flask) -> None:
    # simple_websocket closes the connection (1009) on a bigger frame while reading it.
    app.config.setdefault("SOCK_SERVER_OPTIONS", {"max_message_size": MAX_MESSAGE_BYTES})
    sock = Sock(app)
    sock.route("/twilio/stream")(stream)


def stream(ws: Any) -> None:
    """One call's websocket: refuse it without a live one-time pass, else run the loop."""
    tel = current_app.extensions["telephony"]
    wire = TwilioWire()
    start = _await_start(ws, wire)
    if start is None:
        return
    raw, msg = start
    # The pass is spent whoever presents it: a pass seen twice was leaked.
    valid = tel.passes.redeem(msg.parameters.get("pass"), msg.call_id)
    kept = tel.in_progress.get(msg.call_id) if valid else None
    if kept is None:
        log.warning("stream for call %s refused: no valid pass", msg.call_id[:40])
        _close(ws, POLICY_VIOLATION, "no valid pass")
        return
    call = StreamCall(CallDialog(tel, kept), tel.speech.deps(), ws.send, wire=wire)
    tel.streams[msg.call_id] = call
    try:
        call.handle(raw)
        _run(ws, call, msg.call_id)
    finally:
        tel.streams.pop(msg.call_id, None)
    _close(ws)


def _run(ws: Any, call: StreamCall, call_sid: str) -> None:
    """Hand each message to the loop until the call or the socket ends. Only the socket
    going away ends the call here; a message the loop cannot use is its business."""
    heard = time.monotonic()
    while not call.closed.is_set():
        try:
            data = ws.receive(timeout=RECEIVE_POLL_S)
        except Exception as exc:  # ConnectionClosed, a broken socket: this call only
            log.info("stream for call %s ended: %s", call_sid, exc)
            call.transport_closed()
            return
        now = time.monotonic()
        if data is None:
            if not ws.connected or now - heard > SILENT_STREAM_S:
                log.info("stream for call %s: the socket is %s", call_sid, "silent" if ws.connected else "closed")
                call.transport_closed()
            continue
        heard = now
        if _flooded(getattr(ws, "input_buffer", ())):
            log.warning("stream for call %s: more messages than a call sends; ending it", call_sid)
            call.transport_closed()
            _close(ws, POLICY_VIOLATION, "flood")
            return
        call.handle(data)


def _flooded(backlog: Any) -> bool:
    """Whether the messages the websocket has read and we have not handled are too many."""
    if len(backlog) <= 8:  # the usual case, checked for free
        return False
    return len(backlog) > MAX_BACKLOG or sum(len(m) for m in list(backlog)) > MAX_BACKLOG_BYTES


def _await_start(ws: Any, wire: WireFormat) -> tuple[str, StreamStarted] | None:
    """``connected`` then ``start`` within :data:`START_WAIT_S`; anything else is refused."""
    deadline = time.monotonic() + START_WAIT_S
    for _ in range(2):
        remaining = deadline - time.monotonic()
        try:
            data = ws.receive(timeout=remaining) if remaining > 0 else None
        except Exception:  # the peer went away
            return None
        if data is None:
            log.warning("stream refused: no start within %.1f s of the socket's opening", START_WAIT_S)
            break
        try:
            msg = wire.parse(data)
        except Exception as exc:  # the wire format promises not to raise; a refusal all the same
            msg = ProtocolError(type(exc).__name__)
        if isinstance(msg, StreamStarted):
            return data, msg
        if msg is not None:
            log.warning("stream refused: %s before start", getattr(msg, "reason", type(msg).__name__)[:200])
            break
    _close(ws, POLICY_VIOLATION, "expected start")
    return None


def _close(ws: Any, reason: int | None = None, message: str | None = None) -> None:
    with contextlib.suppress(Exception):  # already closed by the peer
        ws.close(reason=reason, message=message)
