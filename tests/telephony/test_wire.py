"""Twilio's Media Streams messages in the provider-neutral events of voice.events, and the
messages the loop sends, as Twilio reads them."""

from __future__ import annotations

from civicline.twilio import media_messages as tm
from voice.events import (
    AudioReceived,
    KeyPressed,
    MarkPlayed,
    ProtocolError,
    StreamStarted,
    StreamStopped,
)
from voice.telephony.wire import WireFormat


def test_twilio_messages_become_stream_events():
    wire: WireFormat = tm.TwilioWire()
    side = tm.TwilioSide("MZ1", "CA1")
    assert wire.parse(side.connected()) is None
    assert wire.parse(side.start({"pass": "p"})) == StreamStarted("MZ1", "CA1", {"pass": "p"})
    assert wire.parse(side.media(b"\xff" * 160)) == AudioReceived("MZ1", b"\xff" * 160)
    assert wire.parse(side.dtmf("#")) == KeyPressed("MZ1", "#")
    assert wire.parse(side.mark("prompt-1")) == MarkPlayed("MZ1", "prompt-1")
    assert wire.parse(side.stop()) == StreamStopped("MZ1")
    assert wire.parse(side.stop().encode()) == StreamStopped("MZ1")


def test_bad_messages_are_values_not_exceptions():
    wire = tm.TwilioWire()
    for raw in ("not json", "[1]", '{"event": "media"}', '{"event": "teleport"}', b"\xff\xfe"):
        assert isinstance(wire.parse(raw), ProtocolError), raw
    assert wire.parse('{"event": "dtmf", "streamSid": "MZ1", "dtmf": {"digit": "x"}}') == ProtocolError(
        "dtmf with a bad digit 'x'", "dtmf"
    )


def test_outbound_messages_as_twilio_reads_them():
    wire = tm.TwilioWire()
    assert wire.frame_bytes == 160 and wire.rate == 8000
    assert tm.parse_outbound(wire.media("MZ1", b"\x01\x02")) == tm.Media("MZ1", b"\x01\x02", "outbound")
    assert tm.parse_outbound(wire.mark("MZ1", "prompt-2")) == tm.Mark("MZ1", "prompt-2")
    assert tm.parse_outbound(wire.clear("MZ1")) == tm.Clear("MZ1")


def test_no_message_raises_whatever_it_holds():
    wire = tm.TwilioWire()
    nested = "[" * 30_000 + "]" * 30_000
    for raw in (
        nested,  # RecursionError inside json
        '{"event": "start", "start": {"streamSid": "MZ1", "callSid": "CA1", "customParameters": {"pass": ' + nested + "}}}",
        '{"event": "media", "streamSid": "MZ1", "media": {"payload": "", "chunk": 1e999}}',  # OverflowError
        '{"event": "start", "start": {"streamSid": "MZ1", "callSid": "CA1", "mediaFormat": {"sampleRate": 1e999}}}',
        '{"event": "media", "streamSid": "MZ1", "media": {"payload": "AAAA", "timestamp": "' + "9" * 5000 + '"}}',
        '{"event": "media", "streamSid": "MZ1", "media": {"payload": "\u00e9\u00e9"}}',
        b"\xc3\x28",
        "x" * (tm.MAX_MESSAGE_BYTES + 1),
    ):
        assert isinstance(wire.parse(raw), ProtocolError), raw[:60]
