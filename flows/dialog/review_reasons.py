"""Why a call goes on the staff's review list, whether the engine or a handler puts it there:
a reason code and its values, which the console says in the staff's language
(civicline/console/staff_words.py), and the English sentence written from them, which the
records have always kept and which stays the reason a report counts, a purge leaves, and the
console reads where no code was recorded."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from flows.session import StaffRequest

ENGLISH = {
    # The engine's own.
    "asked_person": "asked for a person",
    "not_understood": "not understood {times} times",
    "emergency": "emergency: {kind}, heard by {by}",
    "emergency_after_notice": "asked for a person after the emergency number was said as a precaution ({kind})",
    # Handlers' (HandlerResult.review).
    "permit_not_in_language": "permit {permit}: {fields} not written in {lang}; the caller was offered a person",
    "stale_fee": "stale fee: {permit} verified {verified}, older than {days} days; the caller was offered a person",
    # The words records.review.review_kind reads the item's kind from.
    "stale_record": "stale_record",
}


@dataclass(frozen=True)
class Reason:
    """One reason: ``code`` one of ENGLISH, ``values`` its fields as written."""

    code: str
    values: dict[str, str] = field(default_factory=dict)

    @property
    def english(self) -> str:
        return ENGLISH[self.code].format(**self.values)

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "values": dict(self.values)}


def reason(code: str, **values: Any) -> Reason:
    if code not in ENGLISH:
        raise KeyError(f"no review reason {code!r}")
    return Reason(code, {name: str(value) for name, value in values.items()})


def english(reasons: Sequence[Reason]) -> str:
    """The reasons' English, joined as the records have always joined several."""
    return "; ".join(r.english for r in reasons)


def review_of(
    reasons: Sequence[Reason], context: dict[str, Any], *, item_kind: str | None = None
) -> StaffRequest:
    """One review item for staff with every reason it has; ``item_kind`` the item's kind when
    its reasons' words do not tell it (records.review.review_kind)."""
    details: dict[str, Any] = {
        "reason": english(reasons),
        "reasons": [r.to_json() for r in reasons],
        "context": context,
    }
    if item_kind is not None:
        details["kind"] = item_kind
    return StaffRequest("review", details)


def review(
    code: str, context: dict[str, Any], *, item_kind: str | None = None, **values: Any
) -> StaffRequest:
    """A review item for staff with one reason: ``code`` one of ENGLISH, ``values`` its fields."""
    return review_of([reason(code, **values)], context, item_kind=item_kind)
