"""Twilio Media Streams wire format, both directions, and nothing else (after pipecat's
serializers). Parsing never raises: a bad message of any kind (not JSON, nested thousands
deep, a number too large for an integer, not UTF-8…) comes back as a :class:`ProtocolError`
value, so one malformed frame is logged and skipped rather than ending the call.

Messages Twilio sends: ``connected``, ``start``, ``media``, ``dtmf``, ``mark``, ``stop``.
Messages we send on a bidirectional stream: ``media`` (base64 8 kHz μ-law), ``mark``, ``clear``.
:class:`TwilioWire` is this format as the real-time loop's
:class:`~voice.telephony.wire.WireFormat`, in the provider-neutral events of
:mod:`voice.events`. The builders for Twilio's side exist for the fake Twilio in the tests
and the benchmark.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from typing import Any

from voice.events import (
    AudioReceived,
    KeyPressed,
    MarkPlayed,
    ProtocolError,
    StreamEvent,
    StreamStarted,
    StreamStopped,
)

MULAW = "audio/x-mulaw"
RATE = 8000
FRAME_BYTES = 160  # 20 ms of 8 kHz μ-law, the unit Twilio sends and expects
MAX_MESSAGE_BYTES = 64 * 1024
"""Far above any message Twilio sends (a 20 ms media message is ~300 bytes, ``start`` under
2 KB). The websocket closes on a bigger frame while reading it (``SOCK_SERVER_OPTIONS``), so
it is never buffered whole; a smaller one that is not a message is only skipped."""
DTMF_DIGITS = frozenset("0123456789*#ABCD")


@dataclass(frozen=True)
class Connected:
    protocol: str
    version: str


@dataclass(frozen=True)
class Start:
    stream_sid: str
    call_sid: str
    account_sid: str
    tracks: tuple[str, ...]
    encoding: str
    sample_rate: int
    channels: int
    custom_parameters: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Media:
    stream_sid: str
    payload: bytes
    """Decoded μ-law bytes."""
    track: str = "inbound"
    chunk: int = 0
    timestamp: int = 0
    """Milliseconds since the stream started (Twilio's clock)."""


@dataclass(frozen=True)
class Dtmf:
    stream_sid: str
    digit: str


@dataclass(frozen=True)
class Mark:
    """Twilio echoes a mark we sent once the audio before it has been played to the caller."""

    stream_sid: str
    name: str


@dataclass(frozen=True)
class Stop:
    stream_sid: str
    call_sid: str


@dataclass(frozen=True)
class Clear:
    """We ask Twilio to drop the audio it has buffered (barge-in)."""

    stream_sid: str


Inbound = Connected | Start | Media | Dtmf | Mark | Stop
Outbound = Media | Mark | Clear


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def parse(raw: str | bytes) -> Inbound | ProtocolError:
    """One websocket text message from Twilio -> a message, or a ProtocolError. Never raises."""
    try:
        return _parse(raw)
    except Exception as exc:  # RecursionError, OverflowError (1e999 as an int), MemoryError…
        return ProtocolError(f"unusable message: {type(exc).__name__}")


def _parse(raw: str | bytes) -> Inbound | ProtocolError:
    if not isinstance(raw, str | bytes | bytearray):
        return ProtocolError(f"a {type(raw).__name__} is not a message")
    if len(raw) > MAX_MESSAGE_BYTES:  # characters of a str: at most as many as its bytes
        return ProtocolError(f"message of {len(raw)} bytes is larger than any Twilio sends")
    if isinstance(raw, bytes | bytearray):
        try:
            raw = bytes(raw).decode("utf-8")
        except UnicodeDecodeError:
            return ProtocolError("binary message that is not UTF-8 text")
    try:
        data = json.loads(raw)
    except RecursionError:
        return ProtocolError("JSON nested deeper than any Twilio message")
    except ValueError:
        return ProtocolError("not JSON")
    if not isinstance(data, dict):
        return ProtocolError("JSON that is not an object")
    event = data.get("event")
    parser = _PARSERS.get(event) if isinstance(event, str) else None
    if parser is None:
        return ProtocolError(f"unknown event {event!r}", event if isinstance(event, str) else None)
    try:
        return parser(data)
    except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as exc:
        return ProtocolError(f"malformed {event} message: {type(exc).__name__} {exc}"[:200], event)


def _connected(d: dict) -> Connected | ProtocolError:
    return Connected(str(d.get("protocol", "")), str(d.get("version", "")))


def _start(d: dict) -> Start | ProtocolError:
    s = d["start"]
    sid = _str(d.get("streamSid")) or _str(s.get("streamSid"))
    call = _str(s.get("callSid"))
    if not sid or not call:
        return ProtocolError("start without streamSid or callSid", "start")
    fmt = s.get("mediaFormat") or {}
    params = s.get("customParameters") or {}
    if not isinstance(params, dict):
        return ProtocolError("customParameters is not an object", "start")
    return Start(
        stream_sid=sid,
        call_sid=call,
        account_sid=str(s.get("accountSid", "")),
        tracks=tuple(str(t) for t in s.get("tracks") or ("inbound",)),
        encoding=str(fmt.get("encoding", MULAW)),
        sample_rate=int(fmt.get("sampleRate", RATE)),
        channels=int(fmt.get("channels", 1)),
        custom_parameters={k: v for k, v in params.items() if isinstance(k, str) and isinstance(v, str)},
    )


def _media(d: dict) -> Media | ProtocolError:
    sid = _str(d.get("streamSid"))
    m = d["media"]
    payload = m["payload"]
    if not sid or not isinstance(payload, str):
        return ProtocolError("media without streamSid or payload", "media")
    try:
        audio = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        return ProtocolError("media payload is not base64", "media")
    return Media(sid, audio, str(m.get("track", "inbound")), int(m.get("chunk", 0)), int(m.get("timestamp", 0)))


def _dtmf(d: dict) -> Dtmf | ProtocolError:
    sid = _str(d.get("streamSid"))
    digit = d["dtmf"]["digit"]
    if not sid or not isinstance(digit, str) or digit not in DTMF_DIGITS:
        return ProtocolError(f"dtmf with a bad digit {digit!r}", "dtmf")
    return Dtmf(sid, digit)


def _mark(d: dict) -> Mark | ProtocolError:
    sid = _str(d.get("streamSid"))
    name = d["mark"]["name"]
    if not sid or not isinstance(name, str):
        return ProtocolError("mark without streamSid or name", "mark")
    return Mark(sid, name)


def _stop(d: dict) -> Stop | ProtocolError:
    sid = _str(d.get("streamSid"))
    if not sid:
        return ProtocolError("stop without streamSid", "stop")
    return Stop(sid, str((d.get("stop") or {}).get("callSid", "")))


_PARSERS = {"connected": _connected, "start": _start, "media": _media, "dtmf": _dtmf, "mark": _mark, "stop": _stop}

# ---- what we send ----------------------------------------------------------------------


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def media_message(stream_sid: str, ulaw: bytes) -> str:
    return json.dumps({"event": "media", "streamSid": stream_sid, "media": {"payload": b64(ulaw)}})


def mark_message(stream_sid: str, name: str) -> str:
    return json.dumps({"event": "mark", "streamSid": stream_sid, "mark": {"name": name}})


def clear_message(stream_sid: str) -> str:
    return json.dumps({"event": "clear", "streamSid": stream_sid})


def parse_outbound(raw: str) -> Outbound | ProtocolError:
    """What Twilio does with our messages (used by the fake Twilio)."""
    try:
        d = json.loads(raw)
        event, sid = d["event"], d["streamSid"]
        if event == "media":
            return Media(sid, base64.b64decode(d["media"]["payload"], validate=True), "outbound")
        if event == "mark":
            return Mark(sid, str(d["mark"]["name"]))
        if event == "clear":
            return Clear(sid)
    except (ValueError, KeyError, TypeError, binascii.Error) as exc:
        return ProtocolError(f"malformed outbound message: {exc}")
    return ProtocolError(f"unknown outbound event {d.get('event')!r}")


class TwilioWire:
    """Twilio Media Streams as the real-time loop's wire format."""

    frame_bytes = FRAME_BYTES
    rate = RATE

    def parse(self, raw: str | bytes) -> StreamEvent | ProtocolError | None:
        msg = parse(raw)
        match msg:
            case Start():
                return StreamStarted(msg.stream_sid, msg.call_sid, msg.custom_parameters)
            case Media():
                return AudioReceived(msg.stream_sid, msg.payload)
            case Dtmf():
                return KeyPressed(msg.stream_sid, msg.digit)
            case Mark():
                return MarkPlayed(msg.stream_sid, msg.name)
            case Stop():
                return StreamStopped(msg.stream_sid)
            case Connected():
                return None  # Twilio's hello before ``start``
        return msg

    def media(self, stream_id: str, ulaw: bytes) -> str:
        return media_message(stream_id, ulaw)

    def mark(self, stream_id: str, name: str) -> str:
        return mark_message(stream_id, name)

    def clear(self, stream_id: str) -> str:
        return clear_message(stream_id)


# ---- what Twilio sends (for the fake Twilio) ----------------------------------------------


class TwilioSide:
    """Builds the messages Twilio sends on one stream, with its sequence numbers."""

    def __init__(self, stream_sid: str, call_sid: str, account_sid: str = "AC" + "0" * 32) -> None:
        self.stream_sid, self.call_sid, self.account_sid = stream_sid, call_sid, account_sid
        self.seq = 0
        self.chunk = 0

    def _next(self, body: dict) -> str:
        self.seq += 1
        return json.dumps({**body, "sequenceNumber": str(self.seq)})

    def connected(self) -> str:
        return json.dumps({"event": "connected", "protocol": "Call", "version": "1.0.0"})

    def start(self, params: dict[str, str]) -> str:
        return self._next({
            "event": "start",
            "streamSid": self.stream_sid,
            "start": {
                "streamSid": self.stream_sid,
                "accountSid": self.account_sid,
                "callSid": self.call_sid,
                "tracks": ["inbound"],
                "mediaFormat": {"encoding": MULAW, "sampleRate": RATE, "channels": 1},
                "customParameters": params,
            },
        })

    def media(self, ulaw: bytes) -> str:
        self.chunk += 1
        return self._next({
            "event": "media",
            "streamSid": self.stream_sid,
            "media": {"track": "inbound", "chunk": str(self.chunk), "timestamp": str(self.chunk * 20), "payload": b64(ulaw)},
        })

    def dtmf(self, digit: str) -> str:
        return self._next({"event": "dtmf", "streamSid": self.stream_sid, "dtmf": {"track": "inbound_track", "digit": digit}})

    def mark(self, name: str) -> str:
        return self._next({"event": "mark", "streamSid": self.stream_sid, "mark": {"name": name}})

    def stop(self) -> str:
        return self._next({
            "event": "stop",
            "streamSid": self.stream_sid,
            "stop": {"accountSid": self.account_sid, "callSid": self.call_sid},
        })
