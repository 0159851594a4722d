"""Why the engine puts a call on the staff's review list: a reason code and its values, which
the console says in the staff's language (civicline/console/staff_words.py), and the English
sentence written from them, which the records have always kept and which stays the reason a
report counts, a purge leaves, and the console reads where no code was recorded."""

from __future__ import annotations

from typing import Any

from flows.session import StaffRequest

ENGLISH = {
    "asked_person": "asked for a person",
    "not_understood": "not understood {times} times",
    "emergency": "emergency: {kind}, heard by {by}",
    "emergency_after_notice": "asked for a person after the emergency number was said as a precaution ({kind})",
}


def review(
    code: str, context: dict[str, Any], *, item_kind: str | None = None, **values: Any
) -> StaffRequest:
    """A review item for staff: ``code`` one of ENGLISH, ``values`` its fields; ``item_kind``
    the item's kind when its reason's words do not tell it (records.review.review_kind)."""
    said = {name: str(value) for name, value in values.items()}
    details: dict[str, Any] = {
        "reason": ENGLISH[code].format(**said),
        "reason_code": code,
        "reason_values": said,
        "context": context,
    }
    if item_kind is not None:
        details["kind"] = item_kind
    return StaffRequest("review", details)
