"""The one database interface the records' queries are written against, and what its two
implementations share: migrations, rows as dicts, ISO timestamps.

Two implementations, chosen by the composition root (``civicline.wiring.store_for``):

- :class:`records.sqlite_database.SQLiteDatabase`: one file, the default (nothing to install);
- :class:`records.postgres_database.PostgresDatabase`: a PostgreSQL server
  (``$CIVICLINE_DATABASE_URL``), which several workers and machines share.

Queries are written once, in the SQL both accept: ``?`` or ``:name`` placeholders (the
PostgreSQL implementation rewrites them for its driver), ``INSERT … ON CONFLICT DO NOTHING``
or ``DO UPDATE SET col = excluded.col`` (never SQLite's ``INSERT OR IGNORE/REPLACE``), no
``PRAGMA``, ``rowid``, ``datetime()`` or ``::`` casts; timestamps are ISO-8601 text (:func:`iso`).
What differs between the two (durability settings, reclaiming purged text, locks, doctor's
checks) stays inside each implementation.
"""

from __future__ import annotations

import contextlib
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from records.schema import MIGRATIONS, statements

log = logging.getLogger(__name__)

Row = dict[str, Any]


def iso(at: datetime) -> str:
    """UTC ISO-8601 text; a naive datetime is taken to be UTC already."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(UTC).isoformat(timespec="milliseconds")


class Cursor(Protocol):
    rowcount: int

    def fetchone(self) -> Any: ...
    def fetchall(self) -> list[Any]: ...


class Transaction(Protocol):
    """What a query sees inside :meth:`Database._tx`: rows come back as tuples."""

    def execute(self, sql: str, params: Any = ..., /) -> Any: ...


class Database:
    """The interface. Every write runs in :meth:`_tx` (committed when the block ends,
    rolled back if it raises); reads go through :meth:`_rows` and :meth:`_scalar`."""

    backend = "?"
    MAX_CONNECTIONS = 8
    health_file: Path | None = None
    read_only = False
    # Why opening failed (read-only file, full disk, server down…), or None. Not raised: the
    # server must take calls even when it cannot record them; every write then fails loudly.
    open_error: str | None = None

    # -- what each implementation provides ----------------------------------------------
    def _tx(self, lock: str | None = None) -> contextlib.AbstractContextManager[Any]:
        """A write transaction. ``lock``: a name; writers of the same name wait for one
        another until commit (a number taken as MAX + 1, for instance)."""
        raise NotImplementedError

    def _rows(self, sql: str, params: tuple | list | dict = ()) -> list[Row]:
        raise NotImplementedError

    def _has_table(self, name: str) -> bool:
        raise NotImplementedError

    def _ddl(self, statement: str) -> str:
        """A migration's statement as this database needs it (the same, by default)."""
        return statement

    def _reclaim_purged(self) -> None:
        """After a purge: make the removed text unreadable from the files, as far as the
        database allows."""

    def migrate(self) -> int:
        raise NotImplementedError

    def describe(self) -> str:
        """Where the records are, safe to print and log (never a password)."""
        raise NotImplementedError

    def ping(self, timeout_s: float = 2.0) -> str | None:
        """None when the database answers now, else why not (for /health)."""
        raise NotImplementedError

    def check(self) -> Row:
        raise NotImplementedError

    def open_connections(self) -> int:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    # -- shared ---------------------------------------------------------------------------
    def _scalar(self, sql: str, params: tuple | list | dict = ()) -> Any:
        """The first column of the first row (None when there is no row)."""
        rows = self._rows(sql, params)
        return next(iter(rows[0].values())) if rows else None

    def schema_version(self) -> int:
        if not self._has_table("schema_version"):
            return 0
        return int(self._scalar("SELECT COALESCE(MAX(version), 0) FROM schema_version"))

    def _apply_migrations(self, tx: Transaction) -> int:
        """Inside one transaction the caller holds (and, with several processes, a lock):
        every migration not yet recorded in ``schema_version``."""
        tx.execute(
            "CREATE TABLE IF NOT EXISTS schema_version ("
            "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
        current = int(tx.execute("SELECT COALESCE(MAX(version), 0) FROM schema_version").fetchone()[0])
        for version, name, sql in MIGRATIONS:
            if version <= current:
                continue
            for statement in statements(sql):
                tx.execute(self._ddl(statement))
            tx.execute("INSERT INTO schema_version VALUES (?, ?, ?)", (version, name, iso(datetime.now(UTC))))
            log.info("call records %s: migration %d applied (%s)", self.describe(), version, name)
            current = version
        return current
