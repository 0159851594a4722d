"""Where call records live: a small store interface and its SQLite implementation.

The interface (:class:`Store`) is what the recorder, the retention job, the KPI report and
the staff console use; a PostgreSQL store can implement it later and replay
:data:`flows.records.schema.MIGRATIONS`. Rows go in and out as plain dicts whose keys are
the column names, so that callers never depend on a driver's row type.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from flows.records.schema import MIGRATIONS, statements

log = logging.getLogger(__name__)

Row = dict[str, Any]


def iso(at: datetime) -> str:
    """UTC ISO-8601 text; a naive datetime is taken to be UTC already."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(UTC).isoformat(timespec="milliseconds")


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
    def calls(self, since: datetime | None = None, until: datetime | None = None) -> list[Row]: ...
    def turns(self, since: datetime | None = None, until: datetime | None = None) -> list[Row]: ...
    def staff_requests(self, status: str | None = None) -> list[Row]: ...
    def review_items(self, status: str | None = None) -> list[Row]: ...
    def purge_text(self, before: datetime, *, dry_run: bool = False) -> dict[str, int]: ...
    def check(self) -> Row: ...
    def close(self) -> None: ...


class SQLiteStore:
    """One SQLite file in WAL mode.

    Concurrency: one connection per thread (``threading.local``), each write committed in
    its own ``BEGIN IMMEDIATE`` transaction before the call returns. Chosen over a single
    writer thread with a queue because a queued write that is not yet on disk is lost when
    the process is killed; here, a turn the recorder has returned from is committed, so a
    killed process loses at most the turn in flight. SQLite serialises writers itself; the
    busy timeout makes concurrent calls wait for the lock (each write takes well under a
    millisecond) instead of failing. WAL lets the report, purge and doctor read while calls
    write, from this process or another one. ``synchronous=NORMAL`` in WAL mode survives a
    killed process; only a power cut may lose the last transactions, an accepted trade
    for call logs.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        busy_timeout_s: float = 5.0,
        read_only: bool = False,
        on_connect: Callable[[sqlite3.Connection], None] | None = None,
    ) -> None:
        self.path = Path(path)
        self.read_only = read_only
        self.busy_timeout_s = busy_timeout_s
        self.health_file: Path | None = self.path.with_name(self.path.name + ".health.json")
        self._on_connect = on_connect  # tests use it to simulate a full disk
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._all_lock = threading.Lock()
        # Why opening failed (read-only file, full disk…), or None. Not raised: the server
        # must take calls even when it cannot record them; every write then fails loudly.
        self.open_error: str | None = None
        if not read_only:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self.migrate()
            except (sqlite3.Error, OSError) as exc:
                self.open_error = f"{type(exc).__name__}: {exc}"
                log.error("call records %s cannot be opened for writing: %s", self.path, exc)

    # -- connections -------------------------------------------------------------------
    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            if self.read_only:
                target, uri = f"file:{self.path}?mode=ro", True
            else:
                target, uri = str(self.path), False
            # isolation_level=None: we issue BEGIN IMMEDIATE ourselves, so a write takes
            # the lock up front and never dead-locks upgrading a read transaction.
            conn = sqlite3.connect(
                target,
                uri=uri,
                timeout=self.busy_timeout_s,
                isolation_level=None,
                check_same_thread=False,
            )
            conn.row_factory = sqlite3.Row
            conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout_s * 1000)}")
            if not self.read_only:
                conn.execute("PRAGMA synchronous = NORMAL")
            if self._on_connect:
                self._on_connect(conn)
            self._local.conn = conn
            with self._all_lock:
                self._all.append(conn)
        return conn

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def _rows(self, sql: str, params: tuple | list = ()) -> list[Row]:
        return [dict(r) for r in self._conn().execute(sql, params).fetchall()]

    def close(self) -> None:
        with self._all_lock:
            for conn in self._all:
                with contextlib.suppress(sqlite3.Error):  # an already broken connection
                    conn.close()
            self._all.clear()
        self._local = threading.local()

    # -- schema ------------------------------------------------------------------------
    def migrate(self) -> int:
        """Apply pending migrations; return the schema version."""
        conn = self._conn()
        # WAL is a property of the file: set once, every later connection inherits it.
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if mode.lower() != "wal":
            log.warning("call records %s: journal mode is %s, not WAL", self.path, mode)
        current = self.schema_version()
        if current >= MIGRATIONS[-1][0]:
            return current  # nothing to write: a read-only but current file still opens
        with self._tx() as tx:
            tx.execute(
                "CREATE TABLE IF NOT EXISTS schema_version ("
                "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
            )
            current = tx.execute("SELECT COALESCE(MAX(version), 0) FROM schema_version").fetchone()[
                0
            ]
            for version, name, sql in MIGRATIONS:
                if version <= current:
                    continue
                for statement in statements(sql):
                    tx.execute(statement)
                tx.execute(
                    "INSERT INTO schema_version VALUES (?, ?, ?)",
                    (version, name, iso(datetime.now(UTC))),
                )
                current = version
        return current

    def schema_version(self) -> int:
        conn = self._conn()
        if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'schema_version'").fetchone():
            return 0
        return conn.execute("SELECT COALESCE(MAX(version), 0) FROM schema_version").fetchone()[0]

    # -- writes ------------------------------------------------------------------------
    def start_call(self, call: Row) -> None:
        with self._tx() as tx:
            tx.execute(
                "INSERT OR IGNORE INTO calls (id, started_at, language, caller_hash, caller_last2)"
                " VALUES (:id, :started_at, :language, :caller_hash, :caller_last2)",
                call,
            )

    def set_language(self, call_id: str, language: str) -> None:
        with self._tx() as tx:
            tx.execute("UPDATE calls SET language = ? WHERE id = ?", (language, call_id))

    def add_turn(self, turn: Row) -> None:
        row = dict(turn, provenance=json.dumps(turn.get("provenance") or [], ensure_ascii=False))
        with self._tx() as tx:
            tx.execute(
                "INSERT OR REPLACE INTO turns (call_id, seq, at, caller_text, key_pressed, intent,"
                " score, node, assistant_text, provenance, latency_ms) VALUES (:call_id, :seq,"
                " :at, :caller_text, :key_pressed, :intent, :score, :node, :assistant_text,"
                " :provenance, :latency_ms)",
                row,
            )

    def end_call(self, call_id: str, fields: Row) -> None:
        cols = ("ended_at", "outcome", "duration_s", "transfer_reason", "satisfaction", "summary")
        values = {c: fields.get(c) for c in cols}
        with self._tx() as tx:
            tx.execute(
                "UPDATE calls SET " + ", ".join(f"{c} = :{c}" for c in cols) + " WHERE id = :id",
                dict(values, id=call_id),
            )

    def add_staff_request(self, request: Row) -> None:
        cols = ("id", "call_id", "kind", "created_at", "language", "number", "caller_last2", "text")
        with self._tx() as tx:
            tx.execute(
                f"INSERT OR IGNORE INTO staff_requests ({', '.join(cols)}) VALUES "
                f"({', '.join(':' + c for c in cols)})",
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
                f"INSERT OR IGNORE INTO review_items ({', '.join(cols)}) VALUES "
                f"({', '.join(':' + c for c in cols)})",
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
        return self._conn().execute("SELECT COUNT(*) FROM turns").fetchone()[0]

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

    # -- retention and health ----------------------------------------------------------
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
            " AND context IS NOT NULL",
            "staff_requests": "SELECT COUNT(*) FROM staff_requests WHERE (number IS NOT NULL AND"
            " status = 'closed') OR (created_at < :cut AND (number IS NOT NULL"
            " OR text IS NOT NULL))",
        }
        if dry_run:
            conn = self._conn()
            return {k: conn.execute(sql, {"cut": cut}).fetchone()[0] for k, sql in checks.items()}
        with self._tx() as tx:
            counts = {k: tx.execute(sql, {"cut": cut}).fetchone()[0] for k, sql in checks.items()}
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
            tx.execute(
                "UPDATE review_items SET context = NULL WHERE created_at < :cut", {"cut": cut}
            )
            tx.execute("UPDATE staff_requests SET number = NULL WHERE status = 'closed'")
            tx.execute(
                "UPDATE staff_requests SET number = NULL, text = NULL, status = 'closed',"
                " note = COALESCE(note, 'expired: older than the retention period'),"
                " closed_at = COALESCE(closed_at, :now) WHERE created_at < :cut",
                {"cut": cut, "now": iso(datetime.now(UTC))},
            )
        return counts

    def check(self) -> Row:
        """For ``civicline doctor``: can we open, write (then roll back), and is it WAL?"""
        conn = self._conn()
        info: Row = {"path": str(self.path), "exists": self.path.exists()}
        info["journal_mode"] = conn.execute("PRAGMA journal_mode").fetchone()[0]
        info["schema_version"] = self.schema_version()
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("CREATE TABLE doctor_probe (x INTEGER)")
            conn.execute("ROLLBACK")
            info["writable"], info["write_error"] = True, None
        except sqlite3.Error as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            info["writable"], info["write_error"] = False, str(exc)
        if self.path.parent.exists():
            stat = os.statvfs(self.path.parent)
            info["free_bytes"] = stat.f_bavail * stat.f_frsize
        return info
