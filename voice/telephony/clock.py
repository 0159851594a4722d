"""The time the real-time loop keeps: when things happened, and waiting for a moment to
come (the player's pace, the pause that ends a typed number, the silence time-out, the
deadline for the last mark). The loop is given a :class:`Clock`, so a test can move time by
hand (voice.telephony.testing.ManualClock) instead of sleeping."""

from __future__ import annotations

import threading
import time
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float:
        """Seconds on a monotonic clock (only differences mean anything)."""
        ...

    def wait(self, event: threading.Event, timeout: float) -> bool:
        """Until ``event`` is set or ``timeout`` seconds have passed on this clock; True
        when the event was set."""
        ...


class SystemClock:
    """Real time."""

    def now(self) -> float:
        return time.monotonic()

    def wait(self, event: threading.Event, timeout: float) -> bool:
        return event.wait(max(0.0, timeout))


SYSTEM_CLOCK = SystemClock()
