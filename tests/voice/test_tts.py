import numpy as np
import pytest

from voice.audio.codec import ulaw_to_pcm16
from voice.errors import ModelMissingError

pytestmark = pytest.mark.slow

SENTENCES = {
    "en": "Your recycling is collected every Tuesday morning.",
    "fr": "Votre recyclage est collecté tous les mardis matin.",
    "es": "Su reciclaje se recoge todos los martes por la mañana.",
}


def _voiced(samples: np.ndarray) -> float:
    """Fraction of 20 ms frames above -40 dBFS: real speech, not silence or a click."""
    f = samples[: len(samples) // 160 * 160].reshape(-1, 160).astype(float) / 32768
    return float(np.mean(20 * np.log10(np.sqrt((f**2).mean(axis=1)) + 1e-9) > -40))


@pytest.mark.parametrize(("fixture", "lang", "rate"), [("piper", "en", 22050), ("kokoro", "fr", 24000), ("kokoro", "es", 24000), ("espeak", "fr", 22050)])
def test_voice_speaks(request, fixture, lang, rate):
    voice = request.getfixturevalue(fixture)
    speech = voice.synthesize(SENTENCES[lang], lang)
    assert speech.rate == rate and speech.samples.dtype == np.int16
    assert 1.5 < speech.duration < 8.0
    assert _voiced(speech.samples) > 0.4
    # Steady (no sampling noise): Piper draws each phoneme's length at random, so two
    # syntheses of the same text differ by several percent, as much as the margin here.
    steady = voice.steadied()
    normal = steady.synthesize(SENTENCES[lang], lang)
    slow = steady.synthesize(SENTENCES[lang], lang, slow=True)
    assert slow.duration > normal.duration * 1.1


@pytest.mark.parametrize("fixture", ["piper", "kokoro", "espeak"])
def test_empty_text_is_empty_audio(request, fixture):
    assert request.getfixturevalue(fixture).synthesize("  ", "fr").samples.size == 0


def test_phone_audio_is_8k_ulaw(piper):
    speech = piper.synthesize("Hello.", "en")
    ulaw = speech.to_ulaw8k()
    assert abs(len(ulaw) - speech.duration * 8000) < 10
    assert _voiced(ulaw_to_pcm16(ulaw)) > 0.3


def test_kokoro_refuses_languages_it_does_not_speak(kokoro):
    with pytest.raises(ModelMissingError):
        kokoro.synthesize("Hallo", "de")


def test_voice_ids_differ_per_voice(piper, kokoro, espeak):
    assert len({piper.voice_id, kokoro.voice_id, espeak.voice_id}) == 3


def test_a_steady_piper_voice_says_a_text_the_same_way_every_time(piper):
    """Piper draws random noise for every rendering; a steady voice (the tests' callers)
    does not, and its audio is cached apart from the lively one's."""
    steady = piper.steadied()
    first, again = (steady.synthesize("When is my garbage collected?", "en").samples for _ in range(2))
    assert np.array_equal(first, again) and _voiced(first) > 0.4
    assert steady.voice_id != piper.voice_id


def test_espeak_text_starting_with_dash_is_spoken_not_an_option(espeak):
    assert espeak.synthesize("-v 12", "en").duration > 0.3


def test_model_sessions_sleep_when_idle(piper, kokoro, vad_model):
    """The voices and the VAD share two cores with the recogniser's workers: their ONNX
    threads are bounded and sleep between runs instead of spinning (bench/telephony_results.md)."""
    sessions = {"piper": piper.voice.session, "kokoro": kokoro.kokoro.sess, "vad": vad_model.session}
    for name, session in sessions.items():
        opts = session.get_session_options()
        assert opts.get_session_config_entry("session.intra_op.allow_spinning") == "0", name
        assert 1 <= opts.intra_op_num_threads <= 2, name
