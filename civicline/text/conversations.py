"""Text conversations in progress (SMS, the chat page), found again by the address the next
message comes from: the sender's number, or the chat page's cookie.

A conversation is a call on a written channel: the same session state between two messages
(kept as JSON, like a phone call's between two Twilio requests), one call record. It ends
when the engine ends it, or when nobody writes for a while (``[text] idle_minutes``; longer
once a person has it). Nothing here outlives the conversation: the sender's number and the
chat page's transcript are forgotten with it; the call records keep what the records' rules
say (docs/privacy.md).
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

MAX_ANSWERED = 8  # replies kept per conversation for a webhook delivered twice
MAX_TRANSCRIPT = 200  # messages the chat page shows


@dataclass(frozen=True)
class Message:
    """One message of the chat page's transcript: from the resident, the assistant or staff."""

    by: str  # resident | assistant | staff
    text: str
    seq: int


@dataclass
class Conversation:
    channel: str  # sms | chat
    address: str  # how the next message finds it: the sender's number, or the chat cookie
    caller: str | None  # the number to answer (SMS); None on the chat page
    language: str | None = None
    town: str | None = None  # the key of the town written to (civicline.towns); None: the default town
    id: str = field(default_factory=lambda: uuid.uuid4().hex)  # the call record's id
    last_active: float = field(default_factory=time.monotonic)
    state_json: str | None = None
    with_person: bool = False  # handed to staff, who answer from the console
    finished: bool = False  # the engine ended it: shown (chat page) until idle, never continued
    held_end: dict[str, Any] | None = None  # the record's end, written when the conversation closes
    steps: int = 0  # turns given to the call record: the number of the next one there
    transcript: list[Message] = field(default_factory=list)
    answered: dict[str, list[str]] = field(default_factory=dict)  # provider's message id -> replies
    form_token: str = field(default_factory=lambda: uuid.uuid4().hex)
    lock: threading.RLock = field(default_factory=threading.RLock)

    def add(self, by: str, text: str) -> Message:
        message = Message(by, text, (self.transcript[-1].seq + 1) if self.transcript else 0)
        self.transcript.append(message)
        del self.transcript[:-MAX_TRANSCRIPT]
        return message

    def remember_reply(self, message_id: str, replies: list[str]) -> None:
        self.answered[message_id] = replies
        while len(self.answered) > MAX_ANSWERED:
            self.answered.pop(next(iter(self.answered)))


class Conversations:
    """Every text conversation in progress in this process, by address and by record id."""

    def __init__(self, idle_s: float, person_idle_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.idle_s, self.person_idle_s, self.clock = idle_s, person_idle_s, clock
        self._by_address: dict[tuple[str, str], Conversation] = {}
        self._lock = threading.Lock()

    def find(self, channel: str, address: str) -> Conversation | None:
        with self._lock:
            return self._by_address.get((channel, address))

    def by_id(self, call_id: str) -> Conversation | None:
        """The conversation in progress with this record id (None once finished)."""
        with self._lock:
            return next((c for c in self._by_address.values() if c.id == call_id and not c.finished), None)

    def open(self, channel: str, address: str, caller: str | None, language: str | None = None,
             town: str | None = None) -> Conversation:
        conversation = Conversation(channel, address, caller, language, town, last_active=self.clock())
        with self._lock:
            self._by_address[(channel, address)] = conversation
        return conversation

    def keep(self, conversation: Conversation) -> None:
        """Kept as given (a copy of one held elsewhere), in place of any other at its address."""
        with self._lock:
            self._by_address[(conversation.channel, conversation.address)] = conversation

    @contextmanager
    def editing(self, conversation: Conversation) -> Iterator[Conversation]:
        """The conversation, locked while it changes (in Redis: across workers, and saved)."""
        with conversation.lock:
            yield conversation

    def touch(self, conversation: Conversation) -> None:
        conversation.last_active = self.clock()

    def finish(self, conversation: Conversation) -> None:
        """Ended: the next message starts another; its page still shows it until idle."""
        conversation.finished = True

    def close(self, conversation: Conversation) -> bool:
        """Forgotten now: its number, its transcript. True when it was still kept."""
        with self._lock:
            if self._by_address.get((conversation.channel, conversation.address)) is conversation:
                del self._by_address[(conversation.channel, conversation.address)]
                return True
            return False

    def idle(self) -> list[Conversation]:
        """The conversations nobody wrote in for too long, forgotten; those not finished yet
        are returned for the caller to end."""
        now = self.clock()
        with self._lock:
            gone = [
                c for c in self._by_address.values()
                if now - c.last_active > (self.person_idle_s if c.with_person else self.idle_s)
            ]
            for c in gone:
                del self._by_address[(c.channel, c.address)]
        return [c for c in gone if not c.finished]

    def __len__(self) -> int:
        return len(self._by_address)
