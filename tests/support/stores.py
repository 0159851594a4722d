"""The records store of a test on either back-end: the shared store tests take the
``backend`` fixture's two values, so that SQLite and PostgreSQL pass the same suite.

``store_on(request, backend, path)``: a SQLite file at ``path``, or a PostgreSQL database of
the test's own on the session's throw-away cluster (support.postgres_server).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from records import PostgresStore, SQLiteStore
from support.postgres_server import postgres_server, postgres_url  # noqa: F401 - fixtures

BACKENDS = ("sqlite", "postgresql")


def store_on(request: pytest.FixtureRequest, backend: str, path: Path, **kwargs: Any) -> Any:
    if backend == "sqlite":
        return SQLiteStore(path, **kwargs)
    url = request.getfixturevalue("postgres_url")
    return PostgresStore(url, health_file=path.with_name(path.name + ".health.json"), **kwargs)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def cli_database(store: Any, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What points civicline's records commands at this store: ``--db FILE`` for SQLite, the
    environment's URL for PostgreSQL (as a server's would)."""
    if isinstance(store, PostgresStore):
        monkeypatch.setenv("CIVICLINE_DATABASE_URL", store._url)
        return []
    return ["--db", str(store.path)]


def same_database(store: Any) -> Any:
    """A second store on the same database, as another worker has (its own connections)."""
    if isinstance(store, PostgresStore):
        return PostgresStore(store._url)
    return SQLiteStore(store.path)
