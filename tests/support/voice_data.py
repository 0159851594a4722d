"""Helpers for the speech tests (a uniquely named module: every test folder has a conftest)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

SOUNDS = Path("/usr/share/asterisk/sounds")


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
