"""The store on both back-ends: schema, idempotent writes, staff requests, the review list;
and the SQLite file's WAL."""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta

from flows.provenance import Source
from records import SQLiteStore
from records.review import flag_stale_records, review_kind
from records.schema import MIGRATIONS
from support.records_data import T0, simple_turn


def test_schema_is_versioned(store):
    assert store.schema_version() == MIGRATIONS[-1][0]
    for table in ("schema_version", "calls", "turns", "staff_requests", "review_items", "city_requests",
                  "console_users", "console_sessions", "console_sign_in_failures", "file_versions"):
        assert store._has_table(table), table
    # migrating again applies nothing twice
    assert store.migrate() == MIGRATIONS[-1][0]
    assert store._scalar("SELECT COUNT(*) FROM schema_version") == len(MIGRATIONS)


def test_the_sqlite_file_is_wal(sqlite_store, db):
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    again = SQLiteStore(db)  # reopening applies nothing twice
    assert again.migrate() == MIGRATIONS[-1][0]
    assert conn.execute("SELECT COUNT(*) FROM schema_version").fetchone()[0] == len(MIGRATIONS)
    again.close()


def test_writes_are_idempotent(store):
    call = {
        "id": "c1",
        "started_at": "2026-03-02T09:00:00+00:00",
        "language": "fr",
        "caller_hash": None,
        "caller_last2": None,
    }
    store.start_call(call)
    store.start_call(call)  # a retried write
    turn = {
        "call_id": "c1",
        "seq": 0,
        "at": "2026-03-02T09:00:01+00:00",
        "caller_text": "x",
        "key_pressed": None,
        "intent": None,
        "score": None,
        "node": None,
        "assistant_text": "y",
        "provenance": [],
        "latency_ms": None,
    }
    store.add_turn(turn)
    store.add_turn(dict(turn, assistant_text="z", latency_ms=12.5))  # a retry replaces the turn
    assert len(store.calls()) == 1
    assert store.count_turns() == 1
    assert [(t["assistant_text"], t["latency_ms"]) for t in store.turns()] == [("z", 12.5)]


def test_turn_provenance_is_stored_with_its_sources(recorder, store):
    recorder.call_started("c1", caller=None, language="fr", at=T0)
    src = Source(
        "collections",
        "zone-A",
        version="2026-01",
        verified=date(2026, 2, 1),
        document="calendrier.pdf",
    )
    simple_turn(recorder, "c1", T0, provenance=[src.to_json()])
    simple_turn(recorder, "c1", T0, provenance=[src])  # Source objects are accepted too
    turns = store.turns()
    assert [Source.from_json(p) for p in turns[0]["provenance"]] == [src]
    assert turns[1]["provenance"] == turns[0]["provenance"]


def test_callback_number_only_in_request_and_deleted_when_closed(recorder, store):
    recorder.call_started("c1", caller="+33612345678", language="fr", at=T0)
    recorder.staff_request(
        "c1",
        kind="callback",
        details={"number": "+33 6 98 76 54 32", "language": "fr", "summary": "permis de terrasse"},
    )
    recorder.staff_request("c1", kind="message", details={"message": "merci de me rappeler"})
    recorder.call_ended("c1", at=T0 + timedelta(minutes=2), outcome="callback")
    requests = {r["kind"]: r for r in store.staff_requests()}
    assert requests["callback"]["number"] == "+33 6 98 76 54 32"
    assert requests["callback"]["status"] == "open"
    assert requests["message"]["number"] == "+33612345678"  # the caller's own line
    # nowhere else in the database
    raw = store._rows("SELECT * FROM calls")
    assert "612345678" not in repr(raw) and "98765432" not in repr(raw)
    store.update_staff_request(requests["callback"]["id"], status="assigned", assignee="ana")
    assert store.staff_requests("assigned")[0]["number"] is not None
    store.update_staff_request(requests["callback"]["id"], status="closed", note="called back")
    closed = store.staff_requests("closed")[0]
    assert closed["number"] is None and closed["assignee"] == "ana" and closed["closed_at"]


def test_review_items_get_a_kind_and_the_call_context(recorder, store):
    recorder.call_started("c1", caller=None, language="en", at=T0)
    simple_turn(recorder, "c1", T0, caller_text="how much is a terrace permit, I'm 617-555-0123")
    for reason in (
        "stale fee: terrace",
        "legal question",
        "not understood 3 times",
        "asked for a person",
        "something else",
    ):
        recorder.staff_request(
            "c1", kind="review", details={"reason": reason, "context": {"node": "permits"}}
        )
    items = store.review_items("open")
    assert [i["kind"] for i in items] == [
        "stale_fee",
        "legal",
        "not_understood",
        "asked_person",
        "other",
    ]
    ctx = items[0]["context"]
    assert ctx["details"] == {"node": "permits"} and ctx["language"] == "en"
    assert ctx["recent_turns"][0]["caller"].endswith("[phone]")


def test_review_kind_words_in_three_languages():
    assert review_kind("tarif périmé : terrasse") == "stale_fee"
    assert review_kind("question juridique") == "legal"
    assert review_kind("pregunta jurídica") == "legal"
    assert review_kind("demande une personne") == "asked_person"
    assert review_kind("no entendido tres veces") == "not_understood"
    assert review_kind("stale_record") == "stale_record"


def test_stale_records_flagged_once_until_reverified(store):
    today = date(2026, 3, 2)
    fresh = Source("collections", "zone-A", "v1", verified=today - timedelta(days=10))
    due = Source("permits", "terrace", "v1", verified=today - timedelta(days=170))
    old = Source("meetings", "council", "v1", verified=today - timedelta(days=200))
    never = Source("permits", "parking", "v1", verified=None)
    found = flag_stale_records(
        store, [fresh, due, old, never.to_json()], max_age_days=180, warn_days=14, today=today
    )
    assert found == 3
    flag_stale_records(store, [fresh, due, old, never], max_age_days=180, today=today)
    items = store.review_items()
    assert sorted(i["record"] for i in items) == ["council", "parking", "terrace"]
    assert {i["kind"] for i in items} == {"stale_record"}
    # re-verified and stale again later: a new item
    reverified = Source("meetings", "council", "v2", verified=today - timedelta(days=181))
    flag_stale_records(store, [reverified], max_age_days=180, today=today)
    assert len(store.review_items()) == 4
