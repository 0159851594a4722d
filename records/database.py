"""The SQLite file under the call records: connections, transactions, migrations, and the
check ``civicline doctor`` runs. The queries are in :mod:`records.store`."""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from records.schema import MIGRATIONS, statements

log = logging.getLogger(__name__)

Row = dict[str, Any]


def iso(at: datetime) -> str:
    """UTC ISO-8601 text; a naive datetime is taken to be UTC already."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(UTC).isoformat(timespec="milliseconds")


class SQLiteDatabase:
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

    # -- health ----------------------------------------------------------------------
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
