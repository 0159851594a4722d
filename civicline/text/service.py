"""The same service as the phone line, in writing: a message in (an SMS, a chat page's form),
the engine, the written reply out, with the same flows, catalogs and records as a call.

- A number alone ("1", "0", "*", or a phone number where one is asked) is a key, as on the
  keypad; anything else is what the resident said.
- The first message of a conversation starts it in the language it is written in (when it
  can be told): the greeting, then the engine's answer to it, as to any message (an
  emergency first of all, without the menu); a message that is only a greeting gets the
  greeting and the menu, as a caller would.
- Asking for a person hands the conversation to staff: the resident's messages go on the
  call's page in the console, where staff answer (by SMS, or on the chat page).
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from civicline.calls import KeptCall
from civicline.text.conversations import Conversation, Conversations
from flows.session import Action, CallerHungUp, Event, NoInput, Pressed, Said, Say, SessionState

log = logging.getLogger(__name__)
KEYS = re.compile(r"[0-9*#]{1,3}")
NUMBER = re.compile(r"\+?[0-9][0-9 .()/-]{5,24}#?")


class Sender(Protocol):
    def deliver(self, to: str, text: str) -> str: ...
    def send(self, to: str, text: str, *, call_id: str, purpose: str) -> None: ...


class ConversationGone(Exception):
    """The conversation has ended: its number or page is no longer known."""


@dataclass(frozen=True)
class Received:
    conversation: Conversation
    replies: list[str]
    """what the assistant writes back, one paragraph a sentence said"""
    started: bool


def event_for(body: str, state: SessionState | None) -> Event:
    """What a written message is on the keypad's terms."""
    text = " ".join(body.split())
    if not text:
        return NoInput()
    ask = state.last_ask if state else None
    if ask is not None and ask.max_digits and NUMBER.fullmatch(text):
        digits = re.sub(r"[^0-9]", "", text)
        return Pressed(("+" if text.startswith("+") else "") + digits + "#")
    if KEYS.fullmatch(text):
        return Pressed(text)
    return Said(text)


def written(actions: Sequence[Action]) -> list[str]:
    return [a.text for a in actions if isinstance(a, Say) and a.text]


class TextCall(KeptCall):
    """A call on a written channel. A hand-over to a person leaves the record open: resident
    and staff go on writing, and the record ends when the conversation closes."""

    def __init__(self, engine: Any, clock: Callable[[], datetime], conversation: Conversation, recorder: Any,
                 texts: Any) -> None:
        super().__init__(engine, clock, conversation, call_id=conversation.id, caller=conversation.caller,
                         language=conversation.language, recorder=recorder, channel=conversation.channel,
                         texts=texts, town=conversation.town)
        self.conversation = conversation
        self.opening: str | None = None
        """a first message not sent to the engine (a greeting): recorded with the start"""

    def _after(self, step: Any, event: Any, began: float, now: datetime) -> Any:
        if event is None and self.opening:
            event, self.opening = Said(self.opening), None
        step = super()._after(step, event, began, now)
        self.conversation.steps += 1  # Call._after gave the record one turn
        return step

    def _record(self, method: str, *args: Any, **kwargs: Any) -> None:
        if method == "call_ended" and kwargs.get("outcome") == "transferred":
            self.conversation.held_end = dict(kwargs)
            self.conversation.with_person = True
            return
        super()._record(method, *args, **kwargs)


class TextService:
    """Every text conversation of the process and what happens to each message."""

    def __init__(self, app_ext: Any, conversations: Conversations | Any, clock: Callable[[], datetime] | None = None) -> None:
        self.app_ext = app_ext
        self.conversations = conversations
        self.clock = clock  # tests fix the time; default: the town's now
        self._stop = threading.Event()

    def now(self, town: str | None = None) -> datetime:
        if self.clock is not None:
            return self.clock()
        return datetime.now(getattr(self.app_ext.runtime_of(town).town, "timezone", None))

    def call(self, conversation: Conversation) -> TextCall:
        """A Call around the conversation's session, on the flows it started with, those of
        the town written to."""
        state = SessionState.from_json(conversation.state_json) if conversation.state_json else None
        if state is not None:
            self._resume(conversation, state.lang)
        engine = self.app_ext.engine(state.flow_version if state else None, conversation.town)
        return TextCall(engine, lambda: self.now(conversation.town), conversation, self.app_ext.recorder,
                        self.app_ext.texts)

    # ---- a message from a resident ----

    def receive(self, channel: str, address: str, body: str, *, caller: str | None = None,
                language: str | None = None, message_id: str | None = None, town: str | None = None) -> Received:
        """``town``: the key of the town written to (civicline.towns); None: the default town."""
        self.end_idle()
        conversation = self.conversations.find(channel, address)
        if conversation is None or conversation.finished:
            conversation = self.conversations.open(channel, address, caller,
                                                   language or self._language_of(body, town), town)
            return self._first(conversation, body, message_id)
        with self.conversations.editing(conversation):
            if message_id and message_id in conversation.answered:
                log.info("conversation %s: message %s delivered again; same answer", conversation.id, message_id)
                return Received(conversation, conversation.answered[message_id], False)
            self.conversations.touch(conversation)
            conversation.add("resident", body)
            if conversation.with_person:
                self._record_turn(conversation, caller_text=body, intent="to_person")
                return self._done(conversation, [], message_id, False)
            call = self.call(conversation)
            replies = written(call.send(event_for(body, call.state)).actions)
            return self._done(conversation, replies, message_id, False, call)

    def _first(self, conversation: Conversation, body: str, message_id: str | None) -> Received:
        """The greeting, then the engine's answer to the message: an emergency in it is
        answered first (no menu before the number to call); a question not understood gets
        the usual apology and is recorded. A message that is only a greeting ("Bonjour !")
        gets the greeting and the menu, as a caller would."""
        with self.conversations.editing(conversation):
            conversation.add("resident", body)
            call = self.call(conversation)
            event = event_for(body, None)
            greeting_only = isinstance(event, Said) and (
                not re.search(r"\w", body)  # no word at all: "👋", "?"
                or bool(self._greeted_in(body, conversation.town)))
            if greeting_only:
                call.opening = body  # asks nothing, but kept: the record shows what was written
            start = list(call.start().actions)
            event = event_for(body, call.state)
            if call.ended or greeting_only or isinstance(event, NoInput):
                return self._done(conversation, written(start), message_id, True, call)
            answer = list(call.send(event).actions)
            if call.state is not None and call.state.emergency:  # never a menu: the advice and its question
                return self._done(conversation, written(answer), message_id, True, call)
            urgent = [a for a in answer if isinstance(a, Say) and (a.prompt or "").startswith("emergency.")]
            rest = [a for a in answer if a not in urgent]
            again = set(written(rest))  # a question the answer asks again is not written twice
            replies = written(urgent) + [text for text in written(start) if text not in again] + written(rest)
            return self._done(conversation, replies, message_id, True, call)

    def _done(self, conversation: Conversation, replies: list[str], message_id: str | None, started: bool,
              call: TextCall | None = None) -> Received:
        if replies:
            conversation.add("assistant", "\n".join(replies))
        if message_id:
            conversation.remember_reply(message_id, replies)
        if call is not None and call.ended and not conversation.with_person:
            self.conversations.finish(conversation)  # the next message starts a new conversation
        return Received(conversation, replies, started)

    def _greeted_in(self, body: str, town: str | None) -> list[str]:
        understanding = self.app_ext.runtime_of(town).understanding
        return understanding.greeting_languages(body) if understanding else []

    def _language_of(self, body: str, town: str | None = None) -> str | None:
        runtime = self.app_ext.runtime_of(town)
        if runtime.fixed_language or len(runtime.languages) < 2:
            return None
        found = runtime.understanding.language_of(body) if runtime.understanding else None
        if found is None:  # "Bonjour !" says too little for the detector, but is French
            greeted_in = [lang for lang in self._greeted_in(body, town) if lang in runtime.languages]
            found = greeted_in[0] if len(greeted_in) == 1 else None
        return found if found in runtime.languages else None

    # ---- staff ----

    def staff_reply(self, call_id: str, text: str) -> Conversation:
        """A person's answer, written in the console: by SMS, or on the chat page.
        Raises ConversationGone, or the sender's error when the SMS could not leave."""
        conversation = self.conversations.by_id(call_id)
        if conversation is None:
            raise ConversationGone(call_id)
        with self.conversations.editing(conversation):
            if conversation.channel == "sms":
                if conversation.caller is None or self.app_ext.texts is None:
                    raise ConversationGone(call_id)
                self.app_ext.texts.deliver(conversation.caller, text)
            conversation.add("staff", text)
            conversation.with_person = True
            self.conversations.touch(conversation)
            self._record_turn(conversation, assistant_text=text, intent="staff_reply")
        return conversation

    def _resume(self, conversation: Conversation, language: str | None = None) -> None:
        """The record's next turn is the conversation's own count: another worker (or this
        one before a restart) may have written the last ones."""
        resume = getattr(self.app_ext.recorder, "resume", None)
        if callable(resume):
            resume(conversation.id, caller=conversation.caller, language=language or conversation.language,
                   next_turn=conversation.steps)

    def _record_turn(self, conversation: Conversation, *, caller_text: str | None = None,
                     assistant_text: str = "", intent: str) -> None:
        recorder = self.app_ext.recorder
        if recorder is None:
            return
        self._resume(conversation)
        conversation.steps += 1
        try:
            recorder.turn(conversation.id, at=self.now(conversation.town), caller_text=caller_text, key=None, intent=intent,
                          score=None, node="@person", assistant_text=assistant_text, provenance=[], latency_ms=None)
        except Exception:  # records must never break a conversation
            log.exception("conversation %s: recording a turn failed", conversation.id)

    # ---- endings ----

    def end(self, conversation: Conversation, reason: str) -> None:
        """The conversation is over (idle, or the resident opted out): its record ends."""
        self.conversations.close(conversation)
        if conversation.finished:
            return
        with self.conversations.editing(conversation):
            conversation.finished = True
            if conversation.held_end is not None:
                held, conversation.held_end = conversation.held_end, None
                if self.app_ext.recorder is not None:
                    self._resume(conversation)
                    self.app_ext.recorder.call_ended(conversation.id, **held)
                return
            call = self.call(conversation)
            if call.state is not None and not call.ended:
                log.info("conversation %s ended: %s", conversation.id, reason)
                call.send(CallerHungUp())

    def end_idle(self) -> int:
        gone = self.conversations.idle()
        for conversation in gone:
            try:
                self.end(conversation, "idle")
            except Exception:
                log.exception("conversation %s: could not be ended", conversation.id)
        return len(gone)

    def start_sweeper(self, every_s: float = 60.0) -> None:
        """Ends idle conversations even when nobody writes (their records close on time)."""

        def sweep() -> None:
            while not self._stop.wait(every_s):
                self.end_idle()

        threading.Thread(target=sweep, name="text-idle", daemon=True).start()

    def stop(self) -> None:
        self._stop.set()
