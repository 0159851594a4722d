"""At start, records whose verification is too old land on the staff's review list."""

from __future__ import annotations

from pathlib import Path

from civicline.app import create_app
from civicline.config import load_config
from records import CallRecorder, SQLiteStore

ROOT = Path(__file__).resolve().parents[2]


def test_the_stale_terrace_fee_is_on_the_review_list_at_start(tmp_path):
    store = SQLiteStore(tmp_path / "calls.sqlite3")
    recorder = CallRecorder(store, hash_key=b"k" * 32, auto_purge=False)
    create_app(load_config(ROOT / "civicline.toml"), recorder=recorder)
    items = [i for i in store.review_items() if i["kind"] == "stale_record"]
    records = {i["context"]["record"] for i in items}
    assert "cafe_terrace.fee" in records  # verified 2025-09-15, older than 180 days
    assert "street_occupancy.fee" not in records  # verified 2026-10-02
    create_app(load_config(ROOT / "civicline.toml"), recorder=recorder)
    assert len([i for i in store.review_items() if i["kind"] == "stale_record"]) == len(items)  # once
