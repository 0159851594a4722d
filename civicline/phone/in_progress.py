"""Phone calls between two Twilio requests, by CallSid.

A call's session lives as the state's JSON; each request rebuilds a :class:`PhoneCall`
around it. Everything a :class:`CallInProgress` holds is written to an
:class:`InProgressStore` (a file by default) before the answer to Twilio leaves, so that a
call survives a restart of the server: the next webhook of the call is answered in context, and a call whose stream was
cut is closed in its record when Twilio's status callback comes. A transfer does not end
the call record at once: whether the person answered is only known when Twilio reports the
``<Dial>`` outcome, and a failed transfer goes on as a callback request in the same call
record.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from civicline.calls import KeptCall
from civicline.phone.in_progress_store import InProgressStore
from flows.dialog import Engine
from flows.session import Action, SessionState, Step, Transfer, action_from_json, action_to_json

log = logging.getLogger(__name__)
KEEP_S = 4 * 3600  # a call nobody reported ended is forgotten after this
# How long an ended CallSid is remembered, so that a replayed webhook cannot reopen it: the
# records' default retention (only the CallSid and the time remain, nothing personal).
KEEP_ENDED_S = 90 * 86400


@dataclass
class CallInProgress:
    """What we remember of one CallSid."""

    call_sid: str
    caller: str | None
    # The key of the town the called number reached (civicline.towns): every later webhook
    # of the call, on any worker, is answered by that town even without Twilio's ``To``.
    # None: the default town (a call saved before calls kept their town).
    town: str | None = None
    created: float = field(default_factory=time.time)
    state_json: str | None = None
    turn: int = 0  # events handled; action URLs carry it so a retried webhook is recognised
    steps: int = 0  # turns given to the call record: the number of the next one there
    responses: dict[int, str] = field(default_factory=dict)  # TwiML already given, by turn
    transfer: Transfer | None = None
    held_end: dict[str, Any] | None = None  # call_ended of a transfer not yet answered
    pending: list[Action] = field(default_factory=list)  # to play when a stream (re)starts
    voice_twiml: str | None = None  # the answer to /twilio/voice, for Twilio's retries
    lock: threading.RLock = field(default_factory=threading.RLock)
    held: int = field(default=0, compare=False, repr=False)  # depth of locked(), under lock

    @property
    def state(self) -> SessionState | None:
        return SessionState.from_json(self.state_json) if self.state_json else None

    def to_json(self) -> str:
        held = dict(self.held_end) if self.held_end else None
        if held and isinstance(held.get("at"), datetime):
            held["at"] = held["at"].isoformat()
        return json.dumps(
            {
                "call_sid": self.call_sid, "caller": self.caller, "town": self.town, "created": self.created,
                "state": self.state_json, "turn": self.turn, "steps": self.steps,
                "responses": {str(k): v for k, v in self.responses.items()},
                "transfer": dataclasses.asdict(self.transfer) if self.transfer else None,
                "held_end": held, "pending": [action_to_json(a) for a in self.pending],
                "voice_twiml": self.voice_twiml,
            },
            ensure_ascii=False, default=str,
        )

    @classmethod
    def from_json(cls, text: str) -> CallInProgress:
        d = json.loads(text)
        held = d.get("held_end")
        if held and held.get("at"):
            held["at"] = datetime.fromisoformat(held["at"])
        return cls(
            call_sid=d["call_sid"], caller=d.get("caller"), town=d.get("town"), created=float(d["created"]),
            state_json=d.get("state"), turn=int(d.get("turn", 0)), steps=int(d.get("steps", 0)),
            responses={int(k): v for k, v in (d.get("responses") or {}).items()},
            transfer=Transfer(**d["transfer"]) if d.get("transfer") else None,
            held_end=held, pending=[action_from_json(a) for a in d.get("pending") or ()],
            voice_twiml=d.get("voice_twiml"),
        )


class _HoldTransferEnd:
    """The recorder as the Call sees it: a transfer's end waits for the Dial's outcome."""

    def __init__(self, inner: Any, kept: CallInProgress) -> None:
        self.inner, self.kept = inner, kept

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def call_ended(self, call_id: str, **fields: Any) -> None:
        if fields.get("outcome") == "transferred":
            self.kept.held_end = dict(fields)
            return
        if self.kept.transfer is not None and not fields.get("summary"):
            fields["summary"] = self.kept.transfer.summary  # staff see what was asked
        self.inner.call_ended(call_id, **fields)


class PhoneCall(KeptCall):
    """A Call whose state is kept in a :class:`CallInProgress` between requests."""

    def __init__(
        self, engine: Engine, clock: Callable[[], datetime], kept: CallInProgress, recorder: Any, texts: Any = None
    ) -> None:
        wrapped = _HoldTransferEnd(recorder, kept) if recorder is not None else None
        super().__init__(engine, clock, kept, call_id=kept.call_sid, caller=kept.caller, recorder=wrapped, texts=texts,
                         town=kept.town)
        self.kept = kept
        resume = getattr(recorder, "resume", None)
        if self.state is not None and callable(resume):  # a call begun before a restart
            # Numbered from the saved state, not from the record: a webhook cut between the
            # write of its turn and the write of the state is answered again when Twilio
            # retries it, and its turn then replaces the one written the first time.
            resume(kept.call_sid, caller=kept.caller, language=self.state.lang, next_turn=kept.steps)

    def _after(self, step: Step, event: Any, began: float, now: datetime) -> Step:
        step = super()._after(step, event, began, now)  # the kept call's state_json too
        self.kept.steps += 1  # Call._after gave the record one turn
        transfer = next((a for a in step.actions if isinstance(a, Transfer)), None)
        if transfer is not None:
            self.kept.transfer = transfer
        return step

    def transfer_failed(self, status: str) -> Step:
        """The person did not answer (busy, no-answer, failed): the call goes on with the
        town's callback flow, as it does after office hours, in the same call record."""
        assert self.state is not None
        began, now = time.perf_counter(), self.clock()
        self.kept.held_end = None  # the transfer did not happen
        step = self.engine.transfer_failed(self.state, now, status)
        # The call had ended with the transfer; it goes on, and will end (and be recorded) again.
        self.state = dataclasses.replace(self.state, ended=False)
        return self._after(step, None, began, now)

    def transfer_answered(self) -> None:
        held, self.kept.held_end = self.kept.held_end, None
        if held is not None and self.recorder is not None:
            self.recorder.inner.call_ended(self.call_id, **held)  # type: ignore[attr-defined]


class CallsInProgress:
    """The calls in progress: in this process's memory (with a lock each), written through to
    an :class:`InProgressStore` after every change, and read back from it by a process that
    did not answer the call's first request (after a restart).

    Change a call in progress only inside :meth:`editing`, which saves it on the way out."""

    def __init__(self, store: InProgressStore, locks: Any = None) -> None:
        """``locks``, when the store is shared by several workers (Redis), gives each call a
        lock they all see (``locks.hold(call_sid)``); each turn then reads the call again
        from the store under that lock, since another worker may have answered the last one."""
        self.store = store
        self.locks = locks
        self._calls: dict[str, CallInProgress] = {}
        self._lock = threading.Lock()
        self._next_expiry = 0.0
        self.save_failures = 0
        self.last_error: str | None = None

    def get(self, call_sid: str) -> CallInProgress | None:
        """The call in progress with this CallSid, or None (unknown, or ended)."""
        if self.locks is not None:
            return self._get_shared(call_sid)
        with self._lock:
            kept = self._calls.get(call_sid)
            if kept is not None:
                return kept
            stored = self._read(call_sid)
            if stored is None or stored.data is None:
                return None
            kept = self._calls[call_sid] = CallInProgress.from_json(stored.data)
            log.info("call %s: taken up from the saved state", call_sid)
            return kept

    def open(
        self, call_sid: str, caller: str | None, town: str | None = None
    ) -> tuple[CallInProgress | None, bool]:
        """The call in progress for this CallSid and whether it is new (False: a Twilio retry, or a call
        taken up after a restart); (None, False) for a call that has already ended. ``town``: the
        key of the town a new call reached; a call already open keeps its own."""
        self._expire()
        kept = self.get(call_sid)
        if kept is not None:
            return kept, False
        with self._lock:
            if call_sid in self._calls:  # opened by another request meanwhile
                return self._calls[call_sid], False
            stored = self._read(call_sid)
            if stored is not None:
                return None, False  # ended: the webhook is a replay
            kept = CallInProgress(call_sid, caller, town)
            try:
                added = self.store.add(call_sid, kept.to_json(), kept.created)
            except Exception as exc:  # the call goes on in memory; /health says so
                self._failed(exc)
                added = True
            if not added:
                return None, False
            self._calls[call_sid] = kept
            return kept, True

    @contextmanager
    def editing(self, kept: CallInProgress) -> Iterator[CallInProgress]:
        """The call in progress, locked; saved when the block ends (before the answer leaves)."""
        with self.locked(kept):
            try:
                yield kept
            finally:
                self.save(kept)

    @contextmanager
    def locked(self, kept: CallInProgress) -> Iterator[CallInProgress]:
        """The call in progress, locked against this process's threads and, with a shared store, against
        every worker's; then as the store has it (another worker may have moved it on)."""
        with kept.lock:
            if self.locks is None or kept.held:
                kept.held += 1
                try:
                    yield kept
                finally:
                    kept.held -= 1
                return
            hold: AbstractContextManager[Any] = self.locks.hold(kept.call_sid)
            with hold:
                kept.held += 1
                try:
                    stored = self._read(kept.call_sid)
                    if stored is not None and stored.data is not None:
                        _refresh(kept, stored.data)
                    yield kept
                finally:
                    kept.held -= 1

    def save(self, kept: CallInProgress) -> None:
        try:
            self.store.put(kept.call_sid, kept.to_json(), time.time())
        except Exception as exc:
            self._failed(exc)
        else:
            self.last_error = None

    @property
    def problem(self) -> str | None:
        """Why calls in progress would not survive a restart now, or None."""
        open_error = getattr(self.store, "open_error", None)
        if open_error:
            return f"calls in progress are kept in memory only: {open_error}"
        if self.last_error:
            return f"calls in progress are not being saved ({self.save_failures} failures): {self.last_error}"
        return None

    def close(self, call_sid: str) -> CallInProgress | None:
        """The call is over: forgotten here and in the store (which remembers that it ended).
        Returns the call in progress as it was, for the record to be closed."""
        kept = self.get(call_sid)
        with self._lock:
            self._calls.pop(call_sid, None)
        try:
            self.store.end(call_sid, time.time())
        except Exception as exc:
            self._failed(exc)
        return kept

    def _get_shared(self, call_sid: str) -> CallInProgress | None:
        """As the store has it now; this process's copy only when the store cannot be read
        (the call then goes on in this worker's memory; /health says so)."""
        try:
            stored = self.store.get(call_sid)
        except Exception as exc:
            self._failed(exc)
            with self._lock:
                return self._calls.get(call_sid)
        with self._lock:
            kept = self._calls.get(call_sid)
            if stored is None and kept is not None:
                # Never in the store, or lost from it (Redis restarted empty, or down when
                # the call came): this worker's copy goes back in, and the call on.
                self._put_back(kept)
                return kept
            if stored is None or stored.data is None:
                self._calls.pop(call_sid, None)
                return None
            if kept is None:
                kept = self._calls[call_sid] = CallInProgress.from_json(stored.data)
                return kept
        with kept.lock:
            if not kept.held:  # never under a turn of this thread's own, mid-change
                _refresh(kept, stored.data)
        return kept

    def _put_back(self, kept: CallInProgress) -> None:
        try:
            if self.store.add(kept.call_sid, kept.to_json(), time.time()):
                log.warning("call %s: put back in the shared store from this worker's copy", kept.call_sid)
        except Exception as exc:
            self._failed(exc)

    def _read(self, call_sid: str) -> Any:
        try:
            return self.store.get(call_sid)
        except Exception as exc:
            self._failed(exc)
            return None

    def _failed(self, exc: Exception) -> None:
        self.save_failures += 1
        self.last_error = f"{type(exc).__name__}: {exc}"
        log.error("calls in progress: the state store failed: %s", self.last_error)

    def _expire(self) -> None:
        now = time.time()
        if now < self._next_expiry:
            return
        self._next_expiry = now + 60
        with self._lock:
            for sid in [s for s, kept in self._calls.items() if now - kept.created > KEEP_S]:
                del self._calls[sid]
        try:
            self.store.expire(now - KEEP_S, now - KEEP_ENDED_S)
        except Exception as exc:
            self._failed(exc)

    def __len__(self) -> int:
        return len(self._calls)


def _refresh(kept: CallInProgress, data: str) -> None:
    """The call in progress as saved, in place: whoever holds this object sees it."""
    saved = CallInProgress.from_json(data)
    for f in dataclasses.fields(CallInProgress):
        if f.name not in ("lock", "held"):
            setattr(kept, f.name, getattr(saved, f.name))
