"""Calls in progress kept outside the worker's memory: the store interface (every
implementation passes the same checks) and a call in progress as JSON."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from civicline.phone.in_progress import CallInProgress, CallsInProgress
from civicline.phone.in_progress_store import MemoryInProgressStore, SQLiteInProgressStore
from flows.provenance import Source
from flows.session import Ask, EndCall, Expect, Option, Say, StaffRequest, Transfer


@pytest.fixture(params=["sqlite", "memory", "redis"])
def store(request, tmp_path):
    if request.param == "memory":
        yield MemoryInProgressStore()
        return
    if request.param == "redis":  # a real redis-server (support.redis_server)
        from civicline.phone.redis_store import RedisInProgressStore, connect

        client = connect(request.getfixturevalue("redis_url"))
        yield RedisInProgressStore(client)
        client.close()
        return
    store = SQLiteInProgressStore(tmp_path / "calls-in-progress.sqlite3")
    yield store
    store.close()


def test_an_in_progress_store_keeps_calls_in_progress_and_remembers_ended_ones(store):
    assert store.get("CA1") is None
    assert store.add("CA1", '{"v": 1}', 100.0)
    assert not store.add("CA1", '{"v": 2}', 101.0)  # a retry: the first stays
    store.put("CA1", '{"v": 3}', 102.0)
    assert store.get("CA1").data == '{"v": 3}' and store.get("CA1").ended_at is None
    store.end("CA1", 103.0)
    ended = store.get("CA1")
    assert ended.data is None and ended.ended_at == 103.0  # nothing of the call but its end
    store.put("CA1", '{"v": 4}', 104.0)  # a late write does not bring it back
    assert not store.add("CA1", '{"v": 5}', 105.0)
    assert store.get("CA1").data is None
    store.end("CA2", 106.0)  # ended before it was ever stored (a status callback only)
    assert store.get("CA2").ended_at == 106.0
    store.add("CA3", "{}", 50.0)
    assert store.expire(in_progress_before=60.0, ended_before=104.0) == 2  # CA3, CA1
    assert store.get("CA3") is None and store.get("CA1") is None and store.get("CA2") is not None


def test_the_sqlite_store_is_private_and_survives_a_new_process(tmp_path):
    path = tmp_path / "calls-in-progress.sqlite3"
    first = SQLiteInProgressStore(path)
    first.add("CA1", '{"v": 1}', 1.0)
    # No close: as after kill -9, the next process opens the file as it was left.
    second = SQLiteInProgressStore(path)
    assert second.get("CA1").data == '{"v": 1}'
    assert path.stat().st_mode & 0o777 == 0o600
    first.close()
    second.close()


def test_a_call_in_progress_round_trips_through_json():
    kept = CallInProgress("CA1", "+33611223344", created=12.5, state_json='{"x": 1}', turn=3, steps=5,
                          responses={0: "<Response/>", -1: "<Dial/>"},
                          transfer=Transfer("+33199001234", "main", "asked", "Appel en anglais", {"when": "now"}),
                          held_end={"at": datetime(2026, 12, 1, 9, 15, tzinfo=UTC), "outcome": "transferred"},
                          pending=[Say("Bonjour.", "fr", (Source("collections", "zone-A", "1", None),)),
                                   Ask(Expect.CHOICE, "main.menu", (Option("1", "waste"),), max_digits=None),
                                   EndCall("done"), StaffRequest("callback", {"number": "+33611223344"})],
                          voice_twiml="<Response/>")
    again = CallInProgress.from_json(kept.to_json())
    for name in ("call_sid", "caller", "created", "state_json", "turn", "steps", "responses", "transfer", "held_end", "pending", "voice_twiml"):
        assert getattr(again, name) == getattr(kept, name), name


def test_calls_in_progress_are_taken_up_from_the_store_and_refuse_an_ended_one():
    store = MemoryInProgressStore()
    before = CallsInProgress(store)
    kept, new = before.open("CA1", "+33611223344")
    assert new and kept is not None
    with before.editing(kept):
        kept.turn = 4
    after = CallsInProgress(store)  # another process, on the same store
    taken = after.get("CA1")
    assert taken is not None and taken.turn == 4 and taken.caller == "+33611223344"
    assert after.open("CA1", None) == (taken, False)
    after.close("CA1")
    assert after.get("CA1") is None and before.get("CA1") is kept  # the first process's memory
    assert CallsInProgress(store).open("CA1", None) == (None, False)


def test_a_turn_redone_after_a_crash_replaces_the_one_written_before(tmp_path):
    """The process died after a webhook wrote its turn and before it saved the call in progress;
    Twilio sends the webhook again to the new process, which does the turn again."""
    from civicline.phone.in_progress import PhoneCall
    from flows.dialog import Engine
    from flows.session import Pressed
    from records import CallRecorder, SQLiteStore
    from support.flowkit import OPEN, make_runtime

    records = SQLiteStore(tmp_path / "records.sqlite3")
    engine = Engine(make_runtime())
    in_progress = CallsInProgress(SQLiteInProgressStore(tmp_path / "calls-in-progress.sqlite3"))
    first = CallRecorder(records, hash_key=b"k" * 32, auto_purge=False)
    kept, _ = in_progress.open("CA" + "1" * 32, "+33611223344")
    with in_progress.editing(kept):
        PhoneCall(engine, lambda: OPEN, kept, first).start()
    with in_progress.editing(kept):
        PhoneCall(engine, lambda: OPEN, kept, first).send(Pressed("2"))
    saved = kept.to_json()
    PhoneCall(engine, lambda: OPEN, kept, first).send(Pressed("1"))  # written, never saved: killed
    after = CallRecorder(records, hash_key=b"k" * 32, auto_purge=False)  # the new process
    PhoneCall(engine, lambda: OPEN, CallInProgress.from_json(saved), after).send(Pressed("1"))
    assert [(t["seq"], t["key_pressed"]) for t in records.turns()] == [(0, None), (1, "2"), (2, "1")]
    records.close()
