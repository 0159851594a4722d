"""What the line does to a caller's voice in the WER evaluation: the GSM recordings decoded
by sox, street noise mixed at a chosen SNR (reproducibly), the μ-law leg last."""

import numpy as np
import pytest

from voice.audio.wav import read_wav
from voice.channel import (
    BAND_HZ,
    CHANNELS,
    Channel,
    active_level,
    decode_gsm,
    mix_noise,
    recording_seed,
    street_noise,
    through_channel,
)
from voice.errors import AudioFormatError, EngineUnavailableError
from voice.eval import normalize, sample


def test_channel_names():
    assert [Channel.parse(c) for c in CHANNELS[:3]] == [
        Channel("clean", False, None), Channel("gsm", True, None), Channel("gsm+20dB", True, 20.0)]
    assert Channel.parse("gsm+7.5dB").snr_db == 7.5
    for bad in ("gsm+", "noisy", "gsm+15", "clean+15dB", ""):
        with pytest.raises(ValueError, match="unknown channel"):
            Channel.parse(bad)


def test_street_noise_is_reproducible_band_limited_and_unit_level():
    a, b, other = street_noise(16000, 8000, 7), street_noise(16000, 8000, 7), street_noise(16000, 8000, 8)
    assert np.array_equal(a, b) and not np.allclose(a, other)
    assert np.sqrt(np.mean(a**2)) == pytest.approx(1.0)
    power = np.abs(np.fft.rfft(a)) ** 2
    f = np.fft.rfftfreq(len(a), 1 / 8000)
    outside = power[(f < BAND_HZ[0] * 0.9) | (f > BAND_HZ[1] * 1.01)].sum()
    assert outside < 1e-3 * power.sum()
    # Pink: more power per Hz in the low band than in the high one.
    assert power[(f > 200) & (f < 400)].mean() > 4 * power[(f > 2000) & (f < 3000)].mean()
    assert street_noise(0, 8000, 1).size == 0


def test_mixing_reaches_the_snr_over_the_speech_not_the_pauses():
    t = np.arange(16000) / 8000
    speech = (8000 * np.sin(2 * np.pi * 440 * t)).astype(np.int16)
    speech[8000:12000] = 0  # a pause: the level is the speech's, not the average
    for snr in (20.0, 10.0):
        mixed = mix_noise(speech, 8000, snr, seed=3)
        noise = mixed.astype(float) - speech
        measured = 10 * np.log10(active_level(speech, 8000) / np.mean(noise**2))
        assert measured == pytest.approx(snr, abs=0.3)
    assert np.array_equal(mix_noise(speech, 8000, 15, 3), mix_noise(speech, 8000, 15, 3))


def test_loud_noise_is_clipped_like_a_phone_not_wrapped():
    loud = np.full(8000, 30000, np.int16)
    mixed = mix_noise(loud, 8000, 0.0, seed=1)
    assert mixed.dtype == np.int16 and mixed.max() == 32767


def test_gsm_recordings_decode_to_the_same_speech_as_the_wav_ones():
    rec = sample("en", 40)[0]
    gsm = decode_gsm(rec.path.with_suffix(".gsm"))
    wav, rate = read_wav(rec.path)
    assert rate == 8000 and gsm.dtype == np.int16
    assert abs(len(gsm) - len(wav)) <= 160  # whole 20 ms GSM frames
    n = min(len(gsm), len(wav))
    assert np.corrcoef(gsm[:n].astype(float), wav[:n].astype(float))[0, 1] > 0.9


def test_gsm_decoding_errors_are_clear(tmp_path, monkeypatch):
    with pytest.raises(AudioFormatError, match="no GSM recording"):
        decode_gsm(tmp_path / "missing.gsm")
    monkeypatch.setattr("voice.channel.shutil.which", lambda name: None)
    with pytest.raises(EngineUnavailableError, match="apt-get install sox"):
        decode_gsm(tmp_path / "missing.gsm")


def test_through_channel_pads_with_the_line_and_keeps_the_noise_going():
    rec = sample("fr", 40)[3]
    clean = through_channel(rec.path, "clean")
    gsm = through_channel(rec.path, "gsm", before_s=0.5, after_s=1.0)
    assert abs(len(gsm) - len(clean) - 12000) <= 160
    assert not np.any(gsm[:4000])  # a quiet line is silent
    noisy = through_channel(rec.path, "gsm+10dB", before_s=0.5, after_s=1.0)
    assert np.sqrt(np.mean(noisy[:4000].astype(float) ** 2)) > 50  # the street goes on before the caller speaks
    assert np.array_equal(noisy, through_channel(rec.path, Channel.parse("gsm+10dB"), 0.5, 1.0))
    assert recording_seed(rec.name) != recording_seed(sample("fr", 40)[4].name)


def test_normalize_survives_a_recogniser_looping_on_digits():
    assert normalize("Número " + "18" * 30, "es").startswith("numero uno ocho uno ocho")
