"""How many messages one client may send: a sliding minute per client address.

:class:`RateLimit` keeps it in memory, for one process. Only so many clients are remembered
at once: beyond that the ones not seen for longest are forgotten, so a flood of addresses
cannot fill the memory. :class:`RedisRateLimit` keeps it in Redis (``$CIVICLINE_REDIS_URL``),
so that the limit holds whichever worker each message reaches.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
import uuid
from collections import OrderedDict, deque
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

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


# KEYS: the client's sorted set of times. ARGV: now, window (s), limit, a unique member.
_ALLOW = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', tonumber(ARGV[1]) - tonumber(ARGV[2]))
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[4])
redis.call('EXPIRE', KEYS[1], math.ceil(tonumber(ARGV[2])) + 1)
return 1
"""


class RedisRateLimit:
    """The same sliding minute per client, in Redis: one count across every worker and
    machine, checked and counted in one script. The client's address is kept only as a
    hash, and for a minute. When Redis cannot be reached, this worker's own count decides."""

    def __init__(self, client: Any, per_minute: int, name: str = "chat", clock: Callable[[], float] = time.time,
                 prefix: str = "civicline:") -> None:
        self.client, self.per_minute, self.clock = client, per_minute, clock
        self.prefix = f"{prefix}rate:{name}:"
        self._allow = client.register_script(_ALLOW)
        self.local = RateLimit(per_minute, clock)

    def allow(self, client: str) -> bool:
        from redis.exceptions import RedisError  # the redis extra: only with $CIVICLINE_REDIS_URL

        key = self.prefix + hashlib.sha256(client.encode()).hexdigest()[:32]
        try:
            return bool(self._allow(keys=[key], args=[repr(self.clock()), WINDOW_S, self.per_minute, uuid.uuid4().hex]))
        except RedisError as exc:
            log.error("rate limit: Redis unreachable (%s); this worker counts alone", exc)
            return self.local.allow(client)
