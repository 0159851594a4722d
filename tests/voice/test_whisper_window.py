"""The trimmed encoder window: how much of Whisper's 30 s is encoded, and the fallback to
the whole window when a short one sends the decoder looping. The accuracy of the trimmed
window on real recordings is asserted in test_eval.py (the default engine uses it)."""

from types import SimpleNamespace

import numpy as np
import pytest

from voice.errors import VoiceError
from voice.stt import whisper as wh


def _features(voiced_frames: int) -> np.ndarray:
    """Mel features as faster-whisper pads them: audio frames, then zeros to 3000."""
    f = np.zeros((80, 3000), np.float32)
    f[:, :voiced_frames] = np.random.default_rng(0).uniform(-1.0, 1.0, (80, voiced_frames))
    return f


def test_short_audio_gets_the_short_window_and_long_audio_the_whole_one():
    assert wh.encoder_frames(_features(200), margin_frames=200, min_frames=1000) == 1000
    assert wh.encoder_frames(_features(800), margin_frames=200, min_frames=1000) == 1000
    assert wh.encoder_frames(_features(801), margin_frames=200, min_frames=1000) == 3000
    assert wh.encoder_frames(_features(3000), margin_frames=200, min_frames=1000) == 3000
    assert wh.encoder_frames(_features(0), margin_frames=200, min_frames=1000) == 1000
    assert wh.encoder_frames(_features(200)[None], margin_frames=200, min_frames=1000) == 1000  # batched


class _FakeModel:
    """Records the window each encode saw; decodes to a loop when the window was trimmed."""

    supported_languages = ["en"]

    def __init__(self) -> None:
        self.windows: list[int] = []

    def encode(self, features):
        self.windows.append(features.shape[-1])
        return features

    def transcribe(self, audio, **_kw):
        self.encode(_features(len(audio) // 160))
        looping = self.windows[-1] < 3000
        text = " ".join(["the bin"] * 40) if looping else "the bin is collected on Tuesday"
        return iter([SimpleNamespace(text=text, no_speech_prob=0.0, avg_logprob=-0.2)]), None


def _speech_like(seconds: float) -> np.ndarray:
    t = np.arange(int(16000 * seconds)) / 16000
    return (8000 * np.sin(2 * np.pi * 220 * t)).astype(np.int16)


def test_runaway_decoding_is_redone_on_the_whole_window():
    model = _FakeModel()
    stt = wh.WhisperTranscriber(model, vad=None, min_window_s=10.0)
    result = stt.transcribe(_speech_like(2.0), 16000, "en")
    assert result.text == "the bin is collected on Tuesday"
    assert model.windows == [1000, 3000]
    assert not wh._WINDOW.short  # left as found
    stt.transcribe(_speech_like(2.0), 16000, "en")
    assert model.windows[2] == 1000


def test_full_window_when_trimming_is_off():
    model = _FakeModel()
    result = wh.WhisperTranscriber(model, vad=None, min_window_s=0).transcribe(_speech_like(2.0), 16000, "en")
    assert model.windows == [3000] and result.text.startswith("the bin is")


def test_runaway_rule():
    assert wh.runaway(" ".join(["bin"] * 40), 2.0)
    assert not wh.runaway("I live at twelve rue Victor Hugo near the school", 2.0)


def test_decoding_is_bounded_by_the_audio_length():
    assert wh.max_new_tokens(2.0) == 40
    assert wh.max_new_tokens(30.0) == wh.max_new_tokens(600.0) == 220  # per 30 s window, in half the context


def test_every_decoding_is_given_the_bound():
    """Repeated hints sent the decoder into a loop for 22 s (448 tokens at every fallback
    temperature); each decoding now gets a bound from the audio's length."""
    seen = []

    class Recording(_FakeModel):
        def transcribe(self, audio, **kw):
            seen.append(kw.get("max_new_tokens"))
            return super().transcribe(audio, **kw)

    model = Recording()
    wh.WhisperTranscriber(model, vad=None).transcribe(_speech_like(2.0), 16000, "en", ["Rue du Port"] * 20)
    assert seen and all(n == wh.max_new_tokens(2.0) == 40 for n in seen)


def test_a_loop_cut_short_by_the_token_bound_is_redone_on_the_whole_window():
    """'les encombrants' decoded as 's il s il s il …' until the token bound: few enough words
    to pass for speech, so the bound itself marks it."""

    class CutShort(_FakeModel):
        def transcribe(self, audio, max_new_tokens=None, **_kw):
            self.encode(_features(len(audio) // 160))
            if self.windows[-1] < 3000:
                seg = SimpleNamespace(text="s il s il s il", tokens=[1] * max_new_tokens, no_speech_prob=0.0, avg_logprob=-0.9)
            else:
                seg = SimpleNamespace(text="les encombrants", tokens=[1] * 5, no_speech_prob=0.0, avg_logprob=-0.2)
            return iter([seg]), None

    model = CutShort()
    model.supported_languages = ["fr"]
    result = wh.WhisperTranscriber(model, vad=None).transcribe(_speech_like(1.5), 16000, "fr")
    assert result.text == "les encombrants" and model.windows == [1000, 3000]


def test_an_unsure_short_window_decoding_is_redone_on_the_whole_window():
    class Unsure(_FakeModel):
        def transcribe(self, audio, **_kw):
            self.encode(_features(len(audio) // 160))
            full = self.windows[-1] == 3000
            seg = SimpleNamespace(text="quel jour passe la poubelle" if full else "quel jour passe la pour belle",
                                  no_speech_prob=0.0, avg_logprob=-0.2 if full else -0.7)
            return iter([seg]), None

    model = Unsure()
    model.supported_languages = ["fr"]
    result = wh.WhisperTranscriber(model, vad=None).transcribe(_speech_like(2.0), 16000, "fr")
    assert result.text == "quel jour passe la poubelle" and model.windows == [1000, 3000]


class _Loops(_FakeModel):
    """Loops on either window, as Whisper base does on some noisy recordings ("pour faire une
    version de la version de la version…"); only a decoding that may not repeat a 3-gram
    gets out of it."""

    supported_languages = ["fr"]

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[dict] = []

    def transcribe(self, audio, **kw):
        self.encode(_features(len(audio) // 160))
        self.calls.append(kw)
        if kw.get("no_repeat_ngram_size") == 3:
            return iter([SimpleNamespace(text="ouverture de session", no_speech_prob=0.0, avg_logprob=-0.4)]), None
        text = "pour faire une " + " ".join(["version de la"] * 12)
        return iter([SimpleNamespace(text=text, no_speech_prob=0.0, avg_logprob=-0.3)]), None


def test_a_decoding_that_loops_on_both_windows_is_redone_with_a_beam_and_no_repeats():
    model = _Loops()
    stt = wh.WhisperTranscriber(model, vad=None, decoding=wh.Decoding(language_beams=(), loop_beam_size=5))
    assert stt.transcribe(_speech_like(2.0), 16000, "fr").text == "ouverture de session"
    assert [c["beam_size"] for c in model.calls] == [1, 1, 5]
    assert [c["no_repeat_ngram_size"] for c in model.calls] == [0, 0, 3]
    assert model.windows == [1000, 3000, 3000]


def test_without_the_loop_redo_the_loop_is_what_is_heard():
    model = _Loops()
    text = wh.WhisperTranscriber(model, vad=None, decoding=wh.Decoding(loop_beam_size=0)).transcribe(
        _speech_like(2.0), 16000, "fr").text
    assert text.startswith("pour faire une version") and len(model.calls) == 2


def test_a_clean_decoding_is_not_redone():
    model = _FakeModel()
    wh.WhisperTranscriber(model, vad=None, min_window_s=0, decoding=wh.Decoding(loop_beam_size=5)).transcribe(
        _speech_like(2.0), 16000, "en")
    assert model.windows == [3000]


def test_a_loop_in_few_words_is_a_loop():
    """Street noise sent "Presione 4 para desactivar…" to "13.04.18.18.18.181818…": one
    word, few tokens, but the same characters over and over."""
    loop = "13.04.18.18.18.18.181818181818181818181818181818181818181818"
    assert wh.repetitive(loop) and wh.Decoding().looping(loop, 4.0, cut_short=False)
    assert not wh.Decoding(compression_ratio_threshold=None).looping(loop, 4.0, cut_short=False)  # as before
    for said in ("Presione 4 para desactivar el estatus de urgencia del mensaje.", "oui oui oui oui",
                 "Para salir del menú. Para salir del menú.", "1 2 3 4 5 6 7 8 9 10 11 12"):
        assert not wh.Decoding().looping(said, 3.0, cut_short=False), said
    assert wh.Decoding().looping("s il s il", 1.0, cut_short=True)


def test_french_and_spanish_get_five_beams_and_english_stays_greedy():
    model = _FakeModel()
    model.supported_languages = ["en", "fr", "es"]
    stt = wh.WhisperTranscriber(model, vad=None, min_window_s=0)
    beams = []
    plain = model.transcribe
    model.transcribe = lambda audio, **kw: (beams.append(kw["beam_size"]), plain(audio, **kw))[1]
    for lang in ("en", "fr", "es"):
        stt.transcribe(_speech_like(1.0), 16000, lang)
    assert beams == [1, 5, 5]


def test_decoding_options_from_the_registry_are_checked():
    d = wh.decoding_from_options({"beam_size": 3, "loop_beam_size": 0})
    assert d.beam_for("fr") == d.beam_for("en") == 3 and d.loop_beam_size == 0
    assert wh.decoding_from_options({}) == wh.Decoding()
    for bad in ({"beam_size": 0}, {"beam_size": "5"}, {"beam_size": True}, {"loop_beam_size": 11},
                {"no_speech_threshold": [1]}):
        with pytest.raises(VoiceError, match="whisper option"):
            wh.decoding_from_options(bad)
