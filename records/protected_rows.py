"""What each recorded event becomes in the store, personal data protected on the way: the
caller's number as a keyed hash and two digits, what was said redacted, the full number
only in a callback or message request. :class:`records.recorder.CallRecorder` builds
its rows here and writes them; nothing here touches the store.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from flows.provenance import Source
from records.database import Row, iso
from records.privacy import protect_caller, redact
from records.review import review_kind
from records.schema import CHANNELS, OUTCOMES

log = logging.getLogger(__name__)


def call_row(
    call_id: str, *, at: datetime, language: str | None, caller: str | None, key: bytes, channel: str = "voice",
    town: str = "",
) -> Row:
    """A call starts; a chat page's resident has no number (``caller`` None), an SMS
    sender's is protected like a caller's."""
    hashed, last2 = protect_caller(caller, key)
    if channel not in CHANNELS:
        log.error("call records: call %s on unknown channel %r (recorded as voice)", call_id, channel)
        channel = "voice"
    return {
        "id": call_id,
        "started_at": iso(at),
        "language": language,
        "caller_hash": hashed,
        "caller_last2": last2,
        "channel": channel,
        "town": town,
    }


def turn_row(
    call_id: str,
    seq: int,
    *,
    lang: str | None,
    at: datetime,
    caller_text: str | None,
    key: str | None,
    intent: str | None,
    score: float | None,
    node: str | None,
    assistant_text: str,
    provenance: Iterable[Any] | None,
    latency_ms: float | None,
    emergency_notice: bool = False,
) -> Row:
    sources = [p.to_json() if isinstance(p, Source) else dict(p) for p in provenance or []]
    return {
        "call_id": call_id,
        "seq": seq,
        "at": iso(at),
        "caller_text": redact(caller_text, lang),
        # a whole number typed on the keypad is redacted like spoken digits
        "key_pressed": key if not key or len(key) <= 2 else redact(key, lang),
        "intent": intent,
        "score": score,
        "node": node,
        "assistant_text": redact(assistant_text, lang),
        "provenance": sources,
        "latency_ms": latency_ms,
        "emergency_notice": int(emergency_notice),
    }


def request_row(
    call_id: str, kind: str, details: dict, *, lang: str | None, caller: str | None, at: datetime, key: bytes
) -> Row:
    """A callback or message request: the one place the full number is kept, for staff."""
    text = details.get("summary") if kind == "callback" else details.get("message")
    number = details.get("number") if kind == "callback" else None
    number = number or caller  # staff answer a message on the caller's line
    _, last2 = protect_caller(number, key)
    return {
        "id": uuid.uuid4().hex,
        "call_id": call_id,
        "kind": kind,
        "created_at": iso(at),
        "language": lang,
        "number": number,
        "caller_last2": last2,
        "text": redact(text, lang),
    }


def review_row(call_id: str, details: dict, *, lang: str | None, recent: list[Row], at: datetime) -> Row:
    """An item of the staff's to-verify list, with the call's last turns (already redacted)."""
    reason = str(details.get("reason") or "")
    context: dict[str, Any] = {
        "language": lang,
        "recent_turns": recent,
        "details": redact_all(details.get("context"), lang),
    }
    reasons = details.get("reasons")
    if reasons:
        # The reasons as codes and values (kinds, counts, the town's record ids: nothing the
        # caller said), which the console says in the staff's language; the English sentence
        # stays the reason.
        context["reasons"] = [
            {"code": str(r["code"]), "values": {str(k): str(v) for k, v in (r.get("values") or {}).items()}}
            for r in reasons
        ]
    return {
        "id": uuid.uuid4().hex,
        "call_id": call_id,
        "kind": details.get("kind") or review_kind(reason),
        "created_at": iso(at),
        "reason": redact(reason, lang),
        "context": context,
    }


def end_fields(
    call_id: str,
    *,
    lang: str | None,
    at: datetime,
    started_at: datetime | None,
    outcome: str,
    transfer_reason: str | None,
    satisfaction: int | None,
    summary: str | None,
) -> Row:
    """How a call ended; an unknown outcome or a rating outside 1-5 is logged and left empty."""
    stored_outcome: str | None = outcome
    if outcome not in OUTCOMES:
        log.error(
            "call records: call %s ended with unknown outcome %r (stored empty)",
            call_id,
            outcome,
        )
        stored_outcome = None
    if satisfaction is not None and not (
        isinstance(satisfaction, int) and 1 <= satisfaction <= 5
    ):
        log.warning(
            "call records: satisfaction %r of call %s is not 1-5; ignored",
            satisfaction,
            call_id,
        )
        satisfaction = None
    return {
        "ended_at": iso(at),
        "outcome": stored_outcome,
        "duration_s": (at - started_at).total_seconds() if started_at else None,
        "transfer_reason": redact(transfer_reason, lang),
        "satisfaction": satisfaction,
        "summary": redact(summary, lang),
    }


def redact_all(value: Any, lang: str | None) -> Any:
    if isinstance(value, str):
        return redact(value, lang)
    if isinstance(value, dict):
        return {k: redact_all(v, lang) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact_all(v, lang) for v in value]
    return value
