"""Recognition started on a pause (a provisional utterance from the VAD) is used when the
pause turns out to be the end of speech, and thrown away when the caller went on or the
question changed. The stream loop is driven with Twilio's messages and a scripted detector;
recognition waits for the test to let it finish, so it is still under way when the end of
speech comes."""

from __future__ import annotations

import threading

import numpy as np

from civicline.twilio import media_messages as tm
from voice.audio.vad import Utterance
from voice.events import Transcript
from voice.telephony.dialog import Reply, Spoken
from voice.telephony.speech import SpeechDeps
from voice.telephony.stream import StreamCall
from voice.telephony.testing import Transport


def _utt(voiced_s: float, final: bool, start_s: float = 1.0) -> Utterance:
    samples = np.full(int(16000 * (voiced_s + (0.6 if final else 0.25))), 100, np.int16)
    return Utterance(samples, 16000, start_s, False, final, voiced_s)


class ScriptedDetector:
    """Hands out the next scripted utterances on each audio frame."""

    def __init__(self, script: list[list[Utterance]]) -> None:
        self.script, self.in_speech = list(script), False

    def feed(self, samples):
        return self.script.pop(0) if self.script else []


class Dialog:
    def __init__(self) -> None:
        self.transcripts: list[Transcript] = []
        self.done = threading.Event()

    def begin(self, start):
        return Reply(listen_language="fr", timeout=None)

    def heard(self, transcript):
        self.transcripts.append(transcript)
        self.done.set()
        return Reply(timeout=None)

    def pressed(self, keys):
        return Reply(listen_language="es", timeout=None)

    def silence(self):
        return Reply(timeout=None)

    def ended(self, reason):
        pass

    def preview(self, transcript):
        return None  # no reply made ahead


class Recognition:
    """Scripted recognition that finishes only once the test says so (``done.set()``)."""

    def __init__(self) -> None:
        self.calls: list[tuple[float, str]] = []
        self.done = threading.Event()

    def __call__(self, samples, rate, language, phrases):
        voiced = round(len(samples) / rate, 2)
        self.calls.append((voiced, language))
        assert self.done.wait(5), "the test never let recognition finish"
        return Transcript(f"{voiced} {language}", language, 0.9)


def _call(script):
    recognition = Recognition()
    dialog = Dialog()
    detector = ScriptedDetector(script)
    sent: Transport = Transport(tm.parse_outbound)
    deps = SpeechDeps(detector=lambda: detector, transcribe=recognition, speak=lambda *a: iter(()))
    call = StreamCall(dialog, deps, send=sent.send, wire=tm.TwilioWire())
    side = tm.TwilioSide("MZ1", "CA1")
    call.handle(side.connected())
    call.handle(side.start({}))
    assert sent.wait_for(tm.Mark, 1), "the first reply was never played"  # it is in place
    return call, side, dialog, recognition, sent


def _frames(call, side, n):
    for _ in range(n):
        call.handle(side.media(b"\xff" * 160))


def test_a_pause_that_ends_the_utterance_is_recognised_once_ahead():
    call, side, dialog, recognition, _ = _call([[_utt(1.5, final=False)], [], [_utt(1.5, final=True)]])
    _frames(call, side, 3)
    recognition.done.set()
    assert dialog.done.wait(5)
    assert recognition.calls == [(1.75, "fr")], "recognised once, on the speech handed out at the pause"
    assert dialog.transcripts[0].text == "1.75 fr"
    call.handle(side.stop())


def test_caller_going_on_after_a_pause_uses_the_last_pause():
    script = [[_utt(0.8, final=False)], [_utt(1.9, final=False)], [_utt(1.9, final=True)]]
    call, side, dialog, recognition, _ = _call(script)
    _frames(call, side, 3)
    recognition.done.set()
    assert dialog.done.wait(5)
    assert dialog.transcripts[0].text == "2.15 fr", "the answer comes from the speech up to the last pause"
    calls = recognition.calls
    assert calls.count((2.15, "fr")) == 1 and len(calls) <= 2
    call.handle(side.stop())


def test_speech_after_the_last_pause_is_recognised_again():
    # The final utterance has more speech than the guess (e.g. cut at the longest utterance).
    call, side, dialog, recognition, _ = _call([[_utt(1.0, final=False)], [_utt(2.0, final=True)]])
    _frames(call, side, 2)
    recognition.done.set()
    assert dialog.done.wait(5)
    assert dialog.transcripts[0].text == "2.6 fr"
    assert recognition.calls[-1] == (2.6, "fr")
    call.handle(side.stop())


def test_a_new_question_since_the_pause_is_recognised_again_in_its_language():
    call, side, dialog, recognition, sent = _call([[_utt(1.5, final=False)], [], [_utt(1.5, final=True)]])
    _frames(call, side, 1)
    call.handle(side.dtmf("3"))  # the dialog answers with a question listened to in Spanish
    assert sent.wait_for(tm.Mark, 2), "the new question was never played"
    _frames(call, side, 2)
    recognition.done.set()
    assert dialog.done.wait(5)
    assert dialog.transcripts[0].text == "2.1 es"
    assert recognition.calls[-1] == (2.1, "es")
    call.handle(side.stop())


class PreviewingDialog(Dialog):
    def __init__(self) -> None:
        super().__init__()
        self.previewed: list[str] = []

    def preview(self, transcript):
        self.previewed.append(transcript.text)
        return Reply(speech=(Spoken(f"answer to {transcript.text}", "fr"),), timeout=None)

    def heard(self, transcript):
        super().heard(transcript)
        return Reply(speech=(Spoken(f"answer to {transcript.text}", "fr"),), timeout=None)


def test_the_reply_to_a_guess_is_voiced_before_the_end_of_speech():
    spoken: list[str] = []
    voiced = threading.Event()

    def speak(text, language, slow):
        spoken.append(text)
        voiced.set()
        yield b"\xff" * 160

    dialog = PreviewingDialog()
    script = [[_utt(1.5, final=False)], [], [_utt(1.5, final=True)]]
    deps = SpeechDeps(detector=lambda: ScriptedDetector(script), transcribe=lambda *a: Transcript("oui", "fr", 0.9), speak=speak)
    sent: Transport = Transport(tm.parse_outbound)
    call = StreamCall(dialog, deps, send=sent.send, wire=tm.TwilioWire())
    side = tm.TwilioSide("MZ2", "CA2")
    call.handle(side.connected())
    call.handle(side.start({}))
    assert sent.wait_for(tm.Mark, 1)
    _frames(call, side, 1)  # the pause: a guess is made and recognised
    assert voiced.wait(5), "no reply was voiced ahead"
    assert dialog.previewed == ["oui"] and not dialog.transcripts, "previewed before the end of speech"
    assert spoken[0] == "answer to oui"
    _frames(call, side, 2)  # the end of speech: the real turn
    assert dialog.done.wait(5)
    call.handle(side.stop())
