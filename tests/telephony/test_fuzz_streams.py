"""Fuzzing the Media Streams messages: Twilio's wire format, and the real-time loop that
reads it. Whatever a frame holds, parsing returns a value (never raises), and the call goes
on: only a stop for its own stream ends it."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from civicline.twilio import media_messages as tm
from support.fuzzing import FUZZ
from voice.events import ProtocolError, StreamEvent
from voice.telephony.dialog import Reply
from voice.telephony.speech import SpeechDeps
from voice.telephony.stream import StreamCall
from voice.telephony.testing import ManualClock, Transport

SIDE = tm.TwilioSide("MZ1", "CA1")
VALID = [SIDE.connected(), SIDE.start({"pass": "p"}), SIDE.media(b"\xff" * 160), SIDE.dtmf("5"), SIDE.mark("prompt-1")]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)


@st.composite
def mutated(draw: st.DrawFn) -> str:
    """A genuine Twilio message with one field, at any depth, replaced by any JSON value."""
    message = json.loads(draw(st.sampled_from(VALID)))
    node = message
    while True:
        key = draw(st.sampled_from(sorted(node)))
        if isinstance(node[key], dict) and node[key] and draw(st.booleans()):
            node = node[key]
            continue
        node[key] = draw(json_values)
        break
    return json.dumps(message, allow_nan=True)


frames = st.one_of(
    mutated(),
    st.builds(lambda v: json.dumps(v, allow_nan=True), json_values),
    st.text(max_size=200),
    st.binary(max_size=200),
    st.integers(1, 40_000).map(lambda n: "[" * n + "]" * n),
    st.integers(1, 40_000).map(lambda n: '{"a":' * n + "1" + "}" * n),
)


@FUZZ
@given(frames)
def test_parsing_any_frame_returns_a_value(raw):
    result = tm.TwilioWire().parse(raw)
    assert result is None or isinstance(result, ProtocolError | StreamEvent)


class Dialog:
    def __init__(self) -> None:
        self.ended_reason: str | None = None

    def begin(self, start):
        return Reply(timeout=None)

    def heard(self, transcript):
        return Reply(timeout=None)

    def pressed(self, keys):
        return Reply(timeout=None)

    def silence(self):
        return Reply(timeout=None)

    def ended(self, reason):
        self.ended_reason = reason

    def preview(self, transcript):
        return None


class Silent:
    in_speech = False

    def feed(self, samples):
        return []


@FUZZ
@given(st.lists(frames, max_size=20))
def test_no_frame_ends_a_call_or_escapes_the_loop(raws):
    sent: Transport = Transport(tm.parse_outbound)
    deps = SpeechDeps(detector=Silent, transcribe=lambda *a: None, speak=lambda *a: iter(()))
    call = StreamCall(Dialog(), deps, sent.send, wire=tm.TwilioWire(), clock=ManualClock())
    call.handle(SIDE.connected())
    call.handle(SIDE.start({}))
    try:
        for raw in raws:
            call.handle(raw)  # raises nothing, whatever it is
            stopped = isinstance(tm.parse(raw), tm.Stop) and tm.parse(raw).stream_sid == "MZ1"
            assert stopped or not call.closed.is_set(), raw[:200]
            if stopped:
                break
    finally:
        call.transport_closed()
        assert call.finished.wait(10)
