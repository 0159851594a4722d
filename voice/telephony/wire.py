"""A provider's media-stream wire format, as the real-time loop sees it (after pipecat's
serializers): inbound text to the stream events of :mod:`voice.events`, and the outbound
messages the loop sends. A second provider is one more implementation of
:class:`WireFormat`; the loop does not change."""

from __future__ import annotations

from typing import Protocol

from voice.events import ProtocolError, StreamEvent


class WireFormat(Protocol):
    """One provider's messages on a bidirectional media stream of 8 kHz μ-law."""

    @property
    def frame_bytes(self) -> int:
        """Bytes of μ-law in one outbound audio message (the provider's frame)."""
        ...

    @property
    def rate(self) -> int:
        """Samples per second of the stream's audio."""
        ...

    def parse(self, raw: str | bytes) -> StreamEvent | ProtocolError | None:
        """One inbound message -> its event; a :class:`ProtocolError` for one that cannot be
        used; None for one that changes nothing (a greeting such as Twilio's ``connected``).
        Never raises."""
        ...

    def media(self, stream_id: str, ulaw: bytes) -> str:
        """A message that plays ``ulaw`` to the caller."""
        ...

    def mark(self, stream_id: str, name: str) -> str:
        """A message the provider echoes (as :class:`~voice.events.MarkPlayed`) once the
        audio sent before it has been played."""
        ...

    def clear(self, stream_id: str) -> str:
        """A message that drops the audio the provider has buffered (barge-in)."""
        ...
