"""The call records in PostgreSQL (``$CIVICLINE_DATABASE_URL=postgresql://…``), which every
worker on every machine shares: psycopg 3 and its connection pool (the ``postgres`` extra).

The queries are those of :mod:`records.store`, written once for both databases; here their
``?`` and ``:name`` placeholders become psycopg's (:func:`pg_sql`). Migrations are the same
list as SQLite's, applied in one transaction under an advisory lock, so that the workers
starting together apply each once; ``REAL`` columns become ``DOUBLE PRECISION`` (in
PostgreSQL ``REAL`` is 4 bytes and 0.1 would come back 0.100000001).

Every write commits before it returns, with ``synchronous_commit=off`` for civicline's
sessions: the same trade as SQLite's ``synchronous=NORMAL`` (a killed worker loses nothing
it committed; a crash of the server's machine may lose its last fraction of a second of
records, never their consistency), for 1.5 to 2 times the writes a second under a burst
of calls (``durable_commits=True`` waits for the disk at every commit instead). Writes run
in PostgreSQL's default isolation (read committed): writes that must not interleave (a
file's next version number) take a transaction-scoped advisory lock by name
(``_tx(lock=…)``). The URL is a secret (it may carry a password): it
is read from the environment only and never printed or logged whole (:func:`redact_url`).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from records.database import Database, Row
from records.schema import MIGRATIONS

log = logging.getLogger(__name__)

SCHEMES = ("postgresql", "postgres")
_MIGRATION_LOCK = "civicline records migrations"


def redact_url(url: str) -> str:
    """The URL without its password (in the authority or as ``?password=``)."""
    url = re.sub(r"^([A-Za-z][A-Za-z0-9+.-]*://[^/?#@:]*):[^/?#]*@", r"\1:***@", url)
    return re.sub(r"([?&]password=)[^&#]*", r"\1***", url, flags=re.IGNORECASE)


def _without_secret(text: str, url: str) -> str:
    """An error's text, with the URL's password taken out should the driver quote it."""
    parts = urlsplit(url)
    secrets = [parts.password] + [v for k, v in parse_qsl(parts.query) if k.lower() == "password"]
    for secret in filter(None, secrets):
        text = text.replace(secret, "***")
    return text


@functools.lru_cache(maxsize=512)
def pg_sql(sql: str) -> str:
    """The portable SQL of the stores with psycopg's placeholders: ``?`` -> ``%s``,
    ``:name`` -> ``%(name)s``, and a literal ``%`` doubled (psycopg reads every ``%``)."""
    out: list[str] = []
    i, n = 0, len(sql)
    while i < n:
        c = sql[i]
        if c == "'":  # a literal: copied, only its % doubled
            end = i + 1
            while end < n:
                if sql[end] == "'":
                    if end + 1 < n and sql[end + 1] == "'":
                        end += 2
                        continue
                    break
                end += 1
            out.append(sql[i : end + 1].replace("%", "%%"))
            i = end + 1
            continue
        if c == "?":
            out.append("%s")
        elif c == "%":
            out.append("%%")
        elif c == ":" and i + 1 < n and (sql[i + 1].isalpha() or sql[i + 1] == "_") and (i == 0 or sql[i - 1] != ":"):
            match = re.match(r"[A-Za-z_][A-Za-z0-9_]*", sql[i + 1 :])
            assert match is not None
            out.append(f"%({match.group(0)})s")
            i += 1 + len(match.group(0))
            continue
        else:
            out.append(c)
        i += 1
    return "".join(out)


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for ``pg_advisory_xact_lock`` (the same in every process)."""
    return int.from_bytes(hashlib.blake2b(name.encode("utf-8"), digest_size=8).digest(), "big", signed=True)


class _Transaction:
    """The connection as the stores' queries see it: ``execute`` with portable SQL."""

    def __init__(self, conn: Any) -> None:
        self._conn = conn

    def execute(self, sql: str, params: Any = (), /) -> Any:
        return self._conn.execute(pg_sql(sql), params)


class PostgresDatabase(Database):
    """A pool of connections to one PostgreSQL database.

    Connections are in autocommit; a write is one explicit transaction (``_tx``), committed
    before the call returns, as with SQLite. A connection is checked when it is lent, so
    that one the server dropped (a restart) is replaced instead of failing a call's write.
    A write waits up to ``busy_timeout_s`` for a connection; once none could be made, later
    ones wait ``DOWN_WAIT_S`` until one can. The server down at start does not stop the process: ``open_error`` says why, every
    write fails loudly (and the recorder counts it), and the first operation after the
    server is back applies the migrations.
    """

    backend = "postgresql"
    MAX_CONNECTIONS = 8  # per process; a gunicorn worker's threads share them
    DOWN_WAIT_S = 0.2  # the wait for a connection while the server is known unreachable

    def __init__(
        self,
        url: str,
        *,
        busy_timeout_s: float = 3.0,
        read_only: bool = False,
        health_file: Path | None = None,
        connect_timeout_s: int = 3,
        durable_commits: bool = False,
        check_connections: bool = True,
    ) -> None:
        from psycopg_pool import ConnectionPool

        if urlsplit(url).scheme not in SCHEMES:
            raise ValueError(f"not a PostgreSQL URL: {redact_url(url)}")
        self._url = url
        self.target = redact_url(url)
        self.read_only = read_only
        self.busy_timeout_s = busy_timeout_s
        self.health_file = health_file
        if health_file is not None:  # the recorder writes it; the folder may be new
            with contextlib.suppress(OSError):
                health_file.parent.mkdir(parents=True, exist_ok=True)
        self._held = threading.local()  # the connection this thread has borrowed, if any
        self._schema_lock = threading.Lock()
        self._schema_ready = False
        self._down = False
        kwargs: dict[str, Any] = {"autocommit": True, "connect_timeout": connect_timeout_s,
                                  "application_name": "civicline"}
        options = [] if durable_commits else ["-c synchronous_commit=off"]
        if read_only:
            options.append("-c default_transaction_read_only=on")
        if options:
            kwargs["options"] = " ".join(options)
        self._pool = ConnectionPool(
            url, min_size=1, max_size=self.MAX_CONNECTIONS, kwargs=kwargs, timeout=busy_timeout_s,
            check=ConnectionPool.check_connection if check_connections else None, name="civicline-records",
            open=False,
        )
        self._pool.open(wait=False)
        self.open_error = None
        if not read_only:
            try:
                self.migrate()
            except Exception as exc:
                self.open_error = self._error(exc)
                log.error("call records %s cannot be opened for writing: %s", self.target, self.open_error)

    def _error(self, exc: BaseException) -> str:
        return _without_secret(f"{type(exc).__name__}: {exc}", self._url)

    def describe(self) -> str:
        return self.target

    # -- connections -------------------------------------------------------------------
    @contextmanager
    def _connection(self, timeout_s: float | None = None) -> Iterator[Any]:
        """A connection for one operation, given back to the pool after it. A thread that
        already holds one gets the same (an operation may call another)."""
        held = getattr(self._held, "conn", None)
        if held is not None:
            yield held
            return
        if timeout_s is None:
            # While the server is known to be unreachable, a write fails at once instead of
            # holding a caller's turn for the whole wait; the pool keeps reconnecting behind.
            timeout_s = self.DOWN_WAIT_S if self._down else self.busy_timeout_s
        try:
            borrowed = self._pool.connection(timeout=timeout_s)
            conn = borrowed.__enter__()
        except Exception:
            # No connection at all (not merely all of them busy): the server is unreachable.
            self._down = self._pool.get_stats().get("pool_size", 0) == 0
            raise
        self._down = False
        self._held.conn = conn
        try:
            yield conn
        except BaseException as exc:
            self._held.conn = None
            if not borrowed.__exit__(type(exc), exc, exc.__traceback__):
                raise
        else:
            self._held.conn = None
            borrowed.__exit__(None, None, None)

    def _ensure_schema(self) -> None:
        """Migrations not applied at start (the server was down then) are applied now."""
        if self._schema_ready or self.read_only:
            return
        with self._schema_lock:
            if not self._schema_ready:
                self.migrate()
                if self.open_error:
                    log.warning("call records %s: reachable again, writes resume", self.target)
                self.open_error = None

    @contextmanager
    def _raw_tx(self, lock: str | None = None) -> Iterator[_Transaction]:
        with self._connection() as conn, conn.transaction():  # nested: a savepoint
            if lock is not None:
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (lock_key(lock),))
            yield _Transaction(conn)

    @contextmanager
    def _tx(self, lock: str | None = None) -> Iterator[_Transaction]:
        self._ensure_schema()
        with self._raw_tx(lock) as tx:
            yield tx

    def _rows(self, sql: str, params: tuple | list | dict = ()) -> list[Row]:
        from psycopg.rows import dict_row

        self._ensure_schema()
        with self._connection() as conn:
            cursor = conn.cursor(row_factory=dict_row)
            cursor.execute(pg_sql(sql), params)
            return cursor.fetchall() if cursor.description else []

    def _has_table(self, name: str) -> bool:
        with self._connection() as conn:
            return conn.execute("SELECT to_regclass(%s)", (name,)).fetchone()[0] is not None

    def open_connections(self) -> int:
        return int(self._pool.get_stats().get("pool_size", 0))

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._pool.close(timeout=5)

    # -- schema ------------------------------------------------------------------------
    def _ddl(self, statement: str) -> str:
        return re.sub(r"\bREAL\b", "DOUBLE PRECISION", statement)

    def migrate(self) -> int:
        """Apply pending migrations once, whichever of the workers starting together gets
        there first: the others wait on the lock, then find nothing left to do."""
        if self._has_table("schema_version") and self.schema_version_now() >= MIGRATIONS[-1][0]:
            self._schema_ready = True
            return MIGRATIONS[-1][0]
        with self._raw_tx(lock=_MIGRATION_LOCK) as tx:
            version = self._apply_migrations(tx)
        self._schema_ready = True
        return version

    def schema_version_now(self) -> int:
        with self._connection() as conn:
            return int(conn.execute("SELECT COALESCE(MAX(version), 0) FROM schema_version").fetchone()[0])

    def schema_version(self) -> int:
        return self.schema_version_now() if self._has_table("schema_version") else 0

    def _reclaim_purged(self) -> None:
        # PostgreSQL never overwrites a row in place: the purged text stays in dead row
        # versions until VACUUM marks their space free (and later writes reuse it).
        with self._connection() as conn:
            for table in ("calls", "turns", "review_items", "staff_requests", "city_requests"):
                conn.execute(f"VACUUM {table}")

    # -- health ------------------------------------------------------------------------
    def ping(self, timeout_s: float = 2.0) -> str | None:
        try:
            with self._connection(timeout_s) as conn:
                conn.execute("SELECT 1")
        except Exception as exc:
            return self._error(exc)
        return None

    def check(self) -> Row:
        """For ``civicline doctor``: does the server answer, which version, the schema, and
        can we write (a row inserted, then rolled back)?"""
        info: Row = {"backend": self.backend, "target": self.target}
        try:
            with self._connection() as conn:
                info["server_version"] = conn.execute("SHOW server_version").fetchone()[0]
                info["reachable"] = True
        except Exception as exc:
            info.update(reachable=False, error=self._error(exc), writable=False, write_error=self._error(exc))
            return info
        info["schema_version"] = self.schema_version()
        try:
            with self._connection() as conn, conn.transaction(force_rollback=True):
                conn.execute("SET TRANSACTION READ WRITE")  # doctor's store is opened read-only
                conn.execute("INSERT INTO schema_version VALUES (-1, 'doctor probe', 'now')")
            info["writable"], info["write_error"] = True, None
        except Exception as exc:
            info["writable"], info["write_error"] = False, self._error(exc)
        return info
