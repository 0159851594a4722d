"""A copy of the answer by SMS on a real call (TwiML-only mode, through the fake Twilio): the
caller hears the offer after the answer, presses 7, consents with 1, and Twilio's REST API
receives the text message for the caller's number, while the call goes on."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from support.fake_twilio import Caller, heard_text
from voice.audio.wav import wav_bytes

pytestmark = pytest.mark.slow


def test_a_caller_asks_for_the_answer_by_sms_with_the_keypad(make_line, sentences, voice_for):
    line = make_line("twiml", sms_copies=True, sms_from="+33199000000")
    # The engine reads [sms] copies from its runtime's configuration (built from the same file
    # in production); the test runtime has none of its own.
    line.app.extensions["civicline"].runtime.config = SimpleNamespace(sms_copies=True, spoken_provenance=False)
    sid, params, r = line.twilio.incoming(caller="+33611223344")
    heard, agent = [], []
    address = wav_bytes(voice_for("12 rue Victor Hugo", "en"), 8000)
    caller = Caller(turns=[("key", "2"), ("key", "1"), ("say", address), ("key", "1"), ("key", "7"), ("key", "1"),
                           ("hangup", None)])
    assert line.twilio.follow(r, params, caller, heard, agent) == "caller hung up"
    said = heard_text(sentences, heard)
    heard_all = " ".join(said)  # the voice says long sentences in parts
    assert "To get this answer by text message, press 7" in heard_all
    assert "ending in 4 4" in heard_all
    after = heard_all.split("The text message is on its way.")[1]
    assert after.strip().startswith("Can I help you with anything else?")  # the call goes on where it was
    [sent] = line.recordings.wait_messages(1)
    assert (sent.to, sent.sender) == ("+33611223344", "+33199000000")
    assert sent.body.splitlines()[0] == "At 12 Rue Victor Hugo, the bin goes out on Tuesday."
    assert "Source: the town's waste collection information (calendrier.pdf), checked on 2 October 2026." in sent.body
    assert [t["intent"] for t in line.store.turns()][-2:] == ["text_copy", "text_copy.sent"]
