"""Calls in progress in Redis, for several workers and machines: any of them answers any
TwiML turn of any call, and a worker that dies (``kill -9``) loses no call.

:class:`RedisInProgressStore` is the :class:`~civicline.phone.in_progress_store.InProgressStore` of one Redis
server: one hash per CallSid (the state's JSON, when it was last written, when the call
ended) and two sorted sets by time, so that :meth:`RedisInProgressStore.expire` finds what to
forget without a scan. Every method is one Lua script, atomic on the server: two workers
adding the same CallSid cannot both win, and a late write never reopens an ended call.
Each hash also carries a Redis time-to-live (the same durations as the SQLite file keeps
them), so that nothing outlives them even when no worker ever calls ``expire``.

:class:`RedisCallLocks` gives each call a lock all workers see (redis-py's
:class:`~redis.lock.Lock`), held for the length of a turn: two webhooks of one call never
change it at once, whichever workers they reach.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from typing import Any

import redis
from redis.exceptions import LockError, RedisError

from civicline.phone.in_progress import KEEP_ENDED_S, KEEP_S
from civicline.phone.in_progress_store import StoredCall

log = logging.getLogger(__name__)
PREFIX = "civicline:"

# KEYS: the call's hash, the in-progress set, the ended set. ARGV: sid, data, at, ttl.
_ADD = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'data', ARGV[2], 'updated_at', ARGV[3])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[4])
return 1
"""
_PUT = """
if redis.call('HEXISTS', KEYS[1], 'updated_at') == 0 or redis.call('HEXISTS', KEYS[1], 'ended_at') == 1 then
  return 0
end
redis.call('HSET', KEYS[1], 'data', ARGV[2], 'updated_at', ARGV[3])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[4])
return 1
"""
# The first end wins: a replayed status callback does not move the time the call ended.
_END = """
local ended = redis.call('HGET', KEYS[1], 'ended_at') or ARGV[3]
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'updated_at', ARGV[3], 'ended_at', ended)
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZADD', KEYS[3], ended, ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[4])
return 1
"""
# KEYS: the in-progress set, the ended set. ARGV: the hash keys' prefix, the two bounds
# (exclusive, as the SQLite store's "<").
_EXPIRE = """
local gone = 0
for i, set in ipairs(KEYS) do
  local sids = redis.call('ZRANGEBYSCORE', set, '-inf', '(' .. ARGV[i + 1])
  for _, sid in ipairs(sids) do
    redis.call('DEL', ARGV[1] .. sid)
    redis.call('ZREM', set, sid)
    gone = gone + 1
  end
end
return gone
"""


def connect(url: str, *, text: bool = True) -> redis.Redis:
    """A client for ``CIVICLINE_REDIS_URL`` (redis://, rediss://, unix://), answering in text
    (or bytes, for audio). Short time-outs: a webhook must be answered within Twilio's 15 s
    even when Redis is gone."""
    return redis.Redis.from_url(url, decode_responses=text, socket_timeout=5.0, socket_connect_timeout=2.0,
                                health_check_interval=30)


class RedisInProgressStore:
    """Calls in progress in Redis (see the module's docstring)."""

    def __init__(self, client: redis.Redis, prefix: str = PREFIX, keep_s: int = KEEP_S,
                 keep_ended_s: int = KEEP_ENDED_S) -> None:
        self.client, self.prefix = client, prefix
        self.keep_s, self.keep_ended_s = keep_s, keep_ended_s
        self._in_progress, self._ended = prefix + "in_progress:in-progress", prefix + "in_progress:ended"
        self._add = client.register_script(_ADD)
        self._put = client.register_script(_PUT)
        self._end = client.register_script(_END)
        self._expire = client.register_script(_EXPIRE)

    def _key(self, call_sid: str) -> str:
        return f"{self.prefix}call:{call_sid}"

    def get(self, call_sid: str) -> StoredCall | None:
        data, updated_at, ended_at = self.client.hmget(self._key(call_sid), ["data", "updated_at", "ended_at"])
        if updated_at is None:
            return None
        return StoredCall(str(data) if data is not None else None, float(ended_at) if ended_at is not None else None)

    def add(self, call_sid: str, data: str, at: float) -> bool:
        keys = [self._key(call_sid), self._in_progress, self._ended]
        return bool(self._add(keys=keys, args=[call_sid, data, repr(at), self.keep_s]))

    def put(self, call_sid: str, data: str, at: float) -> None:
        self._put(keys=[self._key(call_sid), self._in_progress, self._ended], args=[call_sid, data, repr(at), self.keep_s])

    def end(self, call_sid: str, at: float) -> None:
        keys = [self._key(call_sid), self._in_progress, self._ended]
        self._end(keys=keys, args=[call_sid, "", repr(at), self.keep_ended_s])  # no data: ARGV[2] empty

    def expire(self, in_progress_before: float, ended_before: float) -> int:
        args = [self.prefix + "call:", repr(in_progress_before), repr(ended_before)]
        return int(self._expire(keys=[self._in_progress, self._ended], args=args))


class RedisCallLocks:
    """One lock per CallSid in Redis, for the length of a turn.

    ``timeout_s`` frees the lock of a worker that died holding it (``kill -9``): Twilio's
    retry of that webhook waits at most this long on another worker. A turn that outlives
    it (a very slow recognition) loses the lock; the turn numbers in the action URLs still
    keep a retried webhook from moving the call on twice."""

    def __init__(self, client: redis.Redis, prefix: str = PREFIX, timeout_s: float = 20.0,
                 wait_s: float = 20.0) -> None:
        self.client, self.prefix = client, prefix
        self.timeout_s, self.wait_s = timeout_s, wait_s

    @contextlib.contextmanager
    def hold(self, call_sid: str) -> Iterator[None]:
        """Held while the block runs. When Redis cannot be reached, or the lock does not come
        within ``wait_s``, the turn goes on all the same (logged): a caller who hears the next
        question beats one who hears silence, and the call's state store reports the outage."""
        lock: Any = self.client.lock(f"{self.prefix}lock:{call_sid}", timeout=self.timeout_s,
                                     blocking_timeout=self.wait_s, thread_local=False)
        try:
            held = bool(lock.acquire())
        except RedisError as exc:
            log.error("call %s: no lock across workers (%s); this turn goes on without it", call_sid, exc)
            held = False
        else:
            if not held:
                log.error("call %s: the lock did not come within %.0f s; this turn goes on without it",
                          call_sid, self.wait_s)
        try:
            yield
        finally:
            if held:
                try:
                    lock.release()
                except (LockError, RedisError) as exc:  # expired meanwhile, or Redis went away
                    log.error("call %s: the lock was lost during the turn: %s", call_sid, exc)
