"""Phone calls between two Twilio requests, by CallSid.

A call's session lives as the state's JSON (so it could move out of the process); each
request rebuilds a :class:`PhoneCall` around it. A transfer does not end the call record at
once: whether the person answered is only known when Twilio reports the ``<Dial>`` outcome,
and a failed transfer goes on as a callback request in the same call record.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from civicline.calls import KeptCall
from flows.dialog import Engine
from flows.session import Action, SessionState, Step, Transfer

KEEP_S = 4 * 3600  # a call nobody reported ended is forgotten after this


@dataclass
class Line:
    """What we remember of one CallSid."""

    call_sid: str
    caller: str | None
    created: float = field(default_factory=time.monotonic)
    state_json: str | None = None
    turn: int = 0  # events handled; action URLs carry it so a retried webhook is recognised
    responses: dict[int, str] = field(default_factory=dict)  # TwiML already given, by turn
    transfer: Transfer | None = None
    held_end: dict[str, Any] | None = None  # call_ended of a transfer not yet answered
    pending: list[Action] = field(default_factory=list)  # to play when a stream (re)starts
    voice_twiml: str | None = None  # the answer to /twilio/voice, for Twilio's retries
    lock: threading.RLock = field(default_factory=threading.RLock)

    @property
    def state(self) -> SessionState | None:
        return SessionState.from_json(self.state_json) if self.state_json else None


class _HoldTransferEnd:
    """The recorder as the Call sees it: a transfer's end waits for the Dial's outcome."""

    def __init__(self, inner: Any, line: Line) -> None:
        self.inner, self.line = inner, line

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def call_ended(self, call_id: str, **fields: Any) -> None:
        if fields.get("outcome") == "transferred":
            self.line.held_end = dict(fields)
            return
        if self.line.transfer is not None and not fields.get("summary"):
            fields["summary"] = self.line.transfer.summary  # staff see what was asked
        self.inner.call_ended(call_id, **fields)


class PhoneCall(KeptCall):
    """A Call whose state is kept in a :class:`Line` between requests."""

    def __init__(
        self, engine: Engine, clock: Callable[[], datetime], line: Line, recorder: Any, texts: Any = None
    ) -> None:
        wrapped = _HoldTransferEnd(recorder, line) if recorder is not None else None
        super().__init__(engine, clock, line, call_id=line.call_sid, caller=line.caller, recorder=wrapped, texts=texts)
        self.line = line

    def _after(self, step: Step, event: Any, began: float, now: datetime) -> Step:
        step = super()._after(step, event, began, now)
        transfer = next((a for a in step.actions if isinstance(a, Transfer)), None)
        if transfer is not None:
            self.line.transfer = transfer
        return step

    def transfer_failed(self, status: str) -> Step:
        """The person did not answer (busy, no-answer, failed): the call goes on with the
        town's callback flow, as it does after office hours, in the same call record."""
        assert self.state is not None
        began, now = time.perf_counter(), self.clock()
        self.line.held_end = None  # the transfer did not happen
        step = self.engine.transfer_failed(self.state, now, status)
        # The call had ended with the transfer; it goes on, and will end (and be recorded) again.
        self.state = dataclasses.replace(self.state, ended=False)
        return self._after(step, None, began, now)

    def transfer_answered(self) -> None:
        held, self.line.held_end = self.line.held_end, None
        if held is not None and self.recorder is not None:
            self.recorder.inner.call_ended(self.call_id, **held)  # type: ignore[attr-defined]


class Lines:
    """Every call in progress in this process."""

    def __init__(self) -> None:
        self._lines: dict[str, Line] = {}
        self._lock = threading.Lock()

    def get(self, call_sid: str) -> Line | None:
        with self._lock:
            return self._lines.get(call_sid)

    def open(self, call_sid: str, caller: str | None) -> tuple[Line, bool]:
        """The line for this CallSid, and whether it is new (False: a Twilio retry)."""
        now = time.monotonic()
        with self._lock:
            for sid in [s for s, line in self._lines.items() if now - line.created > KEEP_S]:
                del self._lines[sid]
            line = self._lines.get(call_sid)
            if line is not None:
                return line, False
            line = self._lines[call_sid] = Line(call_sid, caller)
            return line, True

    def close(self, call_sid: str) -> Line | None:
        with self._lock:
            return self._lines.pop(call_sid, None)

    def __len__(self) -> int:
        return len(self._lines)
