"""What the line does to a caller's voice before civicline hears it, for the WER evaluation:
a mobile network's GSM 06.10 codec, street noise at a chosen signal-to-noise ratio, and the
8 kHz μ-law leg every call ends on.

The GSM audio is real: Debian's ``asterisk-core-sounds-*-gsm`` hold the same recordings as
the ``-wav`` packages, encoded with GSM 06.10; ``sox`` decodes them. The noise is made here,
reproducibly: pink noise (tyres, wind, distant traffic) band-limited to what a mobile
phone passes (100-3800 Hz), with the slow swell of passing vehicles, from a generator
seeded by the recording's name, so every run and every machine mixes the same noise.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from voice.audio.codec import pcm16_to_ulaw, ulaw_to_pcm16
from voice.audio.resample import resample
from voice.audio.wav import read_wav
from voice.errors import AudioFormatError, EngineUnavailableError

LINE_RATE = 8000
NOISE_SEED = 2026
"""Mixed into every recording's seed: change it to draw a different (equally fixed) noise."""
BAND_HZ = (100.0, 3800.0)
ACTIVE_BELOW_PEAK_DB = 30.0
"""Speech level is measured on the 20 ms frames within this much of the loudest one (the
active speech, not the pauses), so a recording's silences do not raise its SNR."""

CHANNELS = ("clean", "gsm", "gsm+20dB", "gsm+15dB", "gsm+10dB")
_NOISY = re.compile(r"^gsm\+(\d+(?:\.\d+)?)dB$")


@dataclass(frozen=True)
class Channel:
    """How a recording reaches us: through GSM or not, with noise at ``snr_db`` or none."""

    name: str
    gsm: bool
    snr_db: float | None

    @classmethod
    def parse(cls, name: str) -> Channel:
        """'clean', 'gsm' or 'gsm+15dB' (any SNR)."""
        if name == "clean":
            return cls(name, False, None)
        if name == "gsm":
            return cls(name, True, None)
        m = _NOISY.match(name)
        if m is None:
            raise ValueError(f"unknown channel {name!r} (expected clean, gsm or gsm+<SNR>dB, e.g. gsm+15dB)")
        return cls(name, True, float(m.group(1)))


def decode_gsm(path: str | Path) -> np.ndarray:
    """A GSM 06.10 file (asterisk's raw ``.gsm``) as 8 kHz int16 samples, decoded by sox."""
    sox = shutil.which("sox")
    if sox is None:
        raise EngineUnavailableError("decoding GSM recordings needs sox: apt-get install sox")
    path = Path(path)
    if not path.is_file():
        raise AudioFormatError(f"no GSM recording at {path}")
    proc = subprocess.run(
        [sox, "-q", "-t", "gsm", str(path), "-t", "raw", "-e", "signed-integer", "-b", "16", "-c", "1",
         "-r", str(LINE_RATE), "-L", "-"],
        capture_output=True, timeout=60, check=False,
    )
    if proc.returncode != 0 or len(proc.stdout) < 2:
        raise AudioFormatError(f"sox could not decode {path}: {proc.stderr.decode(errors='replace').strip()}")
    return np.frombuffer(proc.stdout[: len(proc.stdout) // 2 * 2], dtype="<i2").astype(np.int16)


def street_noise(n: int, rate: int, seed: int) -> np.ndarray:
    """``n`` samples of street-like noise (float, unit RMS): pink, 100-3800 Hz, swelling
    and fading like passing traffic every few seconds. Same ``seed``, same noise."""
    if n <= 0:
        return np.zeros(0)
    rng = np.random.default_rng(seed)
    spectrum = np.fft.rfft(rng.standard_normal(n))
    f = np.fft.rfftfreq(n, 1 / rate)
    lo, hi = BAND_HZ
    shape = np.where((f >= lo) & (f <= min(hi, rate / 2)), 1 / np.sqrt(np.maximum(f, lo)), 0.0)
    noise = np.fft.irfft(spectrum * shape, n)
    # Passing vehicles: a swell of 1.5-3 s every 2-6 s on a steady bed.
    t = np.arange(n) / rate
    swell = np.ones(n)
    at = rng.uniform(-1.0, 2.0)
    while at < t[-1] + 2.0:
        width = rng.uniform(0.75, 1.5)
        swell += rng.uniform(0.5, 1.5) * np.exp(-0.5 * ((t - at) / (width / 2)) ** 2)
        at += rng.uniform(2.0, 6.0)
    noise *= swell
    rms = np.sqrt(np.mean(noise**2))
    return noise / rms if rms > 0 else noise


def active_level(samples: np.ndarray, rate: int) -> float:
    """Mean power of the active speech (20 ms frames within ``ACTIVE_BELOW_PEAK_DB`` of the
    loudest), in int16 units squared."""
    x = np.asarray(samples, np.float64)
    frame = max(1, rate // 50)
    frames = x[: len(x) // frame * frame].reshape(-1, frame) if len(x) >= frame else x.reshape(1, -1)
    power = np.mean(frames**2, axis=1)
    if not np.any(power > 0):
        return 0.0
    active = power[power >= power.max() * 10 ** (-ACTIVE_BELOW_PEAK_DB / 10)]
    return float(np.mean(active))


def mix_noise(samples: np.ndarray, rate: int, snr_db: float, seed: int) -> np.ndarray:
    """``samples`` with street noise under them at ``snr_db`` (over the active speech),
    clipped to int16 as a phone would."""
    speech = np.asarray(samples, np.float64)
    noise = street_noise(len(speech), rate, seed) * np.sqrt(active_level(speech, rate) / 10 ** (snr_db / 10))
    return np.clip(np.round(speech + noise), -32768, 32767).astype(np.int16)


def recording_seed(name: str) -> int:
    """The noise seed of one recording: fixed by its name, not by the order of a sample."""
    return zlib.crc32(name.encode()) ^ NOISE_SEED


def phone_line(samples: np.ndarray, rate: int) -> np.ndarray:
    """What every call does to audio last: 8 kHz, μ-law encoded and decoded."""
    return ulaw_to_pcm16(pcm16_to_ulaw(np.asarray(resample(samples, rate, LINE_RATE), np.int16)))


def through_channel(wav_path: Path, channel: Channel | str, before_s: float = 0.0, after_s: float = 0.0) -> np.ndarray:
    """The recording at ``wav_path`` as it reaches civicline over ``channel``: 8 kHz int16
    after the μ-law leg. The GSM channels read the ``.gsm`` file beside it. ``before_s`` and
    ``after_s`` of line (silence, or the same noise going on) surround the speech, as on a
    call where the caller is heard before and after speaking."""
    ch = Channel.parse(channel) if isinstance(channel, str) else channel
    if ch.gsm:
        samples, rate = decode_gsm(wav_path.with_suffix(".gsm")), LINE_RATE
    else:
        samples, rate = read_wav(wav_path)
    samples = np.asarray(resample(samples, rate, LINE_RATE) if rate != LINE_RATE else samples, np.int16)
    if before_s > 0 or after_s > 0:
        samples = np.concatenate([np.zeros(round(before_s * LINE_RATE), np.int16), samples,
                                  np.zeros(round(after_s * LINE_RATE), np.int16)])
    if ch.snr_db is not None:
        samples = mix_noise(samples, LINE_RATE, ch.snr_db, recording_seed(wav_path.stem))
    return phone_line(samples, LINE_RATE)
