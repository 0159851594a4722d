"""G.711 μ-law <-> 16-bit PCM and PCM byte/array conversions.

Written with numpy lookup tables because ``audioop`` left the standard library in Python 3.13.
Telephony decodes once at the edge; everything after works on int16 arrays.
"""

from __future__ import annotations

import numpy as np

from voice.errors import AudioFormatError

_BIAS = 0x84


def _build_decode_table() -> np.ndarray:
    u = ~np.arange(256, dtype=np.int32) & 0xFF
    sign = u & 0x80
    exponent = (u >> 4) & 0x07
    mantissa = u & 0x0F
    magnitude = (((mantissa << 3) + _BIAS) << exponent) - _BIAS
    return np.where(sign != 0, -magnitude, magnitude).astype(np.int16)


def _build_encode_table() -> np.ndarray:
    # One entry per possible int16 value, indexed by (sample & 0xFFFF). Same arithmetic as
    # the reference G.711 code (and CPython's audioop) on 14-bit magnitudes, so output is
    # byte-identical to what other telephony software produces.
    s = np.arange(65536, dtype=np.int32)
    s = np.where(s >= 32768, s - 65536, s) >> 2
    mask = np.where(s < 0, 0x7F, 0xFF)
    mag = np.minimum(np.abs(s), 8159) + (_BIAS >> 2)
    seg_end = np.array([0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF])
    seg = np.searchsorted(seg_end, mag)  # first segment whose end >= mag
    value = (np.minimum(seg, 7) << 4) | ((mag >> (np.minimum(seg, 7) + 1)) & 0x0F)
    value = np.where(seg >= 8, 0x7F, value)
    return ((value ^ mask) & 0xFF).astype(np.uint8)


_DECODE = _build_decode_table()
_ENCODE = _build_encode_table()


def ulaw_to_pcm16(data: bytes) -> np.ndarray:
    """Decode μ-law bytes (one byte per sample) into int16 samples."""
    return _DECODE[np.frombuffer(data, dtype=np.uint8)]


def pcm16_to_ulaw(samples: np.ndarray) -> bytes:
    """Encode int16 samples into μ-law bytes."""
    samples = np.asarray(samples)
    if samples.dtype != np.int16:
        raise AudioFormatError(f"μ-law encoding needs int16 samples, got {samples.dtype}")
    return _ENCODE[samples.view(np.uint16)].tobytes()


def bytes_to_pcm16(data: bytes) -> np.ndarray:
    """Little-endian 16-bit PCM bytes -> int16 array (an odd trailing byte is dropped)."""
    usable = len(data) - (len(data) % 2)
    return np.frombuffer(data[:usable], dtype="<i2").astype(np.int16)


def pcm16_to_bytes(samples: np.ndarray) -> bytes:
    """int16 array -> little-endian 16-bit PCM bytes."""
    return np.asarray(samples, dtype="<i2").tobytes()


def float_to_pcm16(audio: np.ndarray) -> np.ndarray:
    """float audio in [-1, 1] -> int16, clipping anything outside (engines overshoot)."""
    audio = np.nan_to_num(np.asarray(audio, dtype=np.float32))
    return (np.clip(audio, -1.0, 1.0) * 32767.0).astype(np.int16)


def pcm16_to_float(samples: np.ndarray) -> np.ndarray:
    """int16 -> float32 in [-1, 1)."""
    return np.asarray(samples, dtype=np.float32) / 32768.0
