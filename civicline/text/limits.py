"""How many messages one client may send: a sliding minute per client address.

Kept in memory, for one process (docs/deployment.md runs one worker). Only so many clients
are remembered at once: beyond that the ones not seen for longest are forgotten, so a flood
of addresses cannot fill the memory.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable

WINDOW_S = 60.0
MAX_CLIENTS = 10_000


class RateLimit:
    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute, self.clock = per_minute, clock
        self._seen: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def allow(self, client: str) -> bool:
        """True, and counted, when the client is under its limit."""
        now = self.clock()
        with self._lock:
            times = self._seen.pop(client, None) or deque()
            while times and now - times[0] >= WINDOW_S:
                times.popleft()
            allowed = len(times) < self.per_minute
            if allowed:
                times.append(now)
            self._seen[client] = times  # most recently seen last
            while len(self._seen) > MAX_CLIENTS:
                self._seen.popitem(last=False)
            return allowed
