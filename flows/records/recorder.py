"""What the application shell calls during a call to keep its record.

Every method returns quickly and never raises into the call: a write that fails is retried
a few times, then logged at ERROR and counted in :attr:`CallRecorder.health` (mirrored in a
file that ``civicline doctor`` reads). Personal data is handled here, before the store sees
it: the caller's number becomes a keyed hash and two digits, text is redacted, and the full
number reaches only the staff-request table.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from flows.provenance import Source
from flows.records import retention
from flows.records.health import Health
from flows.records.privacy import protect_caller, redact
from flows.records.review import review_kind
from flows.records.schema import OUTCOMES
from flows.records.store import Store, iso

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
_STALE_STATE = timedelta(hours=6)  # a call not ended after this long was lost by the shell


@dataclass
class _Call:
    caller: str | None
    language: str | None
    started_at: datetime
    seq: int = 0
    recent: deque = field(default_factory=lambda: deque(maxlen=4))


def _never_raises(method: Callable[..., None]) -> Callable[..., None]:
    """A bug here (a redaction that chokes on odd text…) must not end a resident's call."""

    @functools.wraps(method)
    def wrapper(self: CallRecorder, call_id: str, *args: Any, **kwargs: Any) -> None:
        try:
            method(self, call_id, *args, **kwargs)
        except Exception as exc:
            log.exception("call records: %s failed for call %s", method.__name__, call_id)
            with contextlib.suppress(Exception):
                self.health.failed(method.__name__, exc)

    return wrapper


class CallRecorder:
    def __init__(
        self,
        store: Store,
        *,
        hash_key: bytes,
        retention_days: int = 90,
        clock: Clock | None = None,
        retries: int = 3,
        retry_delay_s: float = 0.02,
        auto_purge: bool = True,
    ) -> None:
        if not hash_key:
            raise ValueError("hash_key is required (see flows.records.privacy.load_hash_key)")
        retention.cutoff(retention_days)  # validates it
        self.store = store
        self.retention_days = retention_days
        self.clock: Clock = clock or (lambda: datetime.now(UTC))
        self.health = Health(file=getattr(store, "health_file", None))
        self._key = hash_key
        self._retries = max(1, retries)
        self._delay = retry_delay_s
        self._auto_purge = auto_purge
        self._calls: dict[str, _Call] = {}
        self._lock = threading.Lock()
        self._last_purge: datetime | None = None
        self._purging = False
        if getattr(store, "open_error", None):
            self.health.failed("open", RuntimeError(store.open_error))

    # -- writing with retries ----------------------------------------------------------
    def _write(self, op: str, call_id: str, fn: Callable[..., None], *args: Any) -> bool:
        # Once the store is known to be failing, try once: retrying every turn of every
        # call against a full disk would only add delay to what callers hear.
        attempts = 1 if self.health.consecutive_failures >= self._retries else self._retries
        for attempt in range(attempts):
            try:
                fn(*args)
            except Exception as exc:
                if attempt + 1 < attempts:
                    self.health.retried()
                    time.sleep(self._delay * (2**attempt))
                    continue
                log.error(
                    "call records: %s of call %s LOST after %d attempt(s): %s: %s",
                    op,
                    call_id,
                    attempts,
                    type(exc).__name__,
                    exc,
                )
                self.health.failed(op, exc)
                return False
            self.health.succeeded()
            return True
        return False  # pragma: no cover

    def _state(self, call_id: str, at: datetime | None = None) -> _Call:
        with self._lock:
            state = self._calls.get(call_id)
            if state is None:  # a turn before call_started: keep it, with an anonymous call
                state = self._calls[call_id] = _Call(None, None, at or self.clock())
                created = True
            else:
                created = False
        if created:
            log.warning("call records: call %s was not started; recording it anonymously", call_id)
            self._write(
                "call_started",
                call_id,
                self.store.start_call,
                {
                    "id": call_id,
                    "started_at": iso(state.started_at),
                    "language": None,
                    "caller_hash": None,
                    "caller_last2": None,
                },
            )
        return state

    # -- the API the shell calls -------------------------------------------------------
    @_never_raises
    def call_started(
        self, call_id: str, *, caller: str | None, language: str | None, at: datetime
    ) -> None:
        hashed, last2 = protect_caller(caller, self._key)
        with self._lock:
            old = [cid for cid, c in self._calls.items() if at - c.started_at > _STALE_STATE]
            for cid in old:  # forget calls the shell never ended (it crashed mid-call)
                del self._calls[cid]
            self._calls[call_id] = _Call(caller, language, at)
        self._write(
            "call_started",
            call_id,
            self.store.start_call,
            {
                "id": call_id,
                "started_at": iso(at),
                "language": language,
                "caller_hash": hashed,
                "caller_last2": last2,
            },
        )

    @_never_raises
    def turn(
        self,
        call_id: str,
        *,
        at: datetime,
        caller_text: str | None,
        key: str | None,
        intent: str | None,
        score: float | None,
        node: str | None,
        assistant_text: str,
        provenance: list[dict],
        latency_ms: float | None,
    ) -> None:
        state = self._state(call_id, at)
        with self._lock:
            seq = state.seq
            state.seq += 1
        lang = state.language
        said = redact(caller_text, lang)
        answered = redact(assistant_text, lang)
        sources = [p.to_json() if isinstance(p, Source) else dict(p) for p in provenance or []]
        state.recent.append({"caller": said, "key": key, "assistant": answered, "node": node})
        self._write(
            "turn",
            call_id,
            self.store.add_turn,
            {
                "call_id": call_id,
                "seq": seq,
                "at": iso(at),
                "caller_text": said,
                # a whole number typed on the keypad is redacted like spoken digits
                "key_pressed": key if not key or len(key) <= 2 else redact(key, lang),
                "intent": intent,
                "score": score,
                "node": node,
                "assistant_text": answered,
                "provenance": sources,
                "latency_ms": latency_ms,
            },
        )

    @_never_raises
    def language_set(self, call_id: str, language: str) -> None:
        self._state(call_id).language = language
        self._write("language_set", call_id, self.store.set_language, call_id, language)

    @_never_raises
    def staff_request(self, call_id: str, *, kind: str, details: dict) -> None:
        state = self._state(call_id)
        lang = details.get("language") or state.language
        now = self.clock()
        if kind in ("callback", "message"):
            text = details.get("summary") if kind == "callback" else details.get("text")
            number = details.get("number") if kind == "callback" else None
            number = number or state.caller  # staff answer a message on the caller's line
            _, last2 = protect_caller(number, self._key)
            self._write(
                kind,
                call_id,
                self.store.add_staff_request,
                {
                    "id": uuid.uuid4().hex,
                    "call_id": call_id,
                    "kind": kind,
                    "created_at": iso(now),
                    "language": lang,
                    "number": number,
                    "caller_last2": last2,
                    "text": redact(text, lang),
                },
            )
        elif kind == "review":
            reason = str(details.get("reason") or "")
            context = details.get("context")
            self._write(
                "review",
                call_id,
                self.store.add_review_item,
                {
                    "id": uuid.uuid4().hex,
                    "call_id": call_id,
                    "kind": details.get("kind") or review_kind(reason),
                    "created_at": iso(now),
                    "reason": redact(reason, lang),
                    "context": {
                        "language": lang,
                        "recent_turns": list(state.recent),
                        "details": _redact_all(context, lang),
                    },
                },
            )
        else:
            log.error("call records: unknown staff request kind %r for call %s", kind, call_id)

    @_never_raises
    def call_ended(
        self,
        call_id: str,
        *,
        at: datetime,
        outcome: str,
        transfer_reason: str | None = None,
        satisfaction: int | None = None,
        summary: str | None = None,
    ) -> None:
        with self._lock:
            state = self._calls.pop(call_id, None)
        lang = state.language if state else None
        if outcome not in OUTCOMES:
            log.error(
                "call records: call %s ended with unknown outcome %r (stored empty)",
                call_id,
                outcome,
            )
            outcome = None  # type: ignore[assignment]
        if satisfaction is not None and not (
            isinstance(satisfaction, int) and 1 <= satisfaction <= 5
        ):
            log.warning(
                "call records: satisfaction %r of call %s is not 1-5; ignored",
                satisfaction,
                call_id,
            )
            satisfaction = None
        duration = (at - state.started_at).total_seconds() if state else None
        self._write(
            "call_ended",
            call_id,
            self.store.end_call,
            call_id,
            {
                "ended_at": iso(at),
                "outcome": outcome,
                "duration_s": duration,
                "transfer_reason": redact(transfer_reason, lang),
                "satisfaction": satisfaction,
                "summary": redact(summary, lang),
            },
        )
        self._maybe_purge()

    # -- retention ---------------------------------------------------------------------
    def _maybe_purge(self) -> None:
        """At most once a day, purge old text in a background thread (never in the call)."""
        if not self._auto_purge:
            return
        now = self.clock()
        with self._lock:
            if self._purging or (self._last_purge and now - self._last_purge < timedelta(days=1)):
                return
            self._purging, self._last_purge = True, now
        threading.Thread(target=self._purge, args=(now,), name="records-purge", daemon=True).start()

    def _purge(self, now: datetime) -> None:
        try:
            retention.purge(self.store, self.retention_days, now=now)
        except Exception as exc:
            log.error("call records: automatic purge failed: %s", exc)
            self.health.failed("purge", exc)
        finally:
            self._purging = False


def _redact_all(value: Any, lang: str | None) -> Any:
    if isinstance(value, str):
        return redact(value, lang)
    if isinstance(value, dict):
        return {k: _redact_all(v, lang) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_redact_all(v, lang) for v in value]
    return value
