"""The text-to-speech interface: text, language, slow or normal rate -> PCM and sample rate."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

import numpy as np

from voice.audio.codec import pcm16_to_ulaw
from voice.audio.resample import resample

PHONE_RATE = 8000
SLOW_FACTOR = 1.25
"""How much longer slow speech lasts (callers who ask to hear it slower, older callers)."""


@dataclass(frozen=True)
class Speech:
    """Synthesised audio."""

    samples: np.ndarray
    """Mono int16."""
    rate: int

    @property
    def duration(self) -> float:
        return len(self.samples) / self.rate if self.rate else 0.0

    def at_rate(self, rate: int) -> Speech:
        """The same speech resampled."""
        return Speech(resample(self.samples, self.rate, rate), rate)

    def to_ulaw8k(self) -> bytes:
        """8 kHz μ-law, what the phone network carries (Twilio Media Streams)."""
        return pcm16_to_ulaw(np.asarray(resample(self.samples, self.rate, PHONE_RATE), np.int16))


def silence(seconds: float, rate: int) -> Speech:
    return Speech(np.zeros(int(seconds * rate), np.int16), rate)


class Synthesizer(ABC):
    """A text-to-speech engine bound to a loaded voice."""

    name: str = "tts"
    quick_start: bool = False
    """A slow voice (compute per second of speech too high to make a whole sentence within
    the first-audio goal): ``Speaker.stream`` cuts the first sentence of an uncached answer
    at a clause boundary so its first few words play sooner."""

    @property
    @abstractmethod
    def voice_id(self) -> str:
        """Identifies engine + voice + settings: part of the audio cache key, so changing
        the voice never replays audio made by the old one."""

    @abstractmethod
    def synthesize(self, text: str, language: str, slow: bool = False) -> Speech:
        """Speak ``text`` (already through the speech formatter). Empty text -> empty audio."""

    def languages(self) -> set[str] | None:
        """Languages this voice speaks, or None when it cannot tell."""
        return None

    def at_speed(self, factor: float) -> Synthesizer:
        """The same voice speaking ``factor`` times as fast (0.9: a little slower), for the
        renderings the vocabulary chooses between; a voice that cannot is itself."""
        return self

    def steadied(self) -> Synthesizer:
        """The same voice saying a text the same way every time (tests' callers, whose
        audio must not change between runs); voices without randomness are already steady."""
        return self
