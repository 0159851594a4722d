"""The Media Streams websocket (``/twilio/stream``): refuses a stream without a live pass,
then runs the real-time loop (voice.telephony.stream) in Twilio's wire format with the
call's dialog (civicline.phone.dialog)."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, current_app
from flask_sock import Sock

from civicline.phone.dialog import CallDialog
from civicline.twilio.media_messages import TwilioWire
from voice.events import StreamStarted
from voice.telephony.stream import StreamCall
from voice.telephony.wire import WireFormat

log = logging.getLogger(__name__)
START_WAIT_S = 10.0  # Twilio sends connected and start at once; anything slower is not Twilio
RECEIVE_POLL_S = 0.25


def init_app(app: Flask) -> None:
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
    line = tel.lines.get(msg.call_id)
    if not valid or line is None:
        log.warning("stream for call %s refused: no valid pass", msg.call_id)
        ws.close(reason=1008, message="no valid pass")
        return
    call = StreamCall(CallDialog(tel, line), tel.speech.deps(), ws.send, wire=wire)
    tel.streams[msg.call_id] = call
    try:
        call.handle(raw)
        while not call.closed.is_set():
            data = ws.receive(timeout=RECEIVE_POLL_S)
            if data is None:
                if not ws.connected:
                    call.transport_closed()
                continue
            call.handle(data)
    except Exception as exc:  # the socket broke: end this call only
        log.info("stream for call %s ended: %s", msg.call_id, exc)
        call.transport_closed()
    finally:
        tel.streams.pop(msg.call_id, None)
    ws.close()


def _await_start(ws: Any, wire: WireFormat) -> tuple[str, StreamStarted] | None:
    for _ in range(4):  # connected, then start; a stray message or two is tolerated
        data = ws.receive(timeout=START_WAIT_S)
        if data is None:
            break
        msg = wire.parse(data)
        if isinstance(msg, StreamStarted):
            return data, msg
        if msg is not None:
            log.warning("stream: %s before start", getattr(msg, "reason", type(msg).__name__))
    ws.close(reason=1008, message="expected start")
    return None
