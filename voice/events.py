"""The small vocabulary every telephony adapter shares (after wyoming's events): audio and
what a recogniser heard, and what happens on a media stream whatever its provider.

Audio inside civicline is 16-bit little-endian PCM; μ-law is decoded once, at the edge.
A provider's wire format (voice.telephony.wire) turns its messages into the stream events
below; a message it cannot use becomes a :class:`ProtocolError` value, never an exception.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


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


# ---- a media stream ---------------------------------------------------------------------


@dataclass(frozen=True)
class StreamStarted:
    """The provider opened a media stream for a call."""

    stream_id: str
    """The stream's id; every later event of the stream carries it."""
    call_id: str
    """The call the stream belongs to (the id the provider's webhooks use)."""
    parameters: Mapping[str, str] = field(default_factory=dict)
    """Values we gave the provider when asking for the stream (the one-time pass)."""


@dataclass(frozen=True)
class AudioReceived:
    """The caller's audio: 8 kHz μ-law, usually 20 ms of it."""

    stream_id: str
    ulaw: bytes


@dataclass(frozen=True)
class KeyPressed:
    """A key the caller pressed."""

    stream_id: str
    digit: str
    """One of 0-9, *, #, A-D."""


@dataclass(frozen=True)
class MarkPlayed:
    """The caller has heard the audio sent before the mark of this name."""

    stream_id: str
    name: str


@dataclass(frozen=True)
class StreamStopped:
    """The provider closed the stream: the caller hung up, or the call moved on."""

    stream_id: str


@dataclass(frozen=True)
class ProtocolError:
    """A message we could not use, with the reason in words (for the log)."""

    reason: str
    event: str | None = None
    """The provider's name for the message, when it had one."""


StreamEvent = StreamStarted | AudioReceived | KeyPressed | MarkPlayed | StreamStopped
