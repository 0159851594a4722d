"""Where call records live: a small store interface, and its queries written once.

The interface (:class:`Store`) is what the recorder, the retention job, the KPI report and
the staff console use. :class:`RecordsStore` holds its queries, in the SQL both databases
accept (:mod:`records.database`), over either implementation of
:class:`records.database.Database`: :class:`SQLiteStore` (one file, the default) and
:class:`PostgresStore` (a server the workers share). Rows go in and out as plain dicts whose
keys are the column names, so that callers never depend on a driver's row type.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from records.city_requests import CityRequestRows
from records.database import Row, iso
from records.postgres_database import PostgresDatabase
from records.sqlite_database import SQLiteDatabase

EXPIRED_NOTE = "expired: older than the retention period"


class MissingCallError(LookupError):
    """An update found no call to change: the call's first write was lost. Not a success,
    or the recorder's health would say all is well while records go missing."""


def _updated(cursor: Any, call_id: str) -> None:
    if cursor.rowcount == 0:
        raise MissingCallError(f"no record of call {call_id}: its start was not stored")


@runtime_checkable
class Store(Protocol):
    """Everything the records layer needs from a database. Every write is idempotent
    (keyed by ids the caller chooses) so that a retried write never doubles a record."""

    health_file: Path | None

    def start_call(self, call: Row) -> None: ...
    def set_language(self, call_id: str, language: str) -> None: ...
    def add_turn(self, turn: Row) -> None: ...
    def end_call(self, call_id: str, fields: Row) -> None: ...
    def add_staff_request(self, request: Row) -> None: ...
    def update_staff_request(
        self, request_id: str, *, status: str, assignee: str | None = None, note: str | None = None
    ) -> None: ...
    def add_review_item(self, item: Row) -> None: ...
    def resume_call(self, call_id: str) -> Row | None:
        """``started_at``, ``language``, ``ended_at`` and ``next_seq`` (the turn number after
        the last stored) of a stored call; None when the call is not stored."""
        ...
    def calls(self, since: datetime | None = None, until: datetime | None = None) -> list[Row]: ...
    def turns(self, since: datetime | None = None, until: datetime | None = None) -> list[Row]: ...
    def staff_requests(self, status: str | None = None) -> list[Row]: ...
    def review_items(self, status: str | None = None) -> list[Row]: ...
    def purge_text(self, before: datetime, *, dry_run: bool = False) -> dict[str, int]: ...
    def check(self) -> Row: ...
    def close(self) -> None: ...


class RecordsStore(CityRequestRows):
    """The call records' queries, over either database: calls, turns, staff requests and
    review items in and out, and the purge of personal text."""

    # -- writes ------------------------------------------------------------------------
    def start_call(self, call: Row) -> None:
        with self._tx() as tx:
            tx.execute(
                "INSERT INTO calls (id, started_at, language, caller_hash, caller_last2, channel, town)"
                " VALUES (:id, :started_at, :language, :caller_hash, :caller_last2, :channel, :town)"
                " ON CONFLICT DO NOTHING",
                {"channel": "voice", "town": "", **call},
            )

    def set_language(self, call_id: str, language: str) -> None:
        with self._tx() as tx:
            _updated(tx.execute("UPDATE calls SET language = ? WHERE id = ?", (language, call_id)), call_id)

    def add_turn(self, turn: Row) -> None:
        row = dict(turn, provenance=json.dumps(turn.get("provenance") or [], ensure_ascii=False),
                   emergency_notice=int(bool(turn.get("emergency_notice"))))
        values = ("at", "caller_text", "key_pressed", "intent", "score", "node", "assistant_text", "provenance",
                  "latency_ms", "emergency_notice")
        with self._tx() as tx:
            # A retried write replaces the turn it repeats.
            tx.execute(
                f"INSERT INTO turns (call_id, seq, {', '.join(values)}) VALUES (:call_id, :seq,"
                f" {', '.join(':' + c for c in values)}) ON CONFLICT (call_id, seq) DO UPDATE SET "
                + ", ".join(f"{c} = excluded.{c}" for c in values),
                {c: row.get(c) for c in ("call_id", "seq", *values)},
            )

    def end_call(self, call_id: str, fields: Row) -> None:
        cols = ("ended_at", "outcome", "duration_s", "transfer_reason", "satisfaction", "summary")
        values = {c: fields.get(c) for c in cols}
        with self._tx() as tx:
            cursor = tx.execute(
                "UPDATE calls SET " + ", ".join(f"{c} = :{c}" for c in cols) + " WHERE id = :id",
                dict(values, id=call_id),
            )
            _updated(cursor, call_id)

    def add_staff_request(self, request: Row) -> None:
        cols = ("id", "call_id", "kind", "created_at", "language", "number", "caller_last2", "text")
        with self._tx() as tx:
            tx.execute(
                f"INSERT INTO staff_requests ({', '.join(cols)}) VALUES "
                f"({', '.join(':' + c for c in cols)}) ON CONFLICT DO NOTHING",
                {c: request.get(c) for c in cols},
            )

    def update_staff_request(
        self, request_id: str, *, status: str, assignee: str | None = None, note: str | None = None
    ) -> None:
        closed = status == "closed"
        with self._tx() as tx:
            # Closing deletes the full number: staff no longer need it to call back.
            tx.execute(
                "UPDATE staff_requests SET status = ?, assignee = COALESCE(?, assignee),"
                " note = COALESCE(?, note),"
                " number = CASE WHEN ? THEN NULL ELSE number END,"
                " closed_at = CASE WHEN ? THEN ? ELSE closed_at END WHERE id = ?",
                (status, assignee, note, closed, closed, iso(datetime.now(UTC)), request_id),
            )

    def add_review_item(self, item: Row) -> None:
        cols = ("id", "call_id", "kind", "created_at", "reason", "context", "dataset", "record")
        row = {c: item.get(c) for c in cols}
        if row["context"] is not None and not isinstance(row["context"], str):
            row["context"] = json.dumps(row["context"], ensure_ascii=False, default=str)
        with self._tx() as tx:
            tx.execute(
                f"INSERT INTO review_items ({', '.join(cols)}) VALUES "
                f"({', '.join(':' + c for c in cols)}) ON CONFLICT DO NOTHING",
                row,
            )

    def update_review_item(
        self, item_id: str, *, status: str, assignee: str | None = None, note: str | None = None
    ) -> None:
        with self._tx() as tx:
            tx.execute(
                "UPDATE review_items SET status = ?, assignee = COALESCE(?, assignee),"
                " note = COALESCE(?, note), closed_at = CASE WHEN ? = 'closed' THEN ?"
                " ELSE closed_at END WHERE id = ?",
                (status, assignee, note, status, iso(datetime.now(UTC)), item_id),
            )

    # -- reads -------------------------------------------------------------------------
    def resume_call(self, call_id: str) -> Row | None:
        rows = self._rows(
            "SELECT started_at, language, ended_at, (SELECT COALESCE(MAX(seq) + 1, 0) FROM turns"
            " WHERE call_id = :id) AS next_seq FROM calls WHERE id = :id",
            {"id": call_id},
        )
        return rows[0] if rows else None

    @staticmethod
    def _window(column: str, since: datetime | None, until: datetime | None) -> tuple[str, list]:
        where, params = [], []
        if since is not None:
            where.append(f"{column} >= ?")
            params.append(iso(since))
        if until is not None:
            where.append(f"{column} < ?")
            params.append(iso(until))
        return (" WHERE " + " AND ".join(where) if where else ""), params

    def calls(self, since: datetime | None = None, until: datetime | None = None) -> list[Row]:
        where, params = self._window("started_at", since, until)
        return self._rows(f"SELECT * FROM calls{where} ORDER BY started_at, id", params)

    def turns(self, since: datetime | None = None, until: datetime | None = None) -> list[Row]:
        """Turns of the calls started in the window, with their call's language."""
        where, params = self._window("c.started_at", since, until)
        rows = self._rows(
            "SELECT t.*, c.language AS call_language FROM turns t"
            f" JOIN calls c ON c.id = t.call_id{where} ORDER BY t.call_id, t.seq",
            params,
        )
        for row in rows:
            row["provenance"] = json.loads(row["provenance"]) if row["provenance"] else []
        return rows

    def count_turns(self) -> int:
        return int(self._scalar("SELECT COUNT(*) FROM turns"))

    def staff_requests(self, status: str | None = None) -> list[Row]:
        if status:
            return self._rows(
                "SELECT * FROM staff_requests WHERE status = ? ORDER BY created_at", (status,)
            )
        return self._rows("SELECT * FROM staff_requests ORDER BY created_at")

    def review_items(self, status: str | None = None) -> list[Row]:
        sql = "SELECT * FROM review_items" + (" WHERE status = ?" if status else "")
        rows = self._rows(sql + " ORDER BY created_at", (status,) if status else ())
        for row in rows:
            row["context"] = json.loads(row["context"]) if row["context"] else None
        return rows

    # -- retention ---------------------------------------------------------------------
    def purge_text(self, before: datetime, *, dry_run: bool = False) -> dict[str, int]:
        """Remove personal text of calls started before ``before``; keep the counts.

        Transfer reasons stay: they are the engine's reason codes (redacted when written),
        which the KPIs count. Turn rows stay (intent, node, key, score, latency feed the KPIs) but lose what was
        said; provenance keeps only data set and record ids. Closed requests lose their
        number; requests older than the cut-off are closed as expired and lose their text.
        """
        cut = iso(before)
        old_calls = "SELECT id FROM calls WHERE started_at < :cut"
        checks = {
            "calls": "SELECT COUNT(*) FROM calls WHERE started_at < :cut"
            " AND (summary IS NOT NULL OR purged_at IS NULL)",
            "turns": f"SELECT COUNT(*) FROM turns WHERE (call_id IN ({old_calls}) OR at < :cut)"
            " AND (caller_text IS NOT NULL OR assistant_text IS NOT NULL"
            " OR provenance LIKE '%\"version\"%')",
            "review_items": "SELECT COUNT(*) FROM review_items WHERE created_at < :cut"
            " AND (context IS NOT NULL OR note IS NOT NULL)",
            "staff_requests": "SELECT COUNT(*) FROM staff_requests WHERE (number IS NOT NULL AND"
            " status = 'closed') OR (created_at < :cut AND (number IS NOT NULL"
            " OR text IS NOT NULL OR note IS NOT NULL AND note != :expired))",
        }
        params = {"cut": cut, "expired": EXPIRED_NOTE}
        if dry_run:
            counts = {k: int(self._scalar(sql, params)) for k, sql in checks.items()}
            return {**counts, "city_requests": self.purge_city_requests(before, dry_run=True)}
        with self._tx() as tx:
            counts = {k: tx.execute(sql, params).fetchone()[0] for k, sql in checks.items()}
            old_turns = tx.execute(
                f"SELECT call_id, seq, provenance FROM turns WHERE"
                f" (call_id IN ({old_calls}) OR at < :cut) AND provenance"
                " LIKE '%\"version\"%'",
                {"cut": cut},
            ).fetchall()
            for call_id, seq, prov in old_turns:
                kept = [
                    {"dataset": s.get("dataset"), "record": s.get("record")}
                    for s in json.loads(prov or "[]")
                ]
                tx.execute(
                    "UPDATE turns SET provenance = ? WHERE call_id = ? AND seq = ?",
                    (json.dumps(kept), call_id, seq),
                )
            tx.execute(
                f"UPDATE turns SET caller_text = NULL, assistant_text = NULL WHERE"
                f" call_id IN ({old_calls}) OR at < :cut",
                {"cut": cut},
            )
            tx.execute(
                "UPDATE calls SET summary = NULL,"
                " purged_at = COALESCE(purged_at, :now) WHERE started_at < :cut",
                {"cut": cut, "now": iso(datetime.now(UTC))},
            )
            # Staff notes may quote the caller: they go with the text they are about.
            tx.execute(
                "UPDATE review_items SET context = NULL, note = NULL WHERE created_at < :cut",
                {"cut": cut},
            )
            tx.execute("UPDATE staff_requests SET number = NULL WHERE status = 'closed'")
            tx.execute(
                "UPDATE staff_requests SET number = NULL, text = NULL, status = 'closed',"
                " note = :expired, closed_at = COALESCE(closed_at, :now) WHERE created_at < :cut",
                {"cut": cut, "now": iso(datetime.now(UTC)), "expired": EXPIRED_NOTE},
            )
        counts["city_requests"] = self.purge_city_requests(before)
        self._reclaim_purged()
        return counts


class SQLiteStore(RecordsStore, SQLiteDatabase):
    """The call records in one SQLite file (:class:`SQLiteDatabase`: connections, WAL,
    migrations); the default."""


class PostgresStore(RecordsStore, PostgresDatabase):
    """The call records in PostgreSQL (:class:`PostgresDatabase`: the pool, migrations
    once across workers), for several workers and machines."""
