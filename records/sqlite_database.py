"""The SQLite file under the call records (the default :class:`records.database.Database`):
connections, transactions, migrations, and the check ``civicline doctor`` runs. The queries
are in :mod:`records.store`."""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from records.database import Database, Row
from records.schema import MIGRATIONS

log = logging.getLogger(__name__)


class SQLiteDatabase(Database):
    """One SQLite file in WAL mode.

    Concurrency: a small pool of connections, each lent to one thread for one operation
    and given back (a thread-local connection per thread leaked two file descriptors for
    every short-lived thread: a streamed call's threads, every request of a threaded server,
    until the worker ran out of descriptors). Each write is committed in its own ``BEGIN
    IMMEDIATE`` transaction before the call returns. Chosen over a single writer thread with
    a queue because a queued write that is not yet on disk is lost when the process is
    killed; here, a turn the recorder has returned from is committed, so a killed process
    loses at most the turn in flight. SQLite serialises writers itself; the busy timeout
    makes concurrent calls wait for the lock (each write takes well under a millisecond)
    instead of failing. Within one process, writers wait for each other on a lock of ours
    before ``BEGIN IMMEDIATE``: SQLite's own wait polls with sleeps growing to 100 ms, so under
    a few dozen threads a write of a millisecond waited hundreds (across processes SQLite's
    wait still applies, between one writer of each). WAL lets the report, purge and doctor
    read while calls write, from this process or another one. ``synchronous=NORMAL`` in WAL
    mode survives a killed process; only a power cut may lose the last transactions, an
    accepted trade for call logs.
    """

    backend = "sqlite"
    MAX_CONNECTIONS = 8  # writers queue in SQLite anyway; each connection holds 2-3 files

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
        self._idle: list[sqlite3.Connection] = []
        self._opened = 0
        self._pool = threading.Condition()
        self._held = threading.local()  # the connection this thread has borrowed, if any
        self._writing = threading.RLock()  # this process's write transactions, one at a time
        self._closed = False
        self.open_error = None
        if not read_only:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                _create_private(self.path)
                self.migrate()
            except (sqlite3.Error, OSError) as exc:
                self.open_error = f"{type(exc).__name__}: {exc}"
                log.error("call records %s cannot be opened for writing: %s", self.path, exc)

    # -- connections -------------------------------------------------------------------
    def _open(self) -> sqlite3.Connection:
        if self.read_only:
            target, uri = f"file:{self.path}?mode=ro", True
        else:
            target, uri = str(self.path), False
        # isolation_level=None: we issue BEGIN IMMEDIATE ourselves, so a write takes the
        # lock up front and never dead-locks upgrading a read transaction.
        conn = sqlite3.connect(
            target, uri=uri, timeout=self.busy_timeout_s, isolation_level=None, check_same_thread=False
        )
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout_s * 1000)}")
        if not self.read_only:
            conn.execute("PRAGMA synchronous = NORMAL")
            # Deleted and purged text is overwritten with zeros, not left in free pages.
            conn.execute("PRAGMA secure_delete = ON")
        if self._on_connect:
            self._on_connect(conn)
        return conn

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        """A connection for one operation, given back to the pool after it. A thread that
        already holds one gets the same (an operation may call another)."""
        held = getattr(self._held, "conn", None)
        if held is not None:
            yield held
            return
        conn = self._borrow()
        self._held.conn = conn
        try:
            yield conn
        finally:
            self._held.conn = None
            if conn.in_transaction:  # an operation that failed half-way
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
            self._give_back(conn)

    def _borrow(self) -> sqlite3.Connection:
        with self._pool:
            if not self._pool.wait_for(
                lambda: self._idle or self._opened < self.MAX_CONNECTIONS, timeout=self.busy_timeout_s
            ):
                raise sqlite3.OperationalError(f"no free connection to {self.path} after {self.busy_timeout_s} s")
            if self._idle:
                return self._idle.pop()
            self._opened += 1
        try:
            return self._open()
        except BaseException:
            with self._pool:
                self._opened -= 1
                self._pool.notify()
            raise

    def _give_back(self, conn: sqlite3.Connection) -> None:
        with self._pool:
            if not self._closed:
                self._idle.append(conn)
                self._pool.notify()
                return
            self._opened -= 1
        with contextlib.suppress(sqlite3.Error):
            conn.close()

    @contextmanager
    def _tx(self, lock: str | None = None) -> Iterator[sqlite3.Connection]:
        # ``lock`` needs nothing here: BEGIN IMMEDIATE already makes every writer wait.
        with self._connection() as conn, self._write_turn():
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    @contextmanager
    def _write_turn(self) -> Iterator[None]:
        """This thread's turn among the process's writers, within the busy timeout as SQLite's
        own wait is (a long purge makes a turn's write fail and be retried, not hang)."""
        if not self._writing.acquire(timeout=self.busy_timeout_s):
            raise sqlite3.OperationalError(f"database is locked: no turn to write within {self.busy_timeout_s} s")
        try:
            yield
        finally:
            self._writing.release()

    def _rows(self, sql: str, params: tuple | list | dict = ()) -> list[Row]:
        with self._connection() as conn:
            return [dict(r) for r in conn.execute(sql, params).fetchall()]

    def _scalar(self, sql: str, params: tuple | list | dict = ()) -> Any:
        """The first column of the first row (None when there is no row)."""
        with self._connection() as conn:
            row = conn.execute(sql, params).fetchone()
        return row[0] if row is not None else None

    def _has_table(self, name: str) -> bool:
        return bool(self._scalar("SELECT 1 FROM sqlite_master WHERE name = ?", (name,)))

    def _reclaim_purged(self) -> None:
        # Deleted text is zeroed in the pages (secure_delete), but the old pages are still
        # in the write-ahead log until it is copied back and emptied.
        self._scalar("PRAGMA wal_checkpoint(TRUNCATE)")

    def describe(self) -> str:
        return str(self.path)

    def ping(self, timeout_s: float = 2.0) -> str | None:
        try:
            self._scalar("SELECT 1")
        except sqlite3.Error as exc:
            return f"{type(exc).__name__}: {exc}"
        return None

    def open_connections(self) -> int:
        """Connections open now, lent or idle (each holds file descriptors)."""
        with self._pool:
            return self._opened

    def close(self) -> None:
        """Closes the idle connections; lent ones close when they are given back."""
        with self._pool:
            idle, self._idle = self._idle, []
            self._closed = True
            self._opened -= len(idle)
        for conn in idle:
            with contextlib.suppress(sqlite3.Error):  # an already broken connection
                conn.close()

    # -- schema ------------------------------------------------------------------------
    def migrate(self) -> int:
        """Apply pending migrations; return the schema version."""
        # WAL is a property of the file: set once, every later connection inherits it.
        mode = str(self._scalar("PRAGMA journal_mode = WAL"))
        if mode.lower() != "wal":
            log.warning("call records %s: journal mode is %s, not WAL", self.path, mode)
        current = self.schema_version()
        if current >= MIGRATIONS[-1][0]:
            return current  # nothing to write: a read-only but current file still opens
        with self._tx() as tx:
            return self._apply_migrations(tx)

    # -- health ----------------------------------------------------------------------
    def check(self) -> Row:
        """For ``civicline doctor``: can we open, write (then roll back), and is it WAL?"""
        info: Row = {"backend": self.backend, "path": str(self.path), "exists": self.path.exists()}
        info["journal_mode"] = self._scalar("PRAGMA journal_mode")
        info["schema_version"] = self.schema_version()
        with self._connection() as conn:
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


def _create_private(path: Path) -> None:
    """The records hold personal data: the file is readable by the server's user only
    (SQLite gives its -wal and -shm files the database's own permissions)."""
    if path.exists():
        return
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
