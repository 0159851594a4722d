"""The audio of answers played by URL (TwiML ``<Play>``), under unguessable tokens.

An answer's audio may say what the caller said (their address, their number read back), so
it is never stored under a key anyone could compute from the text: each answer gets a
random 256-bit token, is kept in memory only, and is forgotten when its call ends or after
``KEEP_S``, whichever comes first. A stranger cannot ask for an answer they did not get."""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict

KEEP_S = 15 * 60.0
"""Twilio fetches a <Play> URL as the TwiML is executed: a few seconds; a turn lasts minutes at most."""
MAX_ANSWERS = 4096


class PlayedAudio:
    """Answers' μ-law audio by token, in memory, for a limited time."""

    def __init__(self, keep_s: float = KEEP_S, max_answers: int = MAX_ANSWERS) -> None:
        self.keep_s, self.max_answers = keep_s, max_answers
        self._items: OrderedDict[str, tuple[float, str | None, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def put(self, audio: bytes, call: str | None = None) -> str:
        token = secrets.token_hex(32)
        now = time.monotonic()
        with self._lock:
            self._items[token] = (now, call, audio)
            while self._items:
                oldest_token, (at, _, _) = next(iter(self._items.items()))
                if len(self._items) <= self.max_answers and now - at <= self.keep_s:
                    break
                del self._items[oldest_token]
        return token

    def put_many(self, audios: list[bytes], call: str | None = None) -> list[str]:
        """``put`` for each of an answer's sentences."""
        return [self.put(audio, call) for audio in audios]

    def get(self, token: str) -> bytes | None:
        with self._lock:
            item = self._items.get(token)
            if item is None:
                return None
            if time.monotonic() - item[0] > self.keep_s:
                del self._items[token]
                return None
            return item[2]

    def forget_call(self, call: str) -> int:
        """Drops every answer of a call (it ended); returns how many."""
        with self._lock:
            gone = [t for t, (_, c, _) in self._items.items() if c == call]
            for t in gone:
                del self._items[t]
        return len(gone)

    def __len__(self) -> int:
        return len(self._items)
