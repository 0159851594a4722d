"""Fixtures for the call-records tests: a fresh SQLite store and a recorder on a fixed clock."""

from __future__ import annotations

import pytest

from records import CallRecorder, SQLiteStore
from support.records_data import KEY, T0


@pytest.fixture
def db(tmp_path):
    return tmp_path / "records.sqlite3"


@pytest.fixture
def store(db):
    s = SQLiteStore(db)
    yield s
    s.close()


@pytest.fixture
def recorder(store):
    # Automatic purge off: these tests date their calls in 2026 and must not race a purge.
    return CallRecorder(store, hash_key=KEY, clock=lambda: T0, auto_purge=False)
