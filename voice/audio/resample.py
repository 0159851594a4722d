"""Sample-rate conversion with soxr (high quality, streaming capable)."""

from __future__ import annotations

import numpy as np

from voice.errors import AudioFormatError, EngineUnavailableError

MIN_RATE = 4000
MAX_RATE = 192000

try:
    import soxr
except ImportError:  # pragma: no cover - reported when used
    soxr = None


def _need_soxr() -> None:
    if soxr is None:
        raise EngineUnavailableError("resampling needs the 'soxr' package: pip install 'civicline[voice]'")


def check_rate(rate: int) -> int:
    """Refuse sample rates no real audio has (0, negative, absurd headers)."""
    if not isinstance(rate, int | np.integer) or not MIN_RATE <= int(rate) <= MAX_RATE:
        raise AudioFormatError(f"unsupported sample rate {rate!r} (expected {MIN_RATE}-{MAX_RATE} Hz)")
    return int(rate)


def resample(samples: np.ndarray, src_rate: int, dst_rate: int) -> np.ndarray:
    """Resample a whole mono int16 or float32 signal; returns the same dtype."""
    src_rate, dst_rate = check_rate(src_rate), check_rate(dst_rate)
    samples = np.asarray(samples)
    if src_rate == dst_rate or samples.size == 0:
        return samples
    _need_soxr()
    if samples.dtype == np.int16:
        return soxr.resample(samples, src_rate, dst_rate, quality="HQ")
    return soxr.resample(samples.astype(np.float32), src_rate, dst_rate, quality="HQ")


class StreamResampler:
    """Resamples a stream of int16 chunks without clicks at the boundaries.

    ``process`` may legitimately return an empty array while soxr fills its filter; callers
    must not forward empty chunks (pipecat #2184), hence ``flush`` at the end.
    """

    def __init__(self, src_rate: int, dst_rate: int) -> None:
        self.src_rate, self.dst_rate = check_rate(src_rate), check_rate(dst_rate)
        self._stream = None
        if self.src_rate != self.dst_rate:
            _need_soxr()
            self._stream = soxr.ResampleStream(self.src_rate, self.dst_rate, 1, dtype="int16")

    def process(self, samples: np.ndarray) -> np.ndarray:
        """Feed int16 samples, get the resampled samples ready so far."""
        samples = np.asarray(samples, dtype=np.int16)
        if self._stream is None:
            return samples
        return self._stream.resample_chunk(samples, last=False)

    def flush(self) -> np.ndarray:
        """The samples still held in the filter, at end of stream."""
        if self._stream is None:
            return np.zeros(0, dtype=np.int16)
        return self._stream.resample_chunk(np.zeros(0, dtype=np.int16), last=True)
