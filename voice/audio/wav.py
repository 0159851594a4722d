"""WAV read/write, strict about what it accepts so bad uploads fail clearly."""

from __future__ import annotations

import io
import wave
from pathlib import Path

import numpy as np

from voice.audio.codec import pcm16_to_bytes
from voice.audio.resample import check_rate
from voice.errors import AudioFormatError, AudioTooLongError

DEFAULT_MAX_SECONDS = 15 * 60.0


def read_wav(
    source: str | Path | bytes, max_seconds: float = DEFAULT_MAX_SECONDS
) -> tuple[np.ndarray, int]:
    """Read a PCM WAV file (path or bytes) into mono int16 samples and its sample rate.

    Stereo is mixed down; 8/24/32-bit PCM is converted. Raises AudioFormatError for
    empty, truncated or non-PCM files and AudioTooLongError past ``max_seconds``.
    """
    name = "<bytes>" if isinstance(source, bytes) else str(source)
    try:
        handle = io.BytesIO(source) if isinstance(source, bytes) else open(source, "rb")  # noqa: SIM115
    except OSError as exc:
        raise AudioFormatError(f"{name}: cannot open: {exc.strerror or exc}") from exc
    try:
        with handle, wave.open(handle, "rb") as w:
            rate, width, channels, n = w.getframerate(), w.getsampwidth(), w.getnchannels(), w.getnframes()
            check_rate(rate)
            if n / rate > max_seconds:
                raise AudioTooLongError(
                    f"{name}: {n / rate:.0f} s of audio, more than the {max_seconds:.0f} s limit"
                )
            raw = w.readframes(n)
    except (wave.Error, EOFError) as exc:
        raise AudioFormatError(f"{name}: not a usable PCM WAV file ({exc or 'empty or truncated'})") from exc
    except AudioFormatError as exc:
        raise AudioFormatError(f"{name}: {exc}") from exc
    frame = width * channels
    raw = raw[: len(raw) - len(raw) % frame] if frame else b""
    if not raw:
        raise AudioFormatError(f"{name}: the WAV file holds no audio")
    samples = _to_int16(raw, width)
    if channels > 1:
        samples = samples.reshape(-1, channels).mean(axis=1).astype(np.int16)
    return samples, rate


def _to_int16(raw: bytes, width: int) -> np.ndarray:
    if width == 2:
        return np.frombuffer(raw, dtype="<i2").astype(np.int16)
    if width == 1:  # 8-bit WAV is unsigned
        return ((np.frombuffer(raw, dtype=np.uint8).astype(np.int16) - 128) << 8).astype(np.int16)
    if width == 3:
        b = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 3)
        return (b[:, 2].astype(np.int8).astype(np.int16) << 8 | b[:, 1]).astype(np.int16)
    if width == 4:
        return (np.frombuffer(raw, dtype="<i4") >> 16).astype(np.int16)
    raise AudioFormatError(f"unsupported sample width {width} bytes")


def wav_bytes(samples: np.ndarray, rate: int) -> bytes:
    """Mono int16 samples -> a complete WAV file in memory."""
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(check_rate(rate))
        w.writeframes(pcm16_to_bytes(np.asarray(samples, dtype=np.int16)))
    return buf.getvalue()


def write_wav(path: str | Path, samples: np.ndarray, rate: int) -> None:
    """Write mono int16 samples as a 16-bit PCM WAV file."""
    Path(path).write_bytes(wav_bytes(samples, rate))
