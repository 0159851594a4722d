"""Reads the staff console needs beyond the Store interface: one call and its turns, a
filtered page of calls, single review items and requests, and trial calls.

Kept apart from store.py so that the console's queries do not grow the interface every
store must implement; like the store's, they are written once for both databases.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from records.database import Row, iso
from records.store import RecordsStore

PAGE = 50


@dataclass(frozen=True)
class CallFilter:
    since: datetime | None = None
    until: datetime | None = None
    language: str | None = None
    outcome: str | None = None
    trials: str = "exclude"  # exclude | include | only
    text: str | None = None  # words said by the caller or the assistant
    towns: tuple[str, ...] | None = None  # only calls of these towns (keys; '' before towns); None: all


def calls_page(store: RecordsStore, f: CallFilter, page: int = 1) -> tuple[list[Row], int]:
    """One page of calls, newest first, with the number of calls matching in all."""
    where, params = [], []
    if f.since:
        where.append("c.started_at >= ?")
        params.append(iso(f.since))
    if f.until:
        where.append("c.started_at < ?")
        params.append(iso(f.until))
    if f.language:
        where.append("c.language = ?")
        params.append(f.language)
    if f.outcome == "in_progress":
        where.append("c.outcome IS NULL")
    elif f.outcome:
        where.append("c.outcome = ?")
        params.append(f.outcome)
    if f.trials == "exclude":
        where.append("t.call_id IS NULL")
    elif f.trials == "only":
        where.append("t.call_id IS NOT NULL")
    if f.towns is not None:
        where.append(f"c.town IN ({', '.join('?' for _ in f.towns) or 'NULL'})")
        params += list(f.towns)
    if f.text:
        # LIKE with escapes: staff type plain words, never patterns. LOWER on both sides:
        # SQLite's LIKE ignores case, PostgreSQL's does not.
        like = "%" + f.text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        where.append(
            "EXISTS (SELECT 1 FROM turns u WHERE u.call_id = c.id AND (LOWER(u.caller_text) LIKE LOWER(?)"
            " ESCAPE '\\' OR LOWER(u.assistant_text) LIKE LOWER(?) ESCAPE '\\'))"
        )
        params += [like, like]
    sql_where = (" WHERE " + " AND ".join(where)) if where else ""
    base = f" FROM calls c LEFT JOIN trial_calls t ON t.call_id = c.id{sql_where}"
    total = store._scalar("SELECT COUNT(*)" + base, params)
    rows = store._rows(
        "SELECT c.*, t.started_by AS trial_by,"
        " (SELECT COUNT(*) FROM turns u WHERE u.call_id = c.id) AS turn_count"
        + base
        + " ORDER BY c.started_at DESC, c.id LIMIT ? OFFSET ?",
        [*params, PAGE, PAGE * (max(page, 1) - 1)],
    )
    return rows, total


def call(store: RecordsStore, call_id: str) -> Row | None:
    rows = store._rows(
        "SELECT c.*, t.started_by AS trial_by FROM calls c"
        " LEFT JOIN trial_calls t ON t.call_id = c.id WHERE c.id = ?",
        (call_id,),
    )
    return rows[0] if rows else None


def turns_of(store: RecordsStore, call_id: str) -> list[Row]:
    rows = store._rows("SELECT * FROM turns WHERE call_id = ? ORDER BY seq", (call_id,))
    for row in rows:
        row["provenance"] = json.loads(row["provenance"]) if row["provenance"] else []
    return rows


def requests_of(store: RecordsStore, call_id: str) -> list[Row]:
    return store._rows("SELECT * FROM staff_requests WHERE call_id = ?", (call_id,))


def review_item(store: RecordsStore, item_id: str) -> Row | None:
    rows = store._rows("SELECT * FROM review_items WHERE id = ?", (item_id,))
    if not rows:
        return None
    row = rows[0]
    row["context"] = json.loads(row["context"]) if row["context"] else None
    return row


def staff_request(store: RecordsStore, request_id: str) -> Row | None:
    rows = store._rows("SELECT * FROM staff_requests WHERE id = ?", (request_id,))
    return rows[0] if rows else None


def _own_town(row: Row) -> str:
    """The town an item names itself (a stale record's, in its context), else ''."""
    context = row.get("context")
    return str(context.get("town") or "") if isinstance(context, dict) else ""


def town_of(store: RecordsStore, row: Row) -> str:
    """The key of the town a call (a ``calls`` row) or an item of a call (review item, staff
    or city request) belongs to; '' for calls recorded before towns, and for items of no call
    that name no town (staff see them with the town served then, the default)."""
    if "call_id" not in row:
        return str(row.get("town") or "")
    if not row.get("call_id"):
        return _own_town(row)
    found = store._rows("SELECT town FROM calls WHERE id = ?", (row["call_id"],))
    return str(found[0]["town"] or "") if found else ""


def in_towns(store: RecordsStore, rows: list[Row], towns: tuple[str, ...]) -> list[Row]:
    """The rows (review items, staff or city requests) of one of ``towns`` (see town_of)."""
    ids = {r["call_id"] for r in rows if r.get("call_id")}
    town_of: dict[str, str] = {}
    if ids:
        for start in range(0, len(ids), 500):  # SQLite's limit on bound values
            chunk = sorted(ids)[start : start + 500]
            found = store._rows(
                f"SELECT id, town FROM calls WHERE id IN ({', '.join('?' for _ in chunk)})", chunk
            )
            town_of.update({r["id"]: str(r["town"] or "") for r in found})
    return [r for r in rows
            if (town_of.get(r["call_id"], "") if r.get("call_id") else _own_town(r)) in towns]


def mark_trial(store: RecordsStore, call_id: str, user: str) -> None:
    with store._tx() as tx:
        tx.execute(
            "INSERT INTO trial_calls VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
            (call_id, user, iso(datetime.now(UTC))),
        )


def trial_ids(store: RecordsStore) -> set[str]:
    return {r["call_id"] for r in store._rows("SELECT call_id FROM trial_calls")}


class WithoutTrials:
    """A read-only view of a store without trial calls (and, if asked, one language only,
    only some towns' calls), so that :func:`records.kpis.compute` reports on residents'
    calls unchanged."""

    def __init__(self, store: RecordsStore, language: str | None = None,
                 towns: tuple[str, ...] | None = None) -> None:
        self._store = store
        self._trials = trial_ids(store)
        self._language = language
        self._towns = towns

    def _keep(self, call: Row, lang_key: str = "language") -> bool:
        if call.get("id", call.get("call_id")) in self._trials:
            return False
        if self._towns is not None and (call.get("town") or "") not in self._towns:
            return False
        return not self._language or call.get(lang_key) == self._language

    def calls(self, since: datetime | None = None, until: datetime | None = None) -> list[Row]:
        return [c for c in self._store.calls(since, until) if self._keep(c)]

    def turns(self, since: datetime | None = None, until: datetime | None = None) -> list[Row]:
        kept = None if self._towns is None else {c["id"] for c in self.calls(since, until)}
        return [
            t
            for t in self._store.turns(since, until)
            if t["call_id"] not in self._trials
            and (not self._language or t.get("call_language") == self._language)
            and (kept is None or t["call_id"] in kept)
        ]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)
