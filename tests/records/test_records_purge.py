"""Retention: purge removes exactly the old text and keeps every count."""

from __future__ import annotations

from datetime import timedelta

from records import CallRecorder, kpis, retention
from support.records_data import KEY, T0, simple_turn

NOW = T0 + timedelta(days=100)  # with 90 days' retention, calls before T0+10d are old
SOURCE = {
    "dataset": "collections",
    "record": "zone-A",
    "version": "v3",
    "verified": "2026-02-01",
    "document": "calendrier.pdf",
    "machine_translated": False,
}


def fill(store):
    recorder = CallRecorder(store, hash_key=KEY, clock=lambda: T0, auto_purge=False)
    for day, call_id in ((0, "old-1"), (5, "old-2"), (20, "new-1"), (99, "new-2")):
        at = T0 + timedelta(days=day)
        recorder.clock = lambda at=at: at
        recorder.call_started(call_id, caller="+33612345678", language="fr", at=at)
        simple_turn(recorder, call_id, at, caller_text="bonjour", provenance=[SOURCE])
        simple_turn(recorder, call_id, at, caller_text="euh", intent=None)
        recorder.staff_request(call_id, kind="callback", details={"number": "+33611111111"})
        recorder.staff_request(call_id, kind="review", details={"reason": "legal question"})
        recorder.call_ended(
            call_id,
            at=at + timedelta(minutes=3),
            outcome="transferred",
            transfer_reason="asked for a person",
            summary="un résumé",
            satisfaction=4,
        )
    # staff closed the request of new-1: its number goes even though the call is recent
    closed = [r for r in store.staff_requests() if r["call_id"] == "new-1"][0]
    store.update_staff_request(closed["id"], status="assigned")
    with store._tx() as tx:  # closed by another tool, number left: purge catches it
        tx.execute("UPDATE staff_requests SET status='closed' WHERE id=?", (closed["id"],))


def snapshot(store):
    return {
        t: store._rows(f"SELECT * FROM {t} ORDER BY 1, 2")
        for t in ("calls", "turns", "staff_requests", "review_items")
    }


def test_dry_run_counts_and_changes_nothing(store):
    fill(store)
    before = snapshot(store)
    report = retention.purge(store, 90, now=NOW, dry_run=True)
    assert report.counts == {"calls": 2, "turns": 4, "review_items": 2, "staff_requests": 3, "city_requests": 0}
    assert snapshot(store) == before
    assert "would purge" in str(report)


def test_purge_removes_exactly_the_old_text(store):
    fill(store)
    kpis_before = kpis.compute(store, since=T0 - timedelta(days=1), until=NOW)
    before = snapshot(store)
    report = retention.purge(store, 90, now=NOW)
    assert report.counts == {"calls": 2, "turns": 4, "review_items": 2, "staff_requests": 3, "city_requests": 0}
    after = snapshot(store)

    # nothing deleted: every row is still there to be counted
    for table in after:
        assert len(after[table]) == len(before[table])
    old = {c["id"]: c for c in after["calls"] if c["id"].startswith("old")}
    new = {c["id"]: c for c in after["calls"] if c["id"].startswith("new")}
    assert all(c["summary"] is None and c["purged_at"] for c in old.values())
    assert all(c["summary"] == "un résumé" and c["purged_at"] is None for c in new.values())
    # counted fields survive
    for c in old.values():
        assert (
            c["outcome"],
            c["satisfaction"],
            c["duration_s"],
            c["transfer_reason"],
            c["language"],
            c["caller_hash"],
        ) == (
            "transferred",
            4,
            180.0,
            "asked for a person",
            "fr",
            before["calls"][0]["caller_hash"],
        )
    for t in after["turns"]:
        if t["call_id"].startswith("old"):
            assert t["caller_text"] is None and t["assistant_text"] is None
            assert t["intent"] in ("waste.day", None) and t["latency_ms"] == 12.0
            if t["seq"] == 0:
                assert t["provenance"] == '[{"dataset": "collections", "record": "zone-A"}]'
        else:
            assert t["caller_text"] in ("bonjour", "euh")
            assert t in before["turns"]
    reqs = {r["call_id"]: r for r in after["staff_requests"]}
    assert reqs["old-1"]["number"] is None and reqs["old-1"]["status"] == "closed"
    assert reqs["old-1"]["note"].startswith("expired")
    assert reqs["new-1"]["number"] is None  # closed by staff
    assert reqs["new-2"]["number"] == "+33611111111"  # open and recent: staff still need it
    reviews = {r["call_id"]: r for r in after["review_items"]}
    assert reviews["old-1"]["context"] is None and reviews["new-1"]["context"] is not None

    # the KPIs are the same counts, except the phrases that were purged
    kpis_after = kpis.compute(store, since=T0 - timedelta(days=1), until=NOW)
    kpis_before.pop("top_not_understood")
    phrases = kpis_after.pop("top_not_understood")
    assert kpis_after == kpis_before
    assert phrases == [{"text": "euh", "count": 2}]

    # a second purge finds nothing left to do
    assert set(retention.purge(store, 90, now=NOW).counts.values()) == {0}


def test_recorder_purges_automatically_in_the_background(store, db):
    fill(store)
    recorder = CallRecorder(store, hash_key=KEY, clock=lambda: NOW, retention_days=90)
    recorder.call_started("today", caller=None, language="en", at=NOW)
    recorder.call_ended("today", at=NOW, outcome="abandoned")
    assert recorder.purge_thread is not None
    recorder.purge_thread.join(30)
    assert not recorder.purge_thread.is_alive()
    calls = {c["id"]: c for c in store.calls()}
    assert calls["old-1"]["purged_at"] and calls["old-1"]["summary"] is None
    assert calls["new-2"]["summary"] == "un résumé"
