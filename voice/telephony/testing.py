"""What tests of the real-time loop need (after pipecat's test utilities): a clock they move
by hand, and a transport that keeps what the loop sent and lets a test wait for it. Waiting
here is on conditions, with a time-out, never a sleep."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")

POLL_S = 0.005
"""How soon a waiter sees an event set by another thread (an Event cannot notify us)."""


class ManualClock:
    """Time that moves only when :meth:`advance` says so; threads waiting on it wake then."""

    def __init__(self, start: float = 1000.0) -> None:
        self._now = start
        self._changed = threading.Condition()

    def now(self) -> float:
        with self._changed:
            return self._now

    def advance(self, seconds: float) -> None:
        with self._changed:
            self._now += seconds
            self._changed.notify_all()

    def wait(self, event: threading.Event, timeout: float) -> bool:
        with self._changed:
            deadline = self._now + timeout
            while not event.is_set():
                if self._now >= deadline:
                    return False
                self._changed.wait(POLL_S)
        return True


class Transport(Generic[T]):
    """Stands in for the websocket: keeps each message the loop sends, read by ``read``
    (for example the provider's own parser of outbound messages)."""

    def __init__(self, read: Callable[[str], T]) -> None:
        self.read = read
        self.messages: list[T] = []
        self._changed = threading.Condition()

    def send(self, raw: str) -> None:
        message = self.read(raw)
        with self._changed:
            self.messages.append(message)
            self._changed.notify_all()

    def count(self, kind: type) -> int:
        with self._changed:
            return sum(isinstance(m, kind) for m in self.messages)

    def wait_for(self, kind: type, count: int, timeout: float = 5.0) -> bool:
        """Until ``count`` messages of class ``kind`` have been sent; False on time-out."""
        with self._changed:
            return self._changed.wait_for(lambda: sum(isinstance(m, kind) for m in self.messages) >= count, timeout)
