"""One-time stream passes in Redis, so that a pass issued by the worker that answered
``/twilio/voice`` is honoured by whichever worker the media websocket reaches, once.

Each pass is one key holding its CallSid, with the pass's lifetime as the key's; redeeming
it is ``GETDEL``, atomic on the server: of two sockets showing the same pass, one gets it.
"""

from __future__ import annotations

import logging
import secrets

import redis
from redis.exceptions import RedisError

from civicline.twilio.security import StreamPasses

log = logging.getLogger(__name__)


class RedisStreamPasses:
    """The same interface as :class:`civicline.twilio.security.StreamPasses`."""

    def __init__(self, client: redis.Redis, ttl_s: float = 60.0, prefix: str = "civicline:") -> None:
        self.client, self.ttl_s, self.prefix = client, ttl_s, prefix
        # While Redis is unreachable, passes live in this worker only: the stream then works
        # when it reaches this worker (always, with one worker per machine behind sticky routing).
        self.local = StreamPasses(ttl_s)

    def issue(self, call_sid: str) -> str:
        token = secrets.token_urlsafe(24)
        try:
            self.client.set(self.prefix + "pass:" + token, call_sid, px=max(1, int(self.ttl_s * 1000)))
        except RedisError as exc:
            log.error("stream pass kept in this worker only, Redis is unreachable: %s", exc)
            return self.local.issue(call_sid)
        return token

    def redeem(self, token: str | None, call_sid: str) -> bool:
        """True once for a live pass issued for this call; the pass is gone afterwards."""
        if not token or len(token) > 64:
            return False
        if self.local.redeem(token, call_sid):
            return True
        try:
            found = self.client.getdel(self.prefix + "pass:" + token)
        except RedisError as exc:  # refused: the call's <Connect action> asks for a new stream
            log.error("stream pass not checked, Redis is unreachable: %s", exc)
            return False
        return isinstance(found, str) and secrets.compare_digest(found, call_sid)
