"""The records file itself: no descriptors left behind by threads, readable by the server's
user only, and purged text gone from the bytes on disk, not only from the queries. SQLite
only: PostgreSQL's files are the server's (docs/privacy.md)."""

from __future__ import annotations

import os
import stat
import threading
from datetime import timedelta

import pytest

from records import retention
from records.store import SQLiteStore
from support.records_data import T0, simple_turn


@pytest.fixture
def store(sqlite_store):
    return sqlite_store


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def test_short_lived_threads_leave_no_open_connection(recorder, store):
    def one_call(n: int) -> None:
        call_id = f"call-{n}"
        recorder.call_started(call_id, caller="+33612345678", language="fr", at=T0)
        simple_turn(recorder, call_id, T0)
        recorder.call_ended(call_id, at=T0 + timedelta(minutes=1), outcome="answered")

    one_call(0)  # the pool's first connection, and the WAL's files, exist from here on
    before = _open_fds()
    for batch in range(10):
        threads = [threading.Thread(target=one_call, args=(batch * 20 + i + 1,)) for i in range(20)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert store.count_turns() == 201
    # at most the pool's connections stay open (a connection holds up to 3 files)
    assert _open_fds() - before <= SQLiteStore.MAX_CONNECTIONS * 3
    assert store.open_connections() <= store.MAX_CONNECTIONS


def test_the_records_file_is_private(db, store):
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    wal = db.with_name(db.name + "-wal")
    if wal.exists():
        assert stat.S_IMODE(wal.stat().st_mode) & 0o077 == 0


def test_purged_words_and_staff_notes_are_gone_from_the_file(db, store, recorder):
    marker = "Zanzibarquette"
    recorder.call_started("old", caller="+33612345678", language="fr", at=T0)
    simple_turn(recorder, "old", T0, caller_text=f"je suis {marker}, rappelez-moi")
    recorder.staff_request("old", kind="message", details={"message": f"ici {marker}"})
    recorder.staff_request("old", kind="review", details={"reason": "legal question"})
    [item] = store.review_items()
    store.update_review_item(item["id"], status="assigned", note=f"called {marker} back")
    [request] = store.staff_requests()
    store.update_staff_request(request["id"], status="assigned", note=f"{marker} is at home")
    recorder.call_ended("old", at=T0 + timedelta(minutes=2), outcome="message")

    retention.purge(store, 90, now=T0 + timedelta(days=100))

    assert all(i["note"] is None for i in store.review_items())
    assert all(marker not in (r["note"] or "") for r in store.staff_requests())
    for path in db.parent.glob(db.name + "*"):
        assert marker.encode() not in path.read_bytes(), f"{path.name} still holds purged text"
