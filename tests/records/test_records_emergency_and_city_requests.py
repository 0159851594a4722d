"""Migration 6: review items of kind 'emergency'; requests to the city's systems kept first."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from records import SQLiteStore
from records.schema import MIGRATIONS, statements

T = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def test_an_emergency_is_a_review_item_of_its_own_kind(recorder, store):
    recorder.call_started("c1", caller="+33612345678", language="fr", at=T)
    recorder.staff_request("c1", kind="review", details={"kind": "emergency", "reason": "emergency: fire, heard by words",
                                                           "context": {"heard": "il y a le feu"}})
    items = store.review_items()
    assert [i["kind"] for i in items] == ["emergency"]
    assert recorder.health.consecutive_failures == 0


def test_an_older_database_keeps_its_review_items_through_migration_6(tmp_path):
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)")
    for version, name, sql in MIGRATIONS:
        if version > 3:
            break
        for statement in statements(sql):
            conn.execute(statement)
        conn.execute("INSERT INTO schema_version VALUES (?, ?, ?)", (version, name, T.isoformat()))
    conn.execute("INSERT INTO review_items (id, kind, created_at, reason) VALUES ('r1', 'legal', ?, 'a legal question')",
                 (T.isoformat(),))
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("INSERT INTO review_items (id, kind, created_at) VALUES ('r2', 'emergency', ?)", (T.isoformat(),))
    conn.commit()
    conn.close()
    store = SQLiteStore(path)
    assert store.schema_version() == MIGRATIONS[-1][0]
    assert [i["reason"] for i in store.review_items()] == ["a legal question"]
    store.add_review_item({"id": "r2", "kind": "emergency", "created_at": T.isoformat(), "reason": "emergency"})
    assert {i["kind"] for i in store.review_items()} == {"legal", "emergency"}
    store.close()


def request(**extra):
    return {"id": "q1", "call_id": "c1", "created_at": T.isoformat(), "language": "fr", "service": "bulky_pickup",
            "address": "12 Rue du Port", "description": "un canapé", "phone": "+33612345678", **extra}


def test_a_pending_request_is_retried_then_filed(store):
    store.add_city_request(request())
    store.add_city_request(request())  # a retried write does not double it
    assert [r["id"] for r in store.due_city_requests(T)] == ["q1"]
    store.city_request_attempted("q1", error="connection refused", next_attempt_at=T + timedelta(minutes=5))
    assert store.due_city_requests(T) == []
    assert [r["id"] for r in store.due_city_requests(T + timedelta(minutes=5))] == ["q1"]
    store.city_request_filed("q1", service_request_id="638344", token=None, notice=None, service_code="BULKY", at=T)
    row = store.city_request("q1")
    assert row["status"] == "filed" and row["service_request_id"] == "638344" and row["attempts"] == 2


def test_giving_up_puts_it_on_the_staff_list_and_closing_clears_the_number(store):
    store.add_city_request(request())
    store.city_request_attempted("q1", error="400 unknown service", next_attempt_at=None, give_up=True)
    assert [r["id"] for r in store.city_requests("for_staff")] == ["q1"]
    store.update_city_request("q1", status="closed", assignee="marie", note="booked by phone")
    row = store.city_request("q1")
    assert row["status"] == "closed" and row["phone"] is None and row["note"] == "booked by phone"
    with pytest.raises(ValueError):
        store.update_city_request("q1", status="lost")


def test_the_retention_purge_clears_what_the_caller_said(store):
    store.add_city_request(request())
    counts = store.purge_text(T + timedelta(days=1))
    assert counts["city_requests"] == 1
    row = store.city_request("q1")
    assert row["phone"] is None and row["address"] is None and row["description"] is None
    assert row["status"] == "for_staff"  # never sent: it stays visible to staff
