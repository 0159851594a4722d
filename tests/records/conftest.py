"""Fixtures for the call-records tests: a fresh store on each back-end (SQLite, PostgreSQL;
support.stores) and a recorder on a fixed clock. ``sqlite_store``: tests of what only the
SQLite file has (WAL, its permissions, a read-only or full disk)."""

from __future__ import annotations

import pytest

from records import CallRecorder, SQLiteStore
from support.records_data import KEY, T0
from support.stores import backend, postgres_server, postgres_url, store_on  # noqa: F401 - fixtures


@pytest.fixture
def db(tmp_path):
    return tmp_path / "records.sqlite3"


@pytest.fixture
def store(request, db, backend):  # noqa: F811 - the fixture imported above
    s = store_on(request, backend, db)
    yield s
    s.close()


@pytest.fixture
def sqlite_store(db):
    s = SQLiteStore(db)
    yield s
    s.close()


@pytest.fixture
def recorder(store):
    # Automatic purge off: these tests date their calls in 2026 and must not race a purge.
    return CallRecorder(store, hash_key=KEY, clock=lambda: T0, auto_purge=False)
