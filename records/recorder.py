"""What the application shell calls during a call to keep its record.

Every method returns quickly and never raises into the call: a write that fails is retried
a few times, then logged at ERROR and counted in :attr:`CallRecorder.health` (mirrored in a
file that ``civicline doctor`` reads). Personal data is handled here, before the store sees
it: the caller's number becomes a keyed hash and two digits, text is redacted, and the full
number reaches only the staff-request table (the rows are built in
:mod:`records.protected_rows`).
"""

from __future__ import annotations

import contextlib
import functools
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from records import retention
from records.health import Health
from records.protected_rows import call_row, end_fields, request_row, review_row, turn_row
from records.store import MissingCallError, Store

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
        town: str = "",
    ) -> None:
        """``town``: the town a call is recorded in when the shell names none (civicline.towns)."""
        if not hash_key:
            raise ValueError("hash_key is required (see records.privacy.load_hash_key)")
        retention.cutoff(retention_days)  # validates it
        self.store = store
        self.retention_days = retention_days
        self.town = town
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
        self.purge_thread: threading.Thread | None = None
        """The last background purge (a shutdown or a test may wait for it)."""
        open_error = getattr(store, "open_error", None)
        if open_error:
            self.health.failed("open", RuntimeError(open_error))

    # -- writing with retries ----------------------------------------------------------
    def _write(self, op: str, call_id: str, fn: Callable[..., None], *args: Any) -> bool:
        # Once the store is known to be failing, try once: retrying every turn of every
        # call against a full disk would only add delay to what callers hear.
        attempts = 1 if self.health.consecutive_failures >= self._retries else self._retries
        for attempt in range(attempts):
            try:
                fn(*args)
            except Exception as exc:
                if attempt + 1 < attempts and not isinstance(exc, MissingCallError):
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
            row = call_row(call_id, at=state.started_at, language=None, caller=None, key=self._key, town=self.town)
            self._write("call_started", call_id, self.store.start_call, row)
        return state

    # -- the API the shell calls -------------------------------------------------------
    @_never_raises
    def call_started(
        self, call_id: str, *, caller: str | None, language: str | None, at: datetime, channel: str = "voice",
        town: str | None = None,
    ) -> None:
        row = call_row(call_id, at=at, language=language, caller=caller, key=self._key, channel=channel,
                       town=self.town if town is None else town)
        stored = self._stored(call_id, caller, language)  # a start sent again: turns are not overwritten
        with self._lock:
            old = [cid for cid, c in self._calls.items() if at - c.started_at > _STALE_STATE]
            for cid in old:  # forget calls the shell never ended (it crashed mid-call)
                del self._calls[cid]
            self._calls[call_id] = stored or _Call(caller, language, at)
        if stored is None:
            self._write("call_started", call_id, self.store.start_call, row)

    @_never_raises
    def resume(
        self, call_id: str, *, caller: str | None, language: str | None, next_turn: int | None = None
    ) -> None:
        """A call begun in another process (the server restarted mid-call, or another worker
        answered its last turns): its next turns follow those already stored (or are
        numbered from ``next_turn``, when the shell knows better), and a callback request
        still has the caller's number."""
        with self._lock:
            known = self._calls.get(call_id)
            if known is not None:  # the shell's count and language win over this copy's
                if next_turn is not None:
                    known.seq = next_turn
                if language:
                    known.language = language
                return
        stored = self._stored(call_id, caller, language)
        if stored is not None:
            if next_turn is not None:
                stored.seq = next_turn
            with self._lock:
                self._calls.setdefault(call_id, stored)

    def _stored(self, call_id: str, caller: str | None = None, language: str | None = None) -> _Call | None:
        row = None
        for attempt in range(self._retries):  # retried like a write: a busy store is common
            try:
                row = self.store.resume_call(call_id)
                break
            except Exception as exc:
                if attempt + 1 == self._retries:  # go on as if the call were new; no record is lost
                    log.warning("call records: could not read call %s: %s", call_id, exc)
                    return None
                time.sleep(self._delay * (2**attempt))
        if row is None:
            return None
        started = datetime.fromisoformat(row["started_at"])
        return _Call(caller, row.get("language") or language, started, seq=int(row["next_seq"]))

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
        emergency_notice: bool = False,
    ) -> None:
        state = self._state(call_id, at)
        with self._lock:
            seq = state.seq
            state.seq += 1
        row = turn_row(
            call_id, seq, lang=state.language, at=at, caller_text=caller_text, key=key,
            intent=intent, score=score, node=node, assistant_text=assistant_text,
            provenance=provenance, latency_ms=latency_ms, emergency_notice=emergency_notice,
        )
        state.recent.append(
            {"caller": row["caller_text"], "key": key, "assistant": row["assistant_text"], "node": node}
        )
        self._write("turn", call_id, self.store.add_turn, row)

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
            row = request_row(call_id, kind, details, lang=lang, caller=state.caller, at=now, key=self._key)
            self._write(kind, call_id, self.store.add_staff_request, row)
        elif kind == "review":
            row = review_row(call_id, details, lang=lang, recent=list(state.recent), at=now)
            self._write("review", call_id, self.store.add_review_item, row)
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
        fields = end_fields(
            call_id, lang=state.language if state else None, at=at,
            started_at=state.started_at if state else None, outcome=outcome,
            transfer_reason=transfer_reason, satisfaction=satisfaction, summary=summary,
        )
        self._write("call_ended", call_id, self.store.end_call, call_id, fields)
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
        self.purge_thread = threading.Thread(target=self._purge, args=(now,), name="records-purge", daemon=True)
        self.purge_thread.start()

    def _purge(self, now: datetime) -> None:
        try:
            retention.purge(self.store, self.retention_days, now=now)
        except Exception as exc:
            log.error("call records: automatic purge failed: %s", exc)
            self.health.failed("purge", exc)
        finally:
            self._purging = False

