"""Soak: many calls in a row on one server, and what its worker holds as they go: open file
descriptors, threads and resident memory. Each should stay flat after the first calls; a
leak shows as a steady climb (before the records' connection pool, every streamed call left
two SQLite descriptors behind and the worker died at call 70 with a 160-descriptor limit).

civicline runs as in production (gunicorn, one worker, 64 threads) on the test flows. Each
call is a Media Streams call from the fake Twilio, by keypad: English, then a person
(barging in on each prompt), the stream ends, <Dial> answered, status callback; every
other call a caller who hangs up mid-menu instead.

    .venv/bin/python bench/soak_bench.py [--calls 200] [--every 20] [--parallel 1]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]


def one_call(twilio, n: int) -> str | None:
    """One keypad call; None when it went as it should, else what went wrong."""
    sid, params, r = twilio.incoming()
    leg = twilio.stream(r, sid)
    try:
        if not leg.wait_for(lambda: leg.current.first_frame_at is not None or leg.closed.is_set(), 30):
            return "no greeting"
        leg.press("2")
        if not leg.wait_for(lambda: leg.clears >= 1 or leg.closed.is_set(), 30):
            return "the key was not heard"
        if n % 2:  # hangs up in the menu
            leg.hang_up()
            twilio.status(params, "completed")
            return None
        leg.press("0")
        if not leg.wait_closed(60):
            return "the transfer never ended the stream"
        dial = twilio.connect_action(r, params)
        if "<Dial" not in dial.text:
            return f"no <Dial>: {dial.text[:100]}"
        twilio.status(params, "completed")
        return None
    finally:
        if not leg.closed.is_set():
            leg.hang_up()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calls", type=int, default=200)
    ap.add_argument("--every", type=int, default=20, help="measure after this many calls")
    ap.add_argument("--parallel", type=int, default=1, help="calls at once (1: one after another)")
    args = ap.parse_args()
    from support.served import Served

    with tempfile.TemporaryDirectory() as tmp:
        server = Served(Path(tmp), threads=64, mode="streams").start()
        print(f"{args.calls} Media Streams calls, {args.parallel} at a time, {os.cpu_count()} cores, "
              f"load {os.getloadavg()[0]:.1f} at start; the gunicorn worker after each batch:")
        print("| calls | open FDs | threads | RSS MB | failed calls | s |")
        print("| ---: | ---: | ---: | ---: | ---: | ---: |")
        began, done, failures = time.monotonic(), 0, []
        lock = threading.Lock()

        def row() -> None:
            mem = server.memory_kb()
            print(f"| {done} | {server.fds()} | {server.threads_now()} | {mem['VmRSS'] / 1024:.0f} | {len(failures)} "
                  f"| {time.monotonic() - began:.0f} |", flush=True)

        row()
        try:
            while done < args.calls:
                batch = min(args.every, args.calls - done)
                queue = list(range(done, done + batch))

                def worker(queue: list[int] = queue) -> None:
                    while True:
                        with lock:
                            if not queue:
                                return
                            n = queue.pop(0)
                        try:
                            problem = one_call(server.twilio, n)
                        except Exception as exc:
                            problem = repr(exc)
                        if problem:
                            with lock:
                                failures.append(f"call {n}: {problem}")

                threads = [threading.Thread(target=worker) for _ in range(args.parallel)]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join()
                done += batch
                row()
        finally:
            server.stop()
        for f in failures[:10]:
            print("   failed:", f)
        from records import SQLiteStore

        store = SQLiteStore(Path(tmp) / "records.sqlite3", read_only=True)
        calls = store.calls()
        print(f"records: {len(calls)} calls, {sum(1 for c in calls if c['ended_at'])} closed")
        store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
