"""The loop's own timing on a clock the test moves by hand: the pace of the audio it sends,
the pause that ends a number typed on the keypad, the silence time-out after a prompt, and
the end of a goodbye whose mark never comes back. Nothing here sleeps; waits are on what the
loop sent or what the dialog heard."""

from __future__ import annotations

import threading

from civicline.twilio import media_messages as tm
from voice.events import Transcript
from voice.telephony.dialog import Reply, Spoken
from voice.telephony.player import LEAD_S, MARK_GRACE_S
from voice.telephony.speech import SpeechDeps
from voice.telephony.stream import DIGIT_PAUSE_S, StreamCall
from voice.telephony.testing import ManualClock, Transport

FRAME = b"\xff" * tm.FRAME_BYTES


class Silent:
    """No speech on the line."""

    in_speech = False

    def feed(self, samples):
        return []


class Dialog:
    """Answers with the replies it is given, and keeps what it was told."""

    def __init__(self, first: Reply, then: Reply | None = None) -> None:
        self.first, self.then = first, then or Reply(timeout=None)
        self.pressed_keys: list[str] = []
        self.silences = 0
        self.ended_reason: str | None = None
        self.told = threading.Event()

    def begin(self, start):
        return self.first

    def heard(self, transcript):
        return self.then

    def pressed(self, keys):
        self.pressed_keys.append(keys)
        self.told.set()
        return self.then

    def silence(self):
        self.silences += 1
        self.told.set()
        return self.then

    def ended(self, reason):
        self.ended_reason = reason

    def preview(self, transcript):
        return None


def _call(dialog: Dialog, frames: int = 1):
    """A started stream on a manual clock; each reply is ``frames`` frames of audio."""
    clock = ManualClock()
    sent: Transport = Transport(tm.parse_outbound)
    deps = SpeechDeps(detector=Silent, transcribe=lambda *a: Transcript("", "fr"), speak=lambda *a: iter([FRAME * frames]))
    call = StreamCall(dialog, deps, sent.send, wire=tm.TwilioWire(), clock=clock)
    side = tm.TwilioSide("MZ1", "CA1")
    call.handle(side.connected())
    call.handle(side.start({}))
    return call, side, clock, sent


def test_audio_goes_out_at_the_pace_of_the_clock():
    call, side, clock, sent = _call(Dialog(Reply(speech=(Spoken("bonjour", "fr"),), timeout=None)), frames=10)
    ahead = round(LEAD_S / 0.02) + 1  # sent at once: the lead, and the frame due now
    assert sent.wait_for(tm.Media, ahead)
    assert sent.count(tm.Media) == ahead, "the next frame waits for its time"
    clock.advance(0.021)
    assert sent.wait_for(tm.Media, ahead + 1)
    assert sent.count(tm.Media) == ahead + 1
    clock.advance(0.2)
    assert sent.wait_for(tm.Mark, 1)
    assert sent.count(tm.Media) == 10
    call.handle(side.stop())
    assert call.finished.wait(5)


def test_a_pause_ends_a_typed_number():
    dialog = Dialog(Reply(timeout=None, max_digits=10))
    call, side, clock, sent = _call(dialog)
    assert sent.wait_for(tm.Mark, 1)
    call.handle(side.dtmf("4"))
    call.handle(side.dtmf("2"))
    clock.advance(DIGIT_PAUSE_S - 0.5)
    call.handle(side.dtmf("7"))  # a pause shorter than the limit: the number goes on
    clock.advance(DIGIT_PAUSE_S - 0.5)
    call.handle(side.dtmf("1"))
    assert not dialog.told.is_set()
    clock.advance(DIGIT_PAUSE_S + 0.1)
    assert dialog.told.wait(5)
    assert dialog.pressed_keys == ["4271"]
    call.handle(side.stop())


def test_silence_after_the_prompt_was_heard():
    dialog = Dialog(Reply(speech=(Spoken("votre adresse ?", "fr"),), timeout=5.0))
    call, side, clock, sent = _call(dialog)
    assert sent.wait_for(tm.Mark, 1)
    clock.advance(10.0)  # the caller has not heard the prompt yet: no time-out runs
    [mark] = [m for m in sent.messages if isinstance(m, tm.Mark)]
    call.handle(side.mark(mark.name))  # now they have
    clock.advance(4.0)
    call.handle(side.media(FRAME))
    assert not dialog.told.is_set()
    clock.advance(1.1)
    assert dialog.told.wait(5)
    assert dialog.silences == 1
    call.handle(side.stop())


def test_a_goodbye_whose_mark_never_comes_back_still_ends_the_stream():
    dialog = Dialog(Reply(speech=(Spoken("au revoir", "fr"),), timeout=None, end=True))
    call, side, clock, sent = _call(dialog)
    assert sent.wait_for(tm.Mark, 1)
    assert not call.closed.is_set()
    clock.advance(MARK_GRACE_S + 0.1)
    assert call.closed.wait(5) and call.finished.wait(5)
    assert dialog.ended_reason is None, "the dialog ended the call itself: nothing to tell it"
