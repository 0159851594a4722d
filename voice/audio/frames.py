"""Cutting audio into fixed 20 ms frames, the unit of telephony (160 μ-law bytes at 8 kHz)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

FRAME_MS = 20


def frame_size(rate: int, ms: int = FRAME_MS) -> int:
    """Samples per frame at ``rate``."""
    return rate * ms // 1000


def frames(samples: np.ndarray, rate: int, ms: int = FRAME_MS, pad: bool = True) -> Iterator[np.ndarray]:
    """Yield consecutive frames; the last is zero-padded (or dropped if ``pad`` is False)."""
    size = frame_size(rate, ms)
    samples = np.asarray(samples)
    for start in range(0, len(samples), size):
        chunk = samples[start : start + size]
        if len(chunk) < size:
            if not pad:
                return
            chunk = np.concatenate([chunk, np.zeros(size - len(chunk), dtype=samples.dtype)])
        yield chunk


class Framer:
    """Re-chunks a byte stream of arbitrary sizes into fixed-size frames (for example 160 bytes
    of μ-law = 20 ms), keeping the remainder for the next call."""

    def __init__(self, frame_bytes: int) -> None:
        if frame_bytes <= 0:
            raise ValueError("frame_bytes must be positive")
        self.frame_bytes = frame_bytes
        self._buffer = bytearray()

    def push(self, data: bytes) -> list[bytes]:
        """Add bytes; return every complete frame now available."""
        self._buffer.extend(data)
        n = len(self._buffer) // self.frame_bytes * self.frame_bytes
        out = [bytes(self._buffer[i : i + self.frame_bytes]) for i in range(0, n, self.frame_bytes)]
        del self._buffer[:n]
        return out

    def flush(self, pad: bytes = b"\x00") -> bytes | None:
        """The partial last frame padded to full size, or None when nothing is left."""
        if not self._buffer:
            return None
        out = bytes(self._buffer) + pad * (self.frame_bytes - len(self._buffer))
        self._buffer.clear()
        return out
