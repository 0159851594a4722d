"""Text conversations (SMS, the chat page) in Redis, for several workers and machines: any
worker answers any message of any conversation, and staff answer from any worker's console.

Each conversation is one JSON value (``civicline:conversation:<id>``); the address the next
message comes from (a hash of the channel and the sender's number or chat cookie: no number
in a key's name) names its id; a sorted set by last activity lets every worker's sweeper
find the idle ones, and the one that removes a conversation from it ends it, once. A change
is made under a lock all workers see (:class:`~civicline.phone.redis_store.RedisCallLocks`),
on the conversation as Redis has it, and written back before the answer leaves. Values carry
a time-to-live, so nothing outlives a conversation when no worker is left to end it.

When Redis cannot be reached, each worker goes on alone, as the phone line does: it keeps a
copy of the conversations it served and answers from it (a message that reaches a worker
that never saw the conversation starts a new one there), and ``problem`` says so for
``/health``. When Redis answers again, a conversation it lost is put back from the copy.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from redis.exceptions import RedisError

from civicline.phone.redis_store import PREFIX, RedisCallLocks
from civicline.text.conversations import Conversation, Conversations, Message

log = logging.getLogger(__name__)

# KEYS: the conversation, its address, the activity set. ARGV: json, ttl, last active, id.
_OPEN = """
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
redis.call('SET', KEYS[2], ARGV[4], 'EX', ARGV[2])
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[4])
return 1
"""
# Written back only while it exists: a conversation another worker closed stays closed.
_SAVE = """
if not redis.call('SET', KEYS[1], ARGV[1], 'XX', 'EX', ARGV[2]) then return 0 end
if redis.call('GET', KEYS[2]) == ARGV[4] then redis.call('EXPIRE', KEYS[2], ARGV[2]) end
redis.call('ZADD', KEYS[3], 'XX', ARGV[3], ARGV[4])
return 1
"""
# The address is forgotten only if it still names this conversation (not the next one).
# Returns 1 for the worker that removed it from the activity set: that one ends it.
_CLOSE = """
if redis.call('GET', KEYS[2]) == ARGV[1] then redis.call('DEL', KEYS[2]) end
redis.call('DEL', KEYS[1])
return redis.call('ZREM', KEYS[3], ARGV[1])
"""


def to_json(c: Conversation) -> str:
    return json.dumps({
        "channel": c.channel, "address": c.address, "caller": c.caller, "language": c.language, "town": c.town,
        "id": c.id, "last_active": c.last_active, "state_json": c.state_json, "with_person": c.with_person,
        "finished": c.finished, "held_end": c.held_end, "steps": c.steps, "form_token": c.form_token, "answered": c.answered,
        "transcript": [[m.by, m.text, m.seq] for m in c.transcript],
    }, default=str)


def _fields(data: str) -> dict[str, Any]:
    raw = json.loads(data)
    raw["transcript"] = [Message(by, text, seq) for by, text, seq in raw.get("transcript", [])]
    return raw


def from_json(data: str) -> Conversation:
    return Conversation(**_fields(data))


class RedisConversations:
    """The interface of :class:`~civicline.text.conversations.Conversations`, in Redis."""

    def __init__(self, client: Any, idle_s: float, person_idle_s: float, clock: Callable[[], float] = time.time,
                 prefix: str = PREFIX, lock_wait_s: float = 20.0) -> None:
        self.client, self.idle_s, self.person_idle_s, self.clock = client, idle_s, person_idle_s, clock
        self.prefix = prefix
        self.ttl_s = int(2 * max(idle_s, person_idle_s)) + 3600  # the sweeper ends them well before
        self._active = prefix + "conversations:active"
        self._open = client.register_script(_OPEN)
        self._save = client.register_script(_SAVE)
        self._close = client.register_script(_CLOSE)
        self.locks = RedisCallLocks(client, prefix=prefix + "conversation-", wait_s=lock_wait_s)
        self._held = threading.local()
        self.local = Conversations(idle_s, person_idle_s, lambda: self.clock())  # this worker's copies
        self.failures = 0
        self.last_error: str | None = None

    @property
    def problem(self) -> str | None:
        """Why conversations are answered from this worker's copies only, or None."""
        if self.last_error:
            return f"text conversations are not being saved ({self.failures} failures): {self.last_error}"
        return None

    def _failed(self, exc: Exception) -> None:
        self.failures += 1
        self.last_error = f"{type(exc).__name__}: {exc}"
        log.error("text conversations: Redis failed (%s); this worker answers from its own copies", self.last_error)

    def _key(self, conversation_id: str) -> str:
        return f"{self.prefix}conversation:{conversation_id}"

    def _by(self, channel: str, address: str) -> str:
        digest = hashlib.sha256(f"{channel}\0{address}".encode()).hexdigest()
        return f"{self.prefix}conversation-by:{digest}"

    def _load(self, conversation_id: str | None) -> Conversation | None:
        data = self.client.get(self._key(conversation_id)) if conversation_id else None
        return from_json(data) if data else None

    def find(self, channel: str, address: str) -> Conversation | None:
        try:
            found = self._load(self.client.get(self._by(channel, address)))
        except RedisError as exc:
            self._failed(exc)
            return self.local.find(channel, address)
        if found is None:
            copy = self.local.find(channel, address)
            if copy is not None and not copy.finished:
                self._put_back(copy)  # Redis lost it (restarted empty, or down when it began)
            return copy
        self.local.keep(found)
        return found

    def by_id(self, call_id: str) -> Conversation | None:
        try:
            found = self._load(call_id)
        except RedisError as exc:
            self._failed(exc)
            return self.local.by_id(call_id)
        return found if found is not None and not found.finished else None

    def open(self, channel: str, address: str, caller: str | None, language: str | None = None,
             town: str | None = None) -> Conversation:
        conversation = Conversation(channel, address, caller, language, town, last_active=self.clock())
        self.local.keep(conversation)
        self._put_back(conversation)
        return conversation

    def _put_back(self, conversation: Conversation) -> None:
        try:
            self._open(keys=[self._key(conversation.id), self._by(conversation.channel, conversation.address),
                             self._active],
                       args=[to_json(conversation), self.ttl_s, repr(conversation.last_active), conversation.id])
        except RedisError as exc:
            self._failed(exc)

    @contextmanager
    def editing(self, conversation: Conversation) -> Iterator[Conversation]:
        """The conversation locked across workers, as Redis has it, written back at the end."""
        held: set[str] = self._held.__dict__.setdefault("ids", set())
        if conversation.id in held:  # already held by this thread: a nested change
            yield conversation
            return
        with conversation.lock, self.locks.hold(conversation.id):
            held.add(conversation.id)
            try:
                try:
                    data = self.client.get(self._key(conversation.id))
                except RedisError as exc:
                    self._failed(exc)
                    data = None
                if data:  # another worker may have moved it on since it was read
                    for name, value in _fields(data).items():
                        setattr(conversation, name, value)
                yield conversation
            finally:
                held.discard(conversation.id)
                self.save(conversation)

    def save(self, conversation: Conversation) -> None:
        if not conversation.finished or self.local.find(conversation.channel, conversation.address) is conversation:
            self.local.keep(conversation)
        try:
            self._save(keys=[self._key(conversation.id), self._by(conversation.channel, conversation.address),
                             self._active],
                       args=[to_json(conversation), self.ttl_s, repr(conversation.last_active), conversation.id])
        except RedisError as exc:
            self._failed(exc)
        else:
            self.last_error = None

    def touch(self, conversation: Conversation) -> None:
        conversation.last_active = self.clock()

    def finish(self, conversation: Conversation) -> None:
        conversation.finished = True

    def close(self, conversation: Conversation) -> bool:
        """Forgotten now; True for the one worker whose close removed it."""
        kept_here = self.local.close(conversation)
        keys = [self._key(conversation.id), self._by(conversation.channel, conversation.address), self._active]
        try:
            return bool(self._close(keys=keys, args=[conversation.id]))
        except RedisError as exc:
            self._failed(exc)
            return kept_here

    def idle(self) -> list[Conversation]:
        """The conversations nobody wrote in for too long, forgotten, each by one worker only;
        those not finished yet are returned for the caller to end."""
        try:
            gone = self._idle_shared()
        except RedisError as exc:
            self._failed(exc)
            return self.local.idle()
        self.local.idle()  # copies of conversations that Redis holds: the shared sweep ends them
        return gone

    def _idle_shared(self) -> list[Conversation]:
        now = self.clock()
        gone: list[Conversation] = []
        for conversation_id in self.client.zrangebyscore(self._active, "-inf", repr(now - min(self.idle_s, self.person_idle_s))):
            found = self._load(conversation_id)
            if found is None:
                self.client.zrem(self._active, conversation_id)  # its value expired
                continue
            if now - found.last_active <= (self.person_idle_s if found.with_person else self.idle_s):
                continue
            if self.close(found):
                gone.append(found)
        return [c for c in gone if not c.finished]

    def __len__(self) -> int:
        try:
            return int(self.client.zcard(self._active))
        except RedisError as exc:
            self._failed(exc)
            return len(self.local)
