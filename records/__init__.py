"""Call records: what was said and why (provenance), the staff's to-verify list, personal
data protection, retention and KPIs.

The shell creates one store and one recorder per process::

    store = SQLiteStore(db_path)          # or PostgresStore(url): the same queries
    recorder = CallRecorder(store, hash_key=load_hash_key(production=...),
                            retention_days=config.retention_days)

This package knows nothing of audio, understanding or the application shell.
"""

from records.health import Health, read_health
from records.privacy import HashKeyError, caller_hash, load_hash_key, redact
from records.recorder import CallRecorder
from records.store import PostgresStore, RecordsStore, SQLiteStore, Store

__all__ = [
    "CallRecorder",
    "HashKeyError",
    "Health",
    "PostgresStore",
    "RecordsStore",
    "SQLiteStore",
    "Store",
    "caller_hash",
    "load_hash_key",
    "read_health",
    "redact",
]
