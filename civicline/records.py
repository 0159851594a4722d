"""The call-records store and recorder, built from the configuration.

``[records] db``, ``retention_days`` and ``minutes_per_call`` come from civicline.toml (or
CIVICLINE_DB_PATH…); the hash key only from ``$CIVICLINE_HASH_KEY``. Set
``CIVICLINE_ENV=production`` on a real server: without a key it then refuses to start.
"""

from __future__ import annotations

from typing import Any

from records import CallRecorder, SQLiteStore, load_hash_key


def store_for(config: Any) -> SQLiteStore:
    return SQLiteStore(config.db_path)


def recorder_for(config: Any, *, production: bool | None = None) -> CallRecorder:
    """One per process: the store keeps a connection per thread, the recorder the calls
    in progress and the write-health that ``civicline doctor`` shows."""
    return CallRecorder(
        store_for(config),
        hash_key=load_hash_key(production=production),
        retention_days=config.retention_days,
    )
