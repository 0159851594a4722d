"""What only the PostgreSQL back-end has (the shared suite runs on it too): the URL's
password kept out of every message, the stores' SQL rewritten for psycopg, migrations
applied once by workers starting together, a server that is down or drops the connections."""

from __future__ import annotations

import logging
import threading

import psycopg
import pytest

from civicline.commands.records_cmd import doctor_postgres
from records import CallRecorder, PostgresStore
from records.postgres_database import pg_sql, redact_url
from records.schema import MIGRATIONS
from support.records_data import KEY, T0, simple_turn
from support.served import free_port

SECRET = "pa55-Wörd%40secret"


def test_the_password_is_taken_out_of_a_url():
    assert redact_url("postgresql://clerk:hunter2@db.example:5432/civicline") == (
        "postgresql://clerk:***@db.example:5432/civicline"
    )
    assert redact_url("postgresql://clerk@db/civicline?password=hunter2&sslmode=require") == (
        "postgresql://clerk@db/civicline?password=***&sslmode=require"
    )
    assert redact_url("postgresql:///civicline") == "postgresql:///civicline"


def test_the_stores_sql_is_rewritten_for_psycopg():
    assert pg_sql("SELECT * FROM t WHERE a = ? AND b LIKE '%x?%'") == (
        "SELECT * FROM t WHERE a = %s AND b LIKE '%%x?%%'"
    )
    assert pg_sql("UPDATE t SET a = :a WHERE id = :id AND c = 'it''s :not'") == (
        "UPDATE t SET a = %(a)s WHERE id = %(id)s AND c = 'it''s :not'"
    )


def test_a_server_that_does_not_answer_stops_no_call_and_no_message_shows_the_password(tmp_path, caplog):
    url = f"postgresql://clerk:{SECRET}@127.0.0.1:{free_port()}/civicline"
    health = tmp_path / "records-postgresql.health.json"
    with caplog.at_level(logging.DEBUG):
        store = PostgresStore(url, busy_timeout_s=0.5, health_file=health)
        try:
            assert store.open_error
            recorder = CallRecorder(store, hash_key=KEY, clock=lambda: T0, auto_purge=False, retry_delay_s=0)
            recorder.call_started("c1", caller="+33612345678", language="fr", at=T0)  # must not raise
            simple_turn(recorder, "c1", T0)
            assert recorder.health.write_failures >= 2 and not recorder.health.ok
            assert store.ping(0.5) is not None
            ok, lines = doctor_postgres(store)
        finally:
            store.close()
    assert not ok and any("does not answer" in line for line in lines), lines
    assert "clerk:***@127.0.0.1" in lines[0]
    said = "\n".join([store.open_error or "", *lines, health.read_text(), caplog.text])
    assert SECRET not in said and "pa55" not in said


def test_workers_starting_together_apply_each_migration_once(postgres_url):
    starting = threading.Barrier(4)
    stores: list[PostgresStore] = []
    errors: list[BaseException] = []

    def start() -> None:
        try:
            starting.wait()
            stores.append(PostgresStore(postgres_url))
        except BaseException as exc:  # pragma: no cover - the assertion shows it
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        assert not errors and len(stores) == 4
        assert all(s.open_error is None for s in stores), [s.open_error for s in stores]
        rows = stores[0]._rows("SELECT version FROM schema_version ORDER BY version")
        assert [r["version"] for r in rows] == [m[0] for m in MIGRATIONS]
    finally:
        for s in stores:
            s.close()


def _cut_connections(url: str) -> None:
    """What a server restart does to the pool: every connection of civicline's closed."""
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                      " WHERE application_name = 'civicline' AND pid <> pg_backend_pid()")


def test_connections_the_server_drops_are_replaced_and_a_read_only_database_is_loud(postgres_url, tmp_path):
    store = PostgresStore(postgres_url, health_file=tmp_path / "health.json")
    recorder = CallRecorder(store, hash_key=KEY, clock=lambda: T0, auto_purge=False, retry_delay_s=0)
    try:
        recorder.call_started("c1", caller=None, language="fr", at=T0)
        _cut_connections(postgres_url)
        simple_turn(recorder, "c1", T0, caller_text="after the restart")
        assert recorder.health.write_failures == 0
        name = postgres_url.rsplit("/", 1)[1]
        with psycopg.connect(postgres_url, autocommit=True) as admin:
            admin.execute(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
        _cut_connections(postgres_url)
        simple_turn(recorder, "c1", T0, caller_text="lost")
        assert recorder.health.write_failures == 1 and "read-only" in (recorder.health.last_error or "")
        ok, lines = doctor_postgres(store)
        assert not ok and any("FAILED" in line and "read-only" in line for line in lines), lines
        with psycopg.connect(postgres_url, autocommit=True) as admin:
            admin.execute("SET default_transaction_read_only = off")
            admin.execute(f'ALTER DATABASE "{name}" RESET default_transaction_read_only')
        _cut_connections(postgres_url)
        simple_turn(recorder, "c1", T0, caller_text="back")
        assert recorder.health.ok
        assert [t["caller_text"] for t in store.turns()] == ["after the restart", "back"]
    finally:
        store.close()


def test_fractions_come_back_as_written(store):
    """REAL columns are double precision in PostgreSQL: 0.1 s is not 0.100000001."""
    store.start_call({"id": "c", "started_at": "2026-03-02T09:00:00+00:00", "language": "fr",
                      "caller_hash": None, "caller_last2": None})
    store.end_call("c", {"ended_at": "2026-03-02T09:00:01+00:00", "outcome": "answered", "duration_s": 0.1})
    assert store.calls()[0]["duration_s"] == 0.1


@pytest.fixture
def store(postgres_url):
    s = PostgresStore(postgres_url)
    yield s
    s.close()


def test_missing_binaries_fail_the_tests_loudly(monkeypatch, tmp_path):
    """Without PostgreSQL the back-end's tests error with what to do: never a silent skip."""
    from support.postgres_server import PostgresCluster

    monkeypatch.setenv("CIVICLINE_PG_BIN", str(tmp_path))  # no initdb there
    with pytest.raises(RuntimeError, match="make system-deps.*CIVICLINE_TEST_SKIP_POSTGRES"):
        PostgresCluster(tmp_path).start()


def test_commits_do_not_wait_for_the_disk_unless_asked(postgres_url):
    """The trade SQLite's synchronous=NORMAL makes (docs/deployment.md section 10)."""
    fast, durable = PostgresStore(postgres_url), PostgresStore(postgres_url, durable_commits=True)
    try:
        assert fast._scalar("SHOW synchronous_commit") == "off"
        assert durable._scalar("SHOW synchronous_commit") == "on"
    finally:
        fast.close()
        durable.close()
