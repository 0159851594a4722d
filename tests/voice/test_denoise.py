"""Noise suppression before recognition (optional, per deployment): spectral gating is the
one kept; it returns audio of the same length, with the street noise lowered."""

import numpy as np
import pytest

from voice.audio.denoise import DENOISERS, SpectralGateDenoiser, load_denoiser
from voice.channel import through_channel
from voice.engines import SpeechEngines
from voice.errors import VoiceError
from voice.eval import sample


def _db(x: np.ndarray) -> float:
    return 20 * np.log10(np.sqrt(np.mean(x.astype(float) ** 2)))


def test_spectral_gating_lowers_street_noise_and_keeps_the_voice():
    rec = sample("en", 40)[5]
    noisy = through_channel(rec.path, "gsm+10dB", before_s=1.0, after_s=1.0)
    cleaned = load_denoiser("spectral-gate").process(noisy, 8000)
    assert cleaned.dtype == np.int16 and len(cleaned) == len(noisy)
    street, caller = slice(0, 8000), slice(8000, len(noisy) - 8000)  # the street alone, then the caller too
    street_drop = _db(noisy[street]) - _db(cleaned[street])
    caller_drop = _db(noisy[caller]) - _db(cleaned[caller])
    assert street_drop >= 8 and street_drop - caller_drop >= 3, (street_drop, caller_drop)
    assert SpectralGateDenoiser().process(np.zeros(0, np.int16), 8000).size == 0


def test_unknown_noise_suppression_is_refused_by_name():
    assert DENOISERS == ("spectral-gate",)
    with pytest.raises(ValueError, match="rnnoise"):
        load_denoiser("rnnoise")
    with pytest.raises(VoiceError, match="not a noise suppression|unknown noise suppression"):
        SpeechEngines(denoise="rnnoise")._denoiser()
    assert SpeechEngines()._denoiser() is None
    assert isinstance(SpeechEngines(denoise="spectral-gate")._denoiser(), SpectralGateDenoiser)
