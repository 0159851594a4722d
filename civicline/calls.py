"""One call, whatever the transport: feeds events to the engine and records what happened.

Every adapter (terminal, scenarios, browser, Twilio) drives a :class:`Call`; the recorder
(call records) is optional so that the engine can run without a store.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from flows.dialog import Engine
from flows.session import Event, Pressed, Said, Say, SessionState, StaffRequest, Step, Transfer

log = logging.getLogger(__name__)


class Recorder(Protocol):
    def call_started(self, call_id: str, *, caller: str | None, language: str | None, at: datetime) -> None: ...
    def turn(self, call_id: str, **fields: Any) -> None: ...
    def language_set(self, call_id: str, language: str) -> None: ...
    def staff_request(self, call_id: str, *, kind: str, details: dict) -> None: ...
    def call_ended(self, call_id: str, **fields: Any) -> None: ...


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
    ):
        self.engine = engine
        self.clock = clock
        self.call_id = call_id or uuid.uuid4().hex
        self.caller = caller
        self.language = language
        self.recorder = recorder
        self.state: SessionState | None = None

    @property
    def ended(self) -> bool:
        return bool(self.state and self.state.ended)

    def start(self) -> Step:
        began = time.perf_counter()
        now = self.clock()
        step = self.engine.start(self.call_id, now, caller=self.caller, language=self.language)
        self._record("call_started", caller=self.caller, language=step.state.lang, at=now)
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
        )
        for action in step.actions:
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

    def _record(self, method: str, *args: Any, **kwargs: Any) -> None:
        if self.recorder is None:
            return
        try:
            getattr(self.recorder, method)(self.call_id, *args, **kwargs)
        except Exception:  # records must never break a call
            log.exception("call %s: recording %s failed", self.call_id, method)
