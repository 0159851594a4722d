"""Requests filed to the city's systems (Open311), kept in the records database first.

A request is written here before it is sent, so that none is lost: ``pending`` rows are
sent again until the city's endpoint takes them (then ``filed``, with its
``service_request_id``); a town without an endpoint, or a request the endpoint refuses,
lands ``for_staff``, on the staff's list in the console. The caller's number, address and
words are personal: they are cleared with the call's text at the retention period.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from records.database import Database, Row, iso
from records.schema import CITY_REQUEST_STATUSES

_COLUMNS = ("id", "call_id", "created_at", "language", "service", "service_code", "address", "description",
            "phone", "status", "next_attempt_at", "last_error")


class CityRequestRows(Database):
    """The ``city_requests`` table (part of :class:`records.store.RecordsStore`)."""

    def add_city_request(self, row: Row) -> None:
        """Idempotent: the id is the caller's (a retried write never doubles a request)."""
        if row.get("status", "pending") not in CITY_REQUEST_STATUSES:
            raise ValueError(f"unknown status {row.get('status')!r}")
        values = {c: row.get(c) for c in _COLUMNS}
        values["status"] = values["status"] or "pending"
        with self._tx() as tx:
            tx.execute(
                f"INSERT INTO city_requests ({', '.join(_COLUMNS)}) VALUES "
                f"({', '.join(':' + c for c in _COLUMNS)}) ON CONFLICT DO NOTHING",
                values,
            )

    def city_request(self, request_id: str) -> Row | None:
        rows = self._rows("SELECT * FROM city_requests WHERE id = ?", (request_id,))
        return rows[0] if rows else None

    def city_requests(self, status: str | None = None) -> list[Row]:
        if status:
            return self._rows("SELECT * FROM city_requests WHERE status = ? ORDER BY created_at", (status,))
        return self._rows("SELECT * FROM city_requests ORDER BY created_at")

    def due_city_requests(self, now: datetime, limit: int = 20, towns: Sequence[str] | None = None) -> list[Row]:
        """Pending requests whose next attempt is due, oldest first; with ``towns``, only
        those of calls to these towns (by key, as the calls record them)."""
        if towns is None:
            return self._rows(
                "SELECT * FROM city_requests WHERE status = 'pending' AND (next_attempt_at IS NULL"
                " OR next_attempt_at <= ?) ORDER BY created_at LIMIT ?",
                (iso(now), limit),
            )
        marks = ", ".join("?" for _ in towns)
        return self._rows(
            "SELECT * FROM city_requests WHERE status = 'pending' AND (next_attempt_at IS NULL"
            f" OR next_attempt_at <= ?) AND call_id IN (SELECT id FROM calls WHERE town IN ({marks}))"
            " ORDER BY created_at LIMIT ?",
            (iso(now), *towns, limit),
        )

    def city_request_attempted(self, request_id: str, *, error: str, next_attempt_at: datetime | None,
                               give_up: bool = False) -> None:
        """A failed attempt: when to try again, or (give_up) onto the staff's list."""
        with self._tx() as tx:
            tx.execute(
                "UPDATE city_requests SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?,"
                " status = CASE WHEN ? THEN 'for_staff' ELSE status END WHERE id = ? AND status = 'pending'",
                (error[:500], iso(next_attempt_at) if next_attempt_at else None, give_up, request_id),
            )

    def city_request_filed(self, request_id: str, *, service_request_id: str | None, token: str | None,
                           notice: str | None, service_code: str | None, at: datetime) -> None:
        with self._tx() as tx:
            tx.execute(
                "UPDATE city_requests SET status = 'filed', attempts = attempts + 1, service_request_id = ?,"
                " token = ?, service_notice = ?, service_code = COALESCE(?, service_code), filed_at = ?,"
                " last_error = NULL, next_attempt_at = NULL WHERE id = ?",
                (service_request_id, token, notice, service_code, iso(at), request_id),
            )

    def update_city_request(self, request_id: str, *, status: str, assignee: str | None = None,
                            note: str | None = None) -> None:
        """Staff's work on a request: assign, note, close (closing clears the number)."""
        if status not in CITY_REQUEST_STATUSES:
            raise ValueError(f"unknown status {status!r}")
        closed = status == "closed"
        with self._tx() as tx:
            tx.execute(
                "UPDATE city_requests SET status = ?, assignee = COALESCE(?, assignee), note = COALESCE(?, note),"
                " phone = CASE WHEN ? THEN NULL ELSE phone END,"
                " closed_at = CASE WHEN ? THEN ? ELSE closed_at END WHERE id = ?",
                (status, assignee, note, closed, closed, iso(datetime.now(UTC)), request_id),
            )

    def purge_city_requests(self, before: datetime, *, dry_run: bool = False) -> int:
        """Clears number, address and words of requests made before ``before``; a pending one
        that old is given up (onto the staff's list, for the record)."""
        where = "created_at < ? AND purged_at IS NULL"
        count = int(self._scalar(f"SELECT COUNT(*) FROM city_requests WHERE {where}", (iso(before),)) or 0)
        if dry_run or not count:
            return count
        with self._tx() as tx:
            tx.execute(
                "UPDATE city_requests SET phone = NULL, address = NULL, description = NULL, note = NULL,"
                " status = CASE WHEN status = 'pending' THEN 'for_staff' ELSE status END,"
                f" purged_at = ? WHERE {where}",
                (iso(datetime.now(UTC)), iso(before)),
            )
        return count


def summary_of(row: Row) -> dict[str, Any]:
    """What the console lists for a request."""
    return {k: row.get(k) for k in ("id", "created_at", "service", "status", "service_request_id", "attempts",
                                    "last_error", "address", "description", "language")}
