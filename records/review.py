"""The staff's to-verify list: what kind of item a reason is, and stale data records.

Calls add items through ``CallRecorder.staff_request(kind="review")``; this module adds the
items that come from the data itself: records whose last verification is older than the
town's ``max_age_days`` or within ``warn_days`` of it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any

from flows.provenance import Source
from records.database import iso
from records.schema import REVIEW_KINDS
from records.store import Store

# Words that say which kind an engine's reason is, in the languages staff may write in.
_KIND_WORDS = [
    ("stale_fee", ("stale fee", "fee", "tarif", "tarifa", "price", "prix", "precio")),
    ("stale_record", ("stale", "outdated", "périmé", "obsolet", "caducad")),
    ("legal", ("legal", "légal", "juridi", "jurídic", "lawyer", "avocat", "abogad")),
    (
        "not_understood",
        ("not understood", "understand", "nomatch", "no match", "compris", "entendid"),
    ),
    (
        "asked_person",
        ("person", "human", "agent", "operator", "personne", "humain", "persona", "operador"),
    ),
]


def review_kind(reason: str) -> str:
    """'stale fee: terrace' → stale_fee, 'legal question' → legal, 'asked for a person'
    → asked_person, 'not understood 3 times' → not_understood; otherwise 'other'."""
    text = reason.strip().lower()
    head = text.split(":")[0].strip().replace(" ", "_")
    if head in REVIEW_KINDS:
        return head
    for kind, words in _KIND_WORDS:
        if any(w in text for w in words):
            return kind
    return "other"


def _as_source(item: Source | dict[str, Any]) -> Source:
    return item if isinstance(item, Source) else Source.from_json(item)


def stale_sources(
    sources: Iterable[Source | dict[str, Any]],
    *,
    max_age_days: int,
    warn_days: int = 14,
    today: date | None = None,
) -> list[tuple[Source, str]]:
    """Sources never verified, or verified more than ``max_age_days - warn_days`` ago,
    each with a plain-words reason for staff."""
    today = today or datetime.now(UTC).date()
    found = []
    for source in map(_as_source, sources):
        if source.verified is None:
            found.append((source, "never verified"))
            continue
        age = (today - source.verified).days
        if age > max_age_days:
            found.append(
                (
                    source,
                    f"verified {source.verified.isoformat()}, {age} days ago "
                    f"(limit {max_age_days}): the assistant no longer says it",
                )
            )
        elif age > max_age_days - warn_days:
            found.append(
                (
                    source,
                    f"verified {source.verified.isoformat()}, {age} days ago: "
                    f"due for checking within {max_age_days - age} days",
                )
            )
    return found


def flag_stale_records(
    store: Store,
    sources: Iterable[Source | dict[str, Any]],
    *,
    max_age_days: int,
    warn_days: int = 14,
    today: date | None = None,
    town: str = "",
) -> int:
    """Put stale records on the review list; return how many were found. ``town``: the key of
    the town whose records they are (a service answering several), kept in the item's context.

    The item id is derived from the record and its verification date, so running this at
    every start (or every night) adds a record once, and again only after it was
    re-verified and went stale again.
    """
    found = stale_sources(sources, max_age_days=max_age_days, warn_days=warn_days, today=today)
    for source, reason in found:
        key = f"{source.dataset}|{source.record}|{source.version}|{source.verified}" + (f"|{town}" if town else "")
        store.add_review_item(
            {
                "id": "stale-" + hashlib.sha256(key.encode()).hexdigest()[:24],
                "call_id": None,
                "kind": "stale_record",
                "created_at": iso(datetime.now(UTC)),
                "reason": reason,
                "context": {**source.to_json(), "town": town} if town else source.to_json(),
                "dataset": source.dataset,
                "record": source.record,
            }
        )
    return len(found)
