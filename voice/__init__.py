"""Offline speech for civicline: audio codecs and VAD (``voice.audio``), speech-to-text
engines (``voice.stt``), text-to-speech engines (``voice.tts``) and the model registry
(``voice.models``). This package knows audio, never flows: it imports nothing from
``flows``, ``nlu`` or ``civicline``."""

from voice.errors import (
    AudioFormatError,
    AudioTooLongError,
    EngineUnavailableError,
    ModelChecksumError,
    ModelMissingError,
    VoiceError,
)

__all__ = [
    "AudioFormatError",
    "AudioTooLongError",
    "EngineUnavailableError",
    "ModelChecksumError",
    "ModelMissingError",
    "VoiceError",
]
