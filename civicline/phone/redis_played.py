"""The audio of answers played by URL (TwiML ``<Play>``) in Redis, so that Twilio's fetch of
an answer's audio may reach any worker, not only the one that made it.

The same promises as :class:`civicline.phone.played.PlayedAudio`: a random 256-bit token
per answer, never a key computed from the text; gone when its call ends or after
``KEEP_S`` (the key's time-to-live), whichever comes first. While Redis is unreachable,
answers are kept in this worker's memory (played when the fetch reaches this worker).
"""

from __future__ import annotations

import logging
import secrets
from typing import Any

from redis.exceptions import RedisError

from civicline.phone.played import KEEP_S, PlayedAudio

log = logging.getLogger(__name__)


class RedisPlayedAudio:
    """Answers' μ-law audio by token in Redis. ``client`` answers in bytes (not text)."""

    def __init__(self, client: Any, keep_s: float = KEEP_S, prefix: str = "civicline:") -> None:
        self.client, self.keep_s, self.prefix = client, keep_s, prefix
        self.local = PlayedAudio(keep_s)

    def put(self, audio: bytes, call: str | None = None) -> str:
        return self.put_many([audio], call)[0]

    def put_many(self, audios: list[bytes], call: str | None = None) -> list[str]:
        """Each sentence of an answer under its own token, in one round trip (one per sentence
        was a third of a TwiML webhook's work)."""
        tokens = [secrets.token_hex(32) for _ in audios]
        ttl = max(1, int(self.keep_s * 1000))
        try:
            with self.client.pipeline(transaction=True) as pipe:
                for token, audio in zip(tokens, audios, strict=True):
                    pipe.set(self.prefix + "played:" + token, audio, px=ttl)
                if call and tokens:  # what to forget when the call ends
                    pipe.sadd(self.prefix + "played-call:" + call, *tokens)
                    pipe.pexpire(self.prefix + "played-call:" + call, ttl)
                pipe.execute()
        except RedisError as exc:
            log.error("an answer's audio is kept in this worker only, Redis is unreachable: %s", exc)
            return self.local.put_many(audios, call)
        return tokens

    def get(self, token: str) -> bytes | None:
        found = self.local.get(token)
        if found is not None:
            return found
        try:
            audio = self.client.get(self.prefix + "played:" + token)
        except RedisError as exc:
            log.error("an answer's audio could not be read, Redis is unreachable: %s", exc)
            return None
        return bytes(audio) if audio is not None else None

    def forget_call(self, call: str) -> int:
        """Drops every answer of a call (it ended); returns how many."""
        gone = self.local.forget_call(call)
        key = self.prefix + "played-call:" + call
        try:
            tokens = self.client.smembers(key)
            with self.client.pipeline(transaction=True) as pipe:
                for token in tokens:
                    pipe.delete(self.prefix + "played:" + (token.decode() if isinstance(token, bytes) else token))
                pipe.delete(key)
                results = pipe.execute()
        except RedisError as exc:  # the keys' time-to-live ends them all the same
            log.error("the audio of call %s stays in Redis until it expires: %s", call, exc)
            return gone
        return gone + sum(int(r) for r in results[:-1])

    def __len__(self) -> int:
        return len(self.local)
