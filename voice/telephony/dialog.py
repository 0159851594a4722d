"""What the real-time loop asks of the rest of the program: a :class:`Dialog` that answers
each event of the call with a :class:`Reply` (what to say, then how to listen). The loop
knows audio, not flows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from voice.events import StreamStarted, Transcript


@dataclass(frozen=True)
class Spoken:
    text: str
    language: str
    slow: bool = False


@dataclass(frozen=True)
class Reply:
    """What the dialog wants after an event: speak, then listen (or end the stream)."""

    speech: tuple[Spoken, ...] = ()
    listen_language: str = "en"
    timeout: float | None = 5.0
    """Silence after the prompt was heard before :meth:`Dialog.silence`; None: do not wait."""
    max_digits: int | None = None
    """Keys are collected until '#', this many, or a pause; None: one key is the answer."""
    phrases: tuple[str, ...] = ()
    end: bool = False
    """End the stream once the speech has played (transfer, hang-up)."""


class Dialog(Protocol):
    def begin(self, start: StreamStarted) -> Reply: ...
    def heard(self, transcript: Transcript) -> Reply: ...
    def pressed(self, keys: str) -> Reply: ...
    def silence(self) -> Reply: ...
    def ended(self, reason: str) -> None: ...

    def preview(self, transcript: Transcript) -> Reply | None:
        """The reply an answer would get, changing nothing (None: no guess), so its first
        audio is made during the end-of-speech wait."""
        ...
