"""Where the phone line keeps its calls in progress between two requests, so that a call
outlives the process that answered its last request (a restart, a crash, ``kill -9``).

:class:`InProgressStore` is the interface: a call's state is one opaque JSON text under its
CallSid, written before the answer to Twilio leaves, and a call that ended leaves only the
fact that it ended (nothing personal), so that a replayed webhook cannot reopen it.
:class:`SQLiteInProgressStore` is the default, a small file of its own next to the call records
(``[telephony] state``). Another store (Redis, for several servers) implements the same
five methods.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StoredCall:
    data: str | None
    """The call's state as JSON; None once the call has ended."""
    ended_at: float | None
    """When the call ended (Unix time), or None while it is in progress."""


class InProgressStore(Protocol):
    def get(self, call_sid: str) -> StoredCall | None:
        """The call, in progress or ended; None for a CallSid never seen (or long forgotten)."""
        ...

    def add(self, call_sid: str, data: str, at: float) -> bool:
        """Store a new call; False (and nothing written) when the CallSid is already known."""
        ...

    def put(self, call_sid: str, data: str, at: float) -> None:
        """Replace the state of a call in progress (a call that has ended stays ended)."""
        ...

    def end(self, call_sid: str, at: float) -> None:
        """The call is over: its state is deleted, the fact that it ended is kept."""
        ...

    def expire(self, in_progress_before: float, ended_before: float) -> int:
        """Forget calls in progress last written before the first time (nobody told us they
        ended) and ended calls older than the second; returns how many went."""
        ...


class SQLiteInProgressStore:
    """Calls in progress in one SQLite file (WAL: a write is in the file when ``put`` returns,
    and survives the process being killed). One connection behind a lock: each write is a
    single small row, far below a millisecond, and a process holds no more than one file."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError):  # the state holds numbers: owner only
            os.close(os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(str(self.path), isolation_level=None, check_same_thread=False, timeout=5.0)
        self._conn.execute("PRAGMA journal_mode = WAL")
        self._conn.execute("PRAGMA synchronous = NORMAL")
        self._conn.execute("PRAGMA secure_delete = ON")  # an ended call's state is overwritten
        # The table's name is part of the file's format: files on servers keep their calls in
        # progress, and the ended CallSids that refuse replayed webhooks, across an upgrade.
        self._conn.execute(
            "CREATE TABLE IF NOT EXISTS lines (call_sid TEXT PRIMARY KEY, data TEXT,"
            " updated_at REAL NOT NULL, ended_at REAL)"
        )

    def get(self, call_sid: str) -> StoredCall | None:
        with self._lock:
            row = self._conn.execute("SELECT data, ended_at FROM lines WHERE call_sid = ?", (call_sid,)).fetchone()
        return StoredCall(row[0], row[1]) if row else None

    def add(self, call_sid: str, data: str, at: float) -> bool:
        with self._lock:
            cursor = self._conn.execute(
                "INSERT OR IGNORE INTO lines (call_sid, data, updated_at) VALUES (?, ?, ?)", (call_sid, data, at)
            )
        return cursor.rowcount == 1

    def put(self, call_sid: str, data: str, at: float) -> None:
        with self._lock:
            self._conn.execute(
                "UPDATE lines SET data = ?, updated_at = ? WHERE call_sid = ? AND ended_at IS NULL",
                (data, at, call_sid),
            )

    def end(self, call_sid: str, at: float) -> None:
        with self._lock:
            self._conn.execute(
                "INSERT INTO lines (call_sid, data, updated_at, ended_at) VALUES (?, NULL, ?, ?)"
                " ON CONFLICT (call_sid) DO UPDATE SET data = NULL, updated_at = excluded.updated_at,"
                " ended_at = COALESCE(lines.ended_at, excluded.ended_at)",
                (call_sid, at, at),
            )

    def expire(self, in_progress_before: float, ended_before: float) -> int:
        with self._lock:
            cursor = self._conn.execute(
                "DELETE FROM lines WHERE (ended_at IS NULL AND updated_at < ?) OR ended_at < ?",
                (in_progress_before, ended_before),
            )
        return cursor.rowcount

    def close(self) -> None:
        with self._lock:
            self._conn.close()


class MemoryInProgressStore:
    """The same in this process's memory: for tests, and the terminal's simulated calls."""

    def __init__(self) -> None:
        self.open_error: str | None = None  # why the file store could not be used instead
        self._calls: dict[str, tuple[str | None, float, float | None]] = {}
        self._lock = threading.Lock()

    def get(self, call_sid: str) -> StoredCall | None:
        with self._lock:
            found = self._calls.get(call_sid)
        return StoredCall(found[0], found[2]) if found else None

    def add(self, call_sid: str, data: str, at: float) -> bool:
        with self._lock:
            if call_sid in self._calls:
                return False
            self._calls[call_sid] = (data, at, None)
            return True

    def put(self, call_sid: str, data: str, at: float) -> None:
        with self._lock:
            found = self._calls.get(call_sid)
            if found is not None and found[2] is None:
                self._calls[call_sid] = (data, at, None)

    def end(self, call_sid: str, at: float) -> None:
        with self._lock:
            found = self._calls.get(call_sid)
            self._calls[call_sid] = (None, at, found[2] if found and found[2] is not None else at)

    def expire(self, in_progress_before: float, ended_before: float) -> int:
        with self._lock:
            gone = [
                sid for sid, (_, updated, ended) in self._calls.items()
                if (ended is None and updated < in_progress_before) or (ended is not None and ended < ended_before)
            ]
            for sid in gone:
                del self._calls[sid]
        return len(gone)
