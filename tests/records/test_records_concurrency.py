"""Concurrent calls lose nothing; a killed process loses at most the turn in flight; on
both back-ends."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

from records import CallRecorder, PostgresStore, SQLiteStore
from support.records_data import KEY, T0, simple_turn

CALLS, TURNS = 50, 30


def test_fifty_concurrent_calls_write_every_turn(store):
    recorder = CallRecorder(store, hash_key=KEY, clock=lambda: T0, auto_purge=False)
    start = threading.Barrier(CALLS)
    errors: list[BaseException] = []

    def one_call(n: int) -> None:
        try:
            call_id = f"call-{n:02d}"
            start.wait()  # all 50 hit the database at once
            recorder.call_started(call_id, caller=f"+3361234{n:04d}", language="fr", at=T0)
            for i in range(TURNS):
                simple_turn(
                    recorder,
                    call_id,
                    T0 + timedelta(seconds=i),
                    caller_text=f"tour {i}",
                    intent=f"intent.{i % 3}",
                )
            recorder.call_ended(call_id, at=T0 + timedelta(seconds=TURNS), outcome="answered")
        except BaseException as exc:  # pragma: no cover - the assertion below shows it
            errors.append(exc)

    threads = [threading.Thread(target=one_call, args=(n,)) for n in range(CALLS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert not errors
    assert recorder.health.write_failures == 0
    assert store._scalar("SELECT COUNT(*) FROM calls") == CALLS
    assert store._scalar("SELECT COUNT(*) FROM turns") == CALLS * TURNS
    per_call = store._rows("SELECT call_id, COUNT(*) AS n, MIN(seq) AS first, MAX(seq) AS last FROM turns"
                           " GROUP BY call_id")
    assert all((row["n"], row["first"], row["last"]) == (TURNS, 0, TURNS - 1) for row in per_call)
    assert store._scalar(
        "SELECT COUNT(*) FROM calls WHERE outcome = 'answered' AND duration_s = ?", (TURNS,)
    ) == CALLS
    assert store._scalar("SELECT COUNT(DISTINCT caller_hash) FROM calls") == CALLS


WRITER = r"""
import sys, threading
from datetime import UTC, datetime, timedelta
from records import CallRecorder, PostgresStore, SQLiteStore
target = sys.argv[1]
store = PostgresStore(target) if target.startswith("postgresql://") else SQLiteStore(target)
rec = CallRecorder(store, hash_key=b"k" * 32, auto_purge=False)
t0 = datetime(2026, 3, 2, tzinfo=UTC)
lock = threading.Lock()
def call(n):
    rec.call_started(f"c{n}", caller=None, language="en", at=t0)
    for i in range(100000):
        rec.turn(f"c{n}", at=t0 + timedelta(seconds=i), caller_text="x" * 200, key=None,
                 intent="i", score=1.0, node="n", assistant_text="y" * 200, provenance=[],
                 latency_ms=1.0)
        with lock:  # acknowledged only once turn() has returned
            print(f"{n} {i}", flush=True)
for n in range(4):
    threading.Thread(target=call, args=(n,)).start()
"""


def test_killed_process_loses_at_most_the_turns_in_flight(store, tmp_path):
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    root = Path(__file__).resolve().parents[2]
    target = store._url if isinstance(store, PostgresStore) else str(store.path)
    proc = subprocess.Popen(
        [sys.executable, str(script), target],
        stdout=subprocess.PIPE,
        text=True,
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
    )
    acked: dict[str, int] = {}
    assert proc.stdout is not None
    for line in proc.stdout:
        n, i = line.split()
        acked[n] = int(i)
        if sum(acked.values()) >= 800:
            break
    proc.send_signal(signal.SIGKILL)
    rest = proc.stdout.read()  # lines printed between our read and the kill
    proc.wait()
    for line in rest.splitlines():
        n, i = line.split()
        acked[n] = int(i)

    if isinstance(store, SQLiteStore):
        assert store._scalar("PRAGMA integrity_check") == "ok"
    rows = store._rows("SELECT call_id, MAX(seq) AS last, COUNT(*) AS n FROM turns GROUP BY call_id")
    stored = {r["call_id"]: r["last"] for r in rows}
    counts = {r["call_id"]: r["n"] for r in rows}
    for n, last in acked.items():
        # every acknowledged turn is there, with no gap...
        assert counts[f"c{n}"] == stored[f"c{n}"] + 1
        assert stored[f"c{n}"] >= last
        # ...and at most the one turn that was being written when the process died
        assert stored[f"c{n}"] <= last + 1


def test_two_workers_answering_turns_of_one_call_number_them_in_order(store):
    """Each worker keeps its own copy of a call; the count the shell gives on each turn
    (``resume(next_turn=…)``) wins over a copy another worker has since moved past."""
    first = CallRecorder(store, hash_key=KEY, clock=lambda: T0, auto_purge=False)
    second = CallRecorder(store, hash_key=KEY, clock=lambda: T0, auto_purge=False)
    first.call_started("call-1", caller="+33612345678", language="fr", at=T0)
    simple_turn(first, "call-1", T0, caller_text="un")
    second.resume("call-1", caller="+33612345678", language="en", next_turn=1)
    simple_turn(second, "call-1", T0 + timedelta(seconds=1), caller_text="two")
    first.resume("call-1", caller="+33612345678", language="en", next_turn=2)  # first's copy said 1
    simple_turn(first, "call-1", T0 + timedelta(seconds=2), caller_text="three")
    assert [(t["seq"], t["caller_text"]) for t in store.turns()] == [(0, "un"), (1, "two"), (2, "three")]
