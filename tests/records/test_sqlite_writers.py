"""Writers of one process take turns on a lock of ours before SQLite's: none sleeps in
SQLite's busy wait, and a turn that does not come within the busy timeout fails as SQLite's
own wait would (the recorder retries it) instead of hanging."""

from __future__ import annotations

import sqlite3
import threading

import pytest

from records.sqlite_database import SQLiteDatabase


def test_many_threads_write_and_every_write_lands(tmp_path):
    db = SQLiteDatabase(tmp_path / "r.sqlite3")
    with db._tx() as tx:
        tx.execute("CREATE TABLE t (n INTEGER)")

    def write(k: int) -> None:
        for i in range(20):
            with db._tx() as tx:
                tx.execute("INSERT INTO t VALUES (?)", (k * 100 + i,))

    threads = [threading.Thread(target=write, args=(k,)) for k in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert db._scalar("SELECT COUNT(*) FROM t") == 16 * 20


def test_a_turn_that_does_not_come_in_time_fails_like_a_locked_database(tmp_path):
    db = SQLiteDatabase(tmp_path / "r.sqlite3", busy_timeout_s=0.2)
    holding, done = threading.Event(), threading.Event()

    def long_write() -> None:
        with db._tx():
            holding.set()
            done.wait(30)

    threading.Thread(target=long_write, daemon=True).start()
    assert holding.wait(10)
    try:
        with pytest.raises(sqlite3.OperationalError, match="locked"), db._tx():
            pass
    finally:
        done.set()
