"""The errors the speech layer raises. Each says in plain words what is wrong and what to do,
because the person reading it is often a city administrator, not a developer."""

from __future__ import annotations


class VoiceError(Exception):
    """Base of every error raised by ``voice``: callers catch this one and fall back to keypad."""


class AudioFormatError(VoiceError):
    """Audio that cannot be used: empty, truncated, unsupported encoding or sample rate."""


class AudioTooLongError(VoiceError):
    """Audio longer than the configured limit; refused rather than tying up the CPU."""


class EngineUnavailableError(VoiceError):
    """The Python package an engine needs is not installed (names the package to install)."""


class ModelMissingError(VoiceError):
    """No usable model for a language: the call should fall back to keypad menus."""


class ModelChecksumError(VoiceError):
    """A model file does not match its SHA-256 pin: refused, it may be corrupt or replaced."""
