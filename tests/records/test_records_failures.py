"""A store that cannot be written: calls go on, the error is loud in the log and in doctor."""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
import subprocess
from datetime import timedelta

import pytest

from civicline.commands.records_cmd import doctor
from records import CallRecorder, SQLiteStore
from records.health import read_health
from support.records_data import KEY, T0, simple_turn


def whole_call(recorder: CallRecorder, call_id: str = "c1") -> None:
    recorder.call_started(call_id, caller="+33612345678", language="fr", at=T0)
    recorder.language_set(call_id, "es")
    simple_turn(recorder, call_id, T0)
    recorder.staff_request(call_id, kind="callback", details={"number": "+33612345678"})
    recorder.staff_request(call_id, kind="review", details={"reason": "legal question"})
    recorder.call_ended(call_id, at=T0 + timedelta(seconds=30), outcome="callback")


def test_read_only_database_calls_go_on_error_logged_and_in_doctor(db, sqlite_store, caplog):
    sqlite_store.close()
    ro = SQLiteStore(db, read_only=True)  # what a read-only file gives: every write refused
    recorder = CallRecorder(ro, hash_key=KEY, clock=lambda: T0, auto_purge=False, retry_delay_s=0)
    with caplog.at_level(logging.ERROR, logger="records"):
        whole_call(recorder)  # must not raise
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 6  # one per lost write, each after its retries
    assert "readonly" in errors[0].getMessage() and "LOST" in errors[0].getMessage()
    assert recorder.health.write_failures == 6 and not recorder.health.ok
    assert recorder.health.retried_writes == 2 * 3  # retried until the store was known bad
    assert SQLiteStore(db).calls() == []
    ok, lines = doctor(db)
    assert not ok
    assert any("FAILED" in line and "readonly" in line for line in lines)


def test_full_disk_calls_go_on_and_writes_recover(db, sqlite_store, caplog):
    sqlite_store.close()
    full = {"on": True}

    def limit_pages(conn: sqlite3.Connection) -> None:
        # SQLite's page limit gives the same SQLITE_FULL error as a full disk.
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        if full["on"]:
            conn.execute(f"PRAGMA max_page_count = {pages}")

    disk = SQLiteStore(db, on_connect=limit_pages)
    recorder = CallRecorder(disk, hash_key=KEY, clock=lambda: T0, auto_purge=False, retry_delay_s=0)
    with caplog.at_level(logging.ERROR, logger="records"):
        recorder.call_started("c1", caller=None, language="en", at=T0)
        for i in range(5):
            simple_turn(recorder, "c1", T0, assistant_text="z" * 20000 + str(i))
    assert recorder.health.write_failures > 0
    assert any("full" in r.getMessage() for r in caplog.records if r.levelno == logging.ERROR)
    ok, lines = doctor(db)
    assert not ok and any("full" in line for line in lines)
    # space comes back (a new connection without the limit): writes succeed again
    disk.close()
    full["on"] = False
    simple_turn(recorder, "c1", T0, assistant_text="after")
    recorder.call_ended("c1", at=T0, outcome="answered")
    assert recorder.health.ok
    assert [t["assistant_text"] for t in disk.turns()][-1] == "after"
    ok, lines = doctor(db)
    assert ok, lines


class Flaky:
    """A store whose every write fails ``failures`` times before succeeding."""

    def __init__(self, inner: SQLiteStore, failures: int) -> None:
        self.inner, self.failures = inner, failures
        self.health_file = self.open_error = None
        self.attempts = 0

    def __getattr__(self, name):
        method = getattr(self.inner, name)

        def flaky(*args, **kwargs):
            self.attempts += 1
            if self.attempts % (self.failures + 1):
                raise sqlite3.OperationalError("database is locked")
            return method(*args, **kwargs)

        return flaky


def test_transient_errors_are_retried_without_loss(store, caplog):
    recorder = CallRecorder(
        Flaky(store, failures=2), hash_key=KEY, clock=lambda: T0, auto_purge=False, retry_delay_s=0
    )
    with caplog.at_level(logging.ERROR):
        whole_call(recorder)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert recorder.health.write_failures == 0 and recorder.health.retried_writes == 12
    assert len(store.calls()) == 1 and store.count_turns() == 1
    assert len(store.staff_requests()) == 1 and len(store.review_items()) == 1


def test_unopenable_database_does_not_stop_the_recorder(tmp_path, caplog):
    bad = tmp_path / "not-a-db.sqlite3"
    bad.write_bytes(b"this is not an SQLite file" * 100)
    with caplog.at_level(logging.ERROR):
        store = SQLiteStore(bad)  # does not raise: the server must still take calls
        recorder = CallRecorder(store, hash_key=KEY, auto_purge=False, retry_delay_s=0)
        whole_call(recorder)
    assert store.open_error and "not a database" in store.open_error
    assert not recorder.health.ok
    ok, lines = doctor(bad)
    assert not ok and any("not a database" in line for line in lines)


def test_bugs_inside_the_recorder_do_not_reach_the_call(recorder, caplog):
    recorder.call_started("c1", caller=None, language="en", at=T0)
    with caplog.at_level(logging.ERROR):
        # a provenance entry that is not a mapping: a programming error in the caller
        recorder.turn(
            "c1",
            at=T0,
            caller_text="x",
            key=None,
            intent=None,
            score=None,
            node=None,
            assistant_text="y",
            provenance=[42],
            latency_ms=None,
        )
    assert any(r.levelno == logging.ERROR for r in caplog.records)
    assert recorder.health.write_failures == 1


@pytest.mark.skipif(not shutil.which("chattr"), reason="needs chattr")
def test_doctor_sees_a_really_read_only_file(db, sqlite_store):
    """The real thing where the machine allows it: chmod for a user, chattr +i for root."""
    sqlite_store.close()
    if os.geteuid() != 0:
        os.chmod(db, 0o444)
    elif subprocess.run(["chattr", "+i", str(db)], capture_output=True).returncode:
        pytest.skip("cannot make the file immutable here")
    try:
        ok, lines = doctor(db)
        assert not ok and any("not writable" in line for line in lines), lines
        recorder = CallRecorder(SQLiteStore(db), hash_key=KEY, auto_purge=False, retry_delay_s=0)
        whole_call(recorder)
        assert recorder.health.write_failures > 0
    finally:
        if os.geteuid() == 0:
            subprocess.run(["chattr", "-i", str(db)])
        os.chmod(db, 0o644)


def test_an_update_that_finds_no_call_is_a_lost_write_not_a_success(store, caplog):
    """The call's start was lost (a full disk for a moment): ending it changes no row."""
    recorder = CallRecorder(store, hash_key=KEY, clock=lambda: T0, auto_purge=False, retry_delay_s=0)
    recorder.call_started("c1", caller=None, language="en", at=T0)
    with store._tx() as tx:
        tx.execute("DELETE FROM calls WHERE id = 'c1'")  # as if the insert had never landed
    with caplog.at_level(logging.ERROR, logger="records"):
        recorder.call_ended("c1", at=T0, outcome="answered")
    assert not recorder.health.ok and recorder.health.write_failures == 1
    assert "no record of call c1" in (recorder.health.last_error or "")
    assert read_health(store.health_file)["ok"] is False


def test_the_health_file_is_overwritten_in_place(store):
    """A full disk cannot give a new file: the health file is made once, at its full size,
    and rewritten in place, so a failure always reaches it."""
    recorder = CallRecorder(store, hash_key=KEY, clock=lambda: T0, auto_purge=False, retry_delay_s=0)
    path = store.health_file
    before = path.stat()
    assert read_health(path)["ok"] is True
    recorder.health.failed("add_turn", OSError(28, "No space left on device"))
    after = path.stat()
    assert (after.st_ino, after.st_size) == (before.st_ino, before.st_size)
    assert read_health(path)["ok"] is False and "No space left" in read_health(path)["last_error"]
    assert not list(path.parent.glob("*.tmp"))
