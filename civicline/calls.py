"""One call, whatever the transport: feeds events to the engine and records what happened.

Every adapter (terminal, scenarios, browser, Twilio, text messages, the chat page) drives a
:class:`Call`; the recorder (call records) is optional so that the engine can run without a
store, and so is the sender of text messages (an answer's copy by SMS). A transport that
keeps the session outside the process between two requests uses :class:`KeptCall`.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from flows.dialog import Engine
from flows.session import (
    VOICE,
    Event,
    Pressed,
    Said,
    Say,
    SendText,
    SessionState,
    StaffRequest,
    Step,
    Transfer,
)

log = logging.getLogger(__name__)


class Recorder(Protocol):
    def call_started(
        self, call_id: str, *, caller: str | None, language: str | None, at: datetime, channel: str = ...,
        town: str | None = ...,
    ) -> None: ...
    def turn(self, call_id: str, **fields: Any) -> None: ...
    def language_set(self, call_id: str, language: str) -> None: ...
    def staff_request(self, call_id: str, *, kind: str, details: dict) -> None: ...
    def call_ended(self, call_id: str, **fields: Any) -> None: ...


class TextSender(Protocol):
    """Sends a text message (civicline.twilio.messages.TwilioTexts); never raises into the
    call: a message that cannot be sent goes on the staff's review list."""

    def send(self, to: str, text: str, *, call_id: str, purpose: str) -> None: ...


class Call:
    def __init__(
        self,
        engine: Engine,
        clock: Callable[[], datetime],
        *,
        call_id: str | None = None,
        caller: str | None = None,
        language: str | None = None,
        recorder: Recorder | None = None,
        channel: str = VOICE,
        texts: TextSender | None = None,
        town: str | None = None,
    ):
        """``town``: the key of the town the call reached (civicline.towns), for its record;
        None: the recorder's own town."""
        self.engine = engine
        self.clock = clock
        self.call_id = call_id or uuid.uuid4().hex
        self.caller = caller
        self.language = language
        self.recorder = recorder
        self.channel = channel
        self.texts = texts
        self.town = town
        self.state: SessionState | None = None

    @property
    def ended(self) -> bool:
        return bool(self.state and self.state.ended)

    def start(self) -> Step:
        began = time.perf_counter()
        now = self.clock()
        step = self.engine.start(self.call_id, now, caller=self.caller, language=self.language, channel=self.channel)
        town = {"town": self.town} if self.town is not None else {}
        self._record("call_started", caller=self.caller, language=step.state.lang, at=now, channel=self.channel, **town)
        return self._after(step, None, began, now)

    def send(self, event: Event) -> Step:
        if self.state is None:
            raise RuntimeError("the call has not started")
        began = time.perf_counter()
        now = self.clock()
        step = self.engine.step(self.state, event, now)
        return self._after(step, event, began, now)

    def preview(self, event: Event) -> Step:
        """What ``send`` would return, without changing or recording the call (the engine
        works on a copy of the state)."""
        if self.state is None:
            raise RuntimeError("the call has not started")
        return self.engine.step(self.state, event, self.clock())

    def _after(self, step: Step, event: Event | None, began: float, now: datetime) -> Step:
        previous = self.state
        self.state = step.state
        if previous is not None and previous.lang != step.state.lang and step.state.lang:
            self._record("language_set", step.state.lang)
        said = " ".join(a.text for a in step.actions if isinstance(a, Say))
        sources = [s.to_json() for a in step.actions if isinstance(a, Say) for s in a.provenance]
        self._record(
            "turn",
            at=now,
            caller_text=event.text if isinstance(event, Said) else None,
            key=event.key if isinstance(event, Pressed) else None,
            intent=step.intent,
            score=step.score,
            node=step.node,
            assistant_text=said,
            provenance=sources,
            latency_ms=(time.perf_counter() - began) * 1000,
            emergency_notice=any(isinstance(a, Say) and a.prompt == "emergency.notice" for a in step.actions),
        )
        for action in step.actions:
            if isinstance(action, SendText):
                self._send_text(action)
            if isinstance(action, StaffRequest):
                details = dict(action.details)
                if action.kind == "callback":
                    details.setdefault("language", step.state.lang)
                self._record("staff_request", kind=action.kind, details=details)
        if step.state.ended and (previous is None or not previous.ended):
            transfer = next((a for a in step.actions if isinstance(a, Transfer)), None)
            rating = (step.state.slots.get("satisfaction") or {}).get("number")
            self._record(
                "call_ended",
                at=now,
                outcome=step.state.outcome or "answered",
                transfer_reason=step.state.transfer_reason,
                satisfaction=rating if isinstance(rating, int) and 1 <= rating <= 5 else None,
                summary=transfer.summary if transfer else None,
            )
        return step

    def _send_text(self, action: SendText) -> None:
        """To the number typed for it, or the caller's own; the number goes no further."""
        to = action.to or self.caller
        if self.texts is None or not to:
            log.error("call %s: a text message (%s) was asked for but %s", self.call_id, action.purpose,
                      "no number is known" if self.texts else "this line sends no text messages")
            self._record("staff_request", kind="review", details={"reason": "text message not sent",
                                                                   "context": {"purpose": action.purpose}})
            return
        self.texts.send(to, action.text, call_id=self.call_id, purpose=action.purpose)

    def _record(self, method: str, *args: Any, **kwargs: Any) -> None:
        if self.recorder is None:
            return
        try:
            getattr(self.recorder, method)(self.call_id, *args, **kwargs)
        except Exception:  # records must never break a call
            log.exception("call %s: recording %s failed", self.call_id, method)


class KeptCall(Call):
    """A Call whose session is kept as JSON in ``holder.state_json`` between two requests (a
    phone call in progress, a text conversation), so that it could live outside the process."""

    def __init__(self, engine: Engine, clock: Callable[[], datetime], holder: Any, **kwargs: Any) -> None:
        super().__init__(engine, clock, **kwargs)
        self.holder = holder
        self.state = SessionState.from_json(holder.state_json) if holder.state_json else None

    def _after(self, step: Step, event: Event | None, began: float, now: datetime) -> Step:
        step = super()._after(step, event, began, now)
        self.holder.state_json = step.state.to_json()
        return step
