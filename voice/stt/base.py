"""The speech-to-text interface every engine implements (after wyoming's Transcriber).

The shared, heavy model is loaded once (see ``voice.models``); per-call state lives in a
:class:`StreamingSession`. Engines that cannot stream get :class:`BufferedSession`, which
collects audio and recognises it at ``finish``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from voice.audio.codec import bytes_to_pcm16
from voice.audio.resample import check_rate, resample
from voice.audio.wav import read_wav
from voice.errors import AudioFormatError, AudioTooLongError
from voice.events import AudioChunk, Transcript

STT_RATE = 16000


ANY_OF = "any:"
"""``language="any:fr,en,es"``: the caller may speak any of these languages. An engine that
can tell them apart detects which one (and says so in ``Transcript.language``); any other
hears the first, which is the call's current language."""


def base_language(language: str) -> str:
    """'fr-CA' / 'fr_CA' -> 'fr': engines take the bare language code. For "any:fr,en,es",
    the first language (what an engine that cannot detect the language listens in)."""
    return candidate_languages(language)[0] if language.startswith(ANY_OF) else _bare(language)


def _bare(language: str) -> str:
    return language.strip().replace("_", "-").split("-")[0].lower()


def candidate_languages(language: str) -> tuple[str, ...]:
    """The languages a recognition may hear: "any:fr,en-US" -> ('fr', 'en'); 'fr-CA' -> ('fr',)."""
    if not language.startswith(ANY_OF):
        return (_bare(language),)
    langs = [_bare(lang) for lang in language[len(ANY_OF) :].split(",") if lang.strip()]
    return tuple(dict.fromkeys(langs)) or ("",)


def any_of(languages: Sequence[str]) -> str:
    """The ``language`` argument for "any of these, the first unless heard otherwise"; a
    single language stays a plain code."""
    langs = tuple(dict.fromkeys(_bare(lang) for lang in languages))
    if not langs:
        raise ValueError("no language to listen for")
    return langs[0] if len(langs) == 1 else ANY_OF + ",".join(langs)


def as_samples(audio: np.ndarray | bytes | AudioChunk, rate: int | None = None) -> tuple[np.ndarray, int]:
    """Accept int16 arrays, raw 16-bit PCM bytes or an AudioChunk; return (int16, rate)."""
    if isinstance(audio, AudioChunk):
        if audio.width != 2 or audio.channels != 1:
            raise AudioFormatError(f"expected mono 16-bit audio, got {audio.channels} ch x {audio.width} B")
        return bytes_to_pcm16(audio.audio), check_rate(audio.rate)
    if rate is None:
        raise AudioFormatError("a sample rate is required with raw samples")
    if isinstance(audio, bytes | bytearray):
        return bytes_to_pcm16(bytes(audio)), check_rate(rate)
    arr = np.asarray(audio)
    if arr.ndim != 1:
        raise AudioFormatError(f"expected mono audio, got an array of shape {arr.shape}")
    if arr.dtype != np.int16:
        if not np.issubdtype(arr.dtype, np.floating):
            raise AudioFormatError(f"expected int16 or float samples, got {arr.dtype}")
        arr = (np.clip(np.nan_to_num(arr), -1, 1) * 32767).astype(np.int16)
    return arr, check_rate(rate)


def prepare(samples: np.ndarray, rate: int, max_seconds: float) -> np.ndarray:
    """Validate length and resample to the recognisers' 16 kHz."""
    seconds = len(samples) / rate
    if seconds > max_seconds:
        raise AudioTooLongError(
            f"{seconds:.0f} s of audio is more than the {max_seconds:.0f} s a recognition may take"
        )
    return resample(samples, rate, STT_RATE)


class StreamingSession(ABC):
    """Recognition state of one utterance or call."""

    @abstractmethod
    def accept_chunk(self, audio: np.ndarray | bytes | AudioChunk) -> Transcript | None:
        """Feed audio; return a partial transcript when the engine has a new one."""

    @abstractmethod
    def finish(self) -> Transcript:
        """End of audio: the final transcript (empty text when nothing was understood)."""


class Transcriber(ABC):
    """A speech-to-text engine bound to a loaded model."""

    name: str = "stt"
    supports_streaming: bool = False
    supports_phrases: bool = False
    max_seconds: float = 120.0

    @abstractmethod
    def transcribe(
        self,
        audio: np.ndarray | bytes | AudioChunk,
        rate: int | None = None,
        language: str = "en",
        phrases: Sequence[str] | None = None,
    ) -> Transcript:
        """Recognise a whole utterance. ``phrases`` restricts or biases recognition to the
        answers the current dialog node expects, where the engine can. ``language`` is a
        code, or ``any_of(...)`` when the caller may speak one of several languages."""

    def languages(self) -> set[str] | None:
        """Languages this model handles, or None when it cannot tell."""
        return None

    def transcribe_file(self, path: str | Path, language: str) -> Transcript:
        """Recognise a WAV file."""
        samples, rate = read_wav(path, max_seconds=self.max_seconds)
        return self.transcribe(samples, rate, language)

    def start_stream(self, rate: int, language: str, phrases: Sequence[str] | None = None) -> StreamingSession:
        """A session fed chunk by chunk at ``rate``."""
        return BufferedSession(self, rate, language, phrases)


class BufferedSession(StreamingSession):
    """Collects audio and recognises it at ``finish`` (for non-streaming engines)."""

    def __init__(self, engine: Transcriber, rate: int, language: str, phrases: Sequence[str] | None) -> None:
        self.engine, self.rate, self.language, self.phrases = engine, check_rate(rate), language, phrases
        self._chunks: list[np.ndarray] = []
        self._n = 0

    def accept_chunk(self, audio: np.ndarray | bytes | AudioChunk) -> Transcript | None:
        samples, _ = as_samples(audio, self.rate)
        self._n += len(samples)
        if self._n / self.rate > self.engine.max_seconds:
            raise AudioTooLongError(f"stream longer than {self.engine.max_seconds:.0f} s")
        self._chunks.append(samples)
        return None

    def finish(self) -> Transcript:
        if not self._chunks:
            return Transcript("", base_language(self.language))
        audio = np.concatenate(self._chunks)
        self._chunks = []
        return self.engine.transcribe(audio, self.rate, self.language, self.phrases)
