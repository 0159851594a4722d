"""The small vocabulary every telephony adapter shares (after wyoming's events).

Audio inside civicline is 16-bit little-endian PCM; μ-law is decoded once, at the edge.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AudioChunk:
    """A piece of audio."""

    rate: int
    """Samples per second (8000 for the phone network, 16000 for recognisers)."""
    width: int
    """Bytes per sample: 2 for 16-bit PCM."""
    channels: int
    """1 for everything on the phone."""
    audio: bytes
    """Raw interleaved little-endian samples."""

    @property
    def duration(self) -> float:
        """Length in seconds."""
        frame = self.width * self.channels
        return len(self.audio) / frame / self.rate if frame and self.rate else 0.0


@dataclass(frozen=True)
class Dtmf:
    """A key the caller pressed."""

    digit: str
    """One of 0-9, *, #, A-D."""


@dataclass(frozen=True)
class Transcript:
    """What a recogniser heard."""

    text: str
    """The words, empty when nothing was understood (silence, noise)."""
    language: str
    """The language recognition ran in (a short code: en, fr, es)."""
    is_final: bool = True
    """False for a partial result while the caller is still speaking."""
    confidence: float | None = None
    """Engine confidence in [0, 1] when the engine gives one."""


@dataclass(frozen=True)
class Hangup:
    """The call ended."""

    reason: str = ""
    """Why, in words, when known (caller hung up, transferred, error)."""
