"""Fault: the server is killed (``kill -9``) in the middle of calls and started again on the
same files; is everything it acknowledged stored, and do the calls go on?

civicline runs as in production (gunicorn, one worker, 64 threads) on the test flows, in
TwiML mode. Each caller picks English, then presses * (repeat) turn after turn; a webhook
that got its answer is acknowledged. A request the dead server did not answer is sent again
until the new server answers it, as Twilio's retries would. After the restart each caller
goes on for a few turns and hangs up (status callback). Then the records are read:

- every acknowledged turn is stored (the key it carried, in order, no hole);
- every call went on in context after the restart (no <Hangup/> to a caller still talking);
- every call is closed in its record;
- no turn stored twice: a webhook killed after its turn was written and before the call's
  state was (two files, no transaction across them) is answered again when Twilio retries,
  and its turn must replace the first one.

Streamed calls in progress at the kill are cut (their websocket dies with the process); the
status callback Twilio then sends must close their records.

    .venv/bin/python bench/fault_bench.py [--callers 10] [--streams 4] [--kill-after 4] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
ACKED = threading.Condition()  # notified at each acknowledged webhook


class Caller(threading.Thread):
    def __init__(self, twilio, restarted: threading.Event) -> None:
        super().__init__(daemon=True)
        self.twilio, self.restarted = twilio, restarted
        self.acked: list[str] = []  # keys whose webhook was answered, in order
        self.problems: list[str] = []
        self.params: dict[str, str] = {}

    def post(self, url: str, data: dict) -> str:
        """Until a server answers (Twilio retrying a webhook the dead server never answered)."""
        for _ in range(600):
            try:
                r = self.twilio.post(url, data)
                if r.status_code in (200, 204):
                    return r.text
                self.problems.append(f"{url}: {r.status_code}")
                return r.text
            except Exception:
                time.sleep(0.1)  # the server is down: Twilio waits and retries too
        raise RuntimeError("no server came back")

    def run(self) -> None:
        try:
            from support.fake_twilio import new_sid

            sid = new_sid("CA")
            self.params = {"CallSid": sid, "From": "+33611223344", "To": "+33199000000"}
            text = self.post("/twilio/voice", self.params)
            keys = iter(["2"] + ["*"] * 10_000)
            after = 0
            while True:
                gather = ET.fromstring(text).find("Gather")
                if gather is None:
                    self.problems.append(f"the call ended: {text[:120]}")
                    return
                key = next(keys)
                text = self.post(gather.get("action"), {**self.params, "Digits": key})
                self.acked.append(key)
                with ACKED:
                    ACKED.notify_all()
                if self.restarted.is_set():
                    after += 1
                    if after >= 3:
                        break
            self.post("/twilio/status", {**self.params, "CallStatus": "completed"})
        except Exception as exc:
            self.problems.append(repr(exc))


def streamed_call(twilio) -> dict:
    sid, params, r = twilio.incoming()
    leg = twilio.stream(r, sid)
    leg.wait_for(lambda: leg.current.first_frame_at is not None or leg.closed.is_set(), 30)
    leg.press("2")
    leg.wait_for(lambda: leg.clears >= 1 or leg.closed.is_set(), 30)
    return {"sid": sid, "params": params, "leg": leg}


def one_round(args: argparse.Namespace, tmp: Path, k: int) -> dict:
    from records import SQLiteStore
    from support.served import Served

    server = Served(tmp / f"round{k}", threads=64, mode="twiml", audio_dir=tmp / "audio").start()
    twiml_server = server
    restarted = threading.Event()
    callers = [Caller(server.twilio, restarted) for _ in range(args.callers)]
    streams_server = Served(tmp / f"round{k}-streams", threads=64, mode="streams", audio_dir=tmp / "audio").start()
    try:
        streams = [streamed_call(streams_server.twilio) for _ in range(args.streams)]
        for c in callers:
            c.start()
        with ACKED:  # calls in full swing: every caller is past its first turns
            ACKED.wait_for(lambda: all(len(c.acked) >= 2 for c in callers), 300)
        time.sleep(args.kill_after)  # then a moment that falls anywhere in a turn
        acked_at_kill = sum(len(c.acked) for c in callers)
        server.kill()
        streams_server.kill()
        server.start()
        streams_server.start()
        restarted.set()
        for c in callers:
            c.join(300)
        for s in streams:
            streams_server.twilio.status(s["params"], "completed")
    finally:
        twiml_server.stop()
        streams_server.stop()
    store = SQLiteStore(tmp / f"round{k}" / "records.sqlite3", read_only=True)
    turns, calls = store.turns(), {c["id"]: c for c in store.calls()}
    store.close()
    lost = doubled = 0
    for c in callers:
        stored = [t["key_pressed"] for t in turns if t["call_id"] == c.params["CallSid"] and t["key_pressed"]]
        # What was acknowledged must be there in order; a key stored twice in a row is a
        # webhook answered twice (killed between its two writes).
        i = 0
        for key in stored:
            if i < len(c.acked) and key == c.acked[i]:
                i += 1
            else:
                doubled += 1
        lost += len(c.acked) - i
    sstore = SQLiteStore(tmp / f"round{k}-streams" / "records.sqlite3", read_only=True)
    scalls = {c["id"]: c for c in sstore.calls()}
    sstore.close()
    return {
        "acked": sum(len(c.acked) for c in callers), "acked_at_kill": acked_at_kill, "lost": lost, "doubled": doubled,
        "went_on": sum(1 for c in callers if not c.problems), "closed": sum(1 for c in callers if calls.get(c.params["CallSid"], {}).get("ended_at")),
        "streams_closed": sum(1 for s in streams if scalls.get(s["sid"], {}).get("ended_at")),
        "problems": [p for c in callers for p in c.problems][:5],
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--callers", type=int, default=10)
    ap.add_argument("--streams", type=int, default=4)
    ap.add_argument("--kill-after", type=float, default=1.3, help="seconds after every caller's second turn")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    print(f"kill -9 after {args.kill_after:g} s of {args.callers} TwiML callers and {args.streams} streamed calls, "
          f"{os.cpu_count()} cores")
    print("| round | turns acknowledged (at the kill) | lost | stored twice | TwiML calls that went on | closed | streamed calls closed |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(args.rounds):
            r = one_round(args, Path(tmp), k)
            print(f"| {k + 1} | {r['acked']} ({r['acked_at_kill']}) | {r['lost']} | {r['doubled']} | {r['went_on']} of {args.callers} "
                  f"| {r['closed']} of {args.callers} | {r['streams_closed']} of {args.streams} |", flush=True)
            for p in r["problems"]:
                print("   problem:", p)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
