"""CPU per TwiML webhook, this tree against another commit, side by side in one run.

Each variant runs in a process of its own (the other commit's files exported with ``git
archive``, put first on its path), built as ``bench/workers_bench.py`` serves it: the demo
town in TwiML mode, the records in a SQLite file, calls in progress in their SQLite file or
in a real ``redis-server`` (``--store redis``), the clock on a weekday morning. Requests go
through Flask's test client (no HTTP, no gunicorn: what is measured is the app's own work),
signed as Twilio signs them: the language menu, key 1 (French), then ``--turns`` times ``*``
at the main menu, then the status callback, as each caller of ``workers_bench.py`` does.
Every prompt is in the audio cache first (one call, whose time is not counted).

Both processes stay up and take turns, one batch of ``--calls`` calls each per round, so
that both see the same moments of a shared machine; each reports its own CPU time (all its
threads, ``time.process_time``) and wall time per webhook. ``--profile N`` then prints the
N functions of this tree's variant with the most cumulative time.

    .venv/bin/python bench/webhook_cpu_bench.py [--base ccfd3eb] [--rounds 5] [--calls 30]
        [--turns 8] [--store sqlite|redis] [--profile 40]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WEEKDAY = "2026-12-01T10:15:00+01:00"  # the town hall is open
TOKEN = "bench-auth-token-" + "x" * 15


# ---- the child: one variant's app, driven in-process ---------------------------------------


def child(code: Path, workdir: Path, tag: int, profile: int) -> None:
    sys.path[:0] = [str(code), str(code / "tests")]
    os.environ.update({
        "TWILIO_AUTH_TOKEN": TOKEN, "TWILIO_ACCOUNT_SID": "AC" + "1" * 32,
        "CIVICLINE_DB_PATH": str(workdir / "records.sqlite3"),
        "CIVICLINE_IN_PROGRESS_PATH": str(workdir / "calls-in-progress.sqlite3"),
        "CIVICLINE_AUDIO_CACHE_DIR": str(workdir / "audio"),
        "CIVICLINE_TELEPHONY_MODE": "twiml", "CIVICLINE_RECORDING_HOSTS": "127.0.0.1",
        "CIVICLINE_TOWN_PATH": str(code / "towns" / "port-lumiere"),
        "CIVICLINE_HASH_KEY": "workers-bench-hash-key-0123456789", "CIVICLINE_TWIML_SPEECH_WAIT_S": "120",
    })
    import xml.etree.ElementTree as ET
    from datetime import datetime

    from twilio.request_validator import RequestValidator

    from civicline.app import create_app

    app = create_app()
    now = datetime.fromisoformat(WEEKDAY)
    app.extensions["telephony"].clock = lambda: now
    client = app.test_client()
    validator = RequestValidator(TOKEN)
    calls = iter(range(10**9))

    def post(url: str, data: dict[str, str]) -> str:
        signature = validator.compute_signature("http://localhost" + url, data)
        r = client.post(url, data=data, headers={"X-Twilio-Signature": signature})
        return str(r.get_data(as_text=True))

    def one_call(turns: int) -> int:
        n = next(calls)
        params = {"CallSid": f"CA{tag:04x}{n:028x}", "From": f"+3361{n:08d}", "To": "+33199000000",
                  "AccountSid": "AC" + "1" * 32}
        url, data = "/twilio/voice", dict(params)
        for key in ["1"] + ["*"] * turns:
            gather = ET.fromstring(post(url, data)).find("Gather")
            if gather is None:
                raise SystemExit(f"no <Gather> at {url}")
            url, data = str(gather.get("action")).replace("http://localhost", ""), {**params, "Digits": key}
        post("/twilio/status", {**params, "CallStatus": "completed"})
        return turns + 1

    one_call(8)  # every prompt made and cached; models loaded
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        order = json.loads(line)
        if order.get("profile"):
            import cProfile
            import io
            import pstats

            profiler = cProfile.Profile()
            profiler.enable()
            hooks = sum(one_call(order["turns"]) for _ in range(order["calls"]))
            profiler.disable()
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(order["profile"])
            print(json.dumps({"profile": out.getvalue(), "webhooks": hooks}), flush=True)
            continue
        cpu, wall = time.process_time(), time.perf_counter()
        hooks = sum(one_call(order["turns"]) for _ in range(order["calls"]))
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        print(json.dumps({"webhooks": hooks, "cpu_ms": 1000 * cpu / hooks, "wall_ms": 1000 * wall / hooks}),
              flush=True)


# ---- the parent: both variants, in turns ----------------------------------------------------


def export(rev: str, into: Path) -> str:
    """The files of ``rev`` (a commit of this repository) under ``into``; its short name."""
    into.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", rev], check=True, capture_output=True,
                          text=True).stdout.strip()


def start(code: Path, workdir: Path, tag: int, env: dict[str, str]) -> subprocess.Popen[str]:
    workdir.mkdir(parents=True)
    proc = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), "--child", str(code), "--workdir", str(workdir),
         "--tag", str(tag)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=workdir, env={**os.environ, **env},
    )
    return proc


def ask(proc: subprocess.Popen[str], order: dict) -> dict:
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(json.dumps(order) + "\n")
    proc.stdin.flush()
    return wait(proc)


def wait(proc: subprocess.Popen[str]) -> dict:
    assert proc.stdout is not None
    for line in proc.stdout:  # what the app logs to stdout is passed by
        if line.startswith("{"):
            return dict(json.loads(line))
    raise RuntimeError(f"the bench process exited ({proc.wait()})")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base", default="ccfd3eb", help="the commit compared with this tree")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--calls", type=int, default=30, help="calls per batch (each --turns + 1 webhooks)")
    ap.add_argument("--turns", type=int, default=8)
    ap.add_argument("--store", choices=["sqlite", "redis"], default="sqlite", help="where calls in progress live")
    ap.add_argument("--profile", type=int, default=0, help="print this many functions of this tree's profile")
    ap.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--tag", type=int, default=0, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child, args.workdir, args.tag, args.profile)
        return 0
    sys.path[:0] = [str(ROOT / "tests")]
    from support.redis_server import RedisServer

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        base = export(args.base, tmp / "base")
        env: dict[str, str] = {}
        redis = None
        if args.store == "redis":
            (tmp / "redis").mkdir()
            redis = RedisServer(tmp / "redis").start()
            env["CIVICLINE_REDIS_URL"] = redis.url
        variants = {f"base {base}": start(tmp / "base", tmp / "run-base", 1, env),
                    "this tree": start(ROOT, tmp / "run-this", 2, env)}
        try:
            for proc in variants.values():
                wait(proc)  # warmed up
            print(f"CPU per TwiML webhook, in-process (Flask test client), calls in progress in {args.store}; "
                  f"{args.rounds} rounds of {args.calls} calls x {args.turns + 1} webhooks per variant, taking turns; "
                  f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start")
            got: dict[str, list[dict]] = {name: [] for name in variants}
            for _ in range(args.rounds):
                for name, proc in variants.items():
                    got[name].append(ask(proc, {"calls": args.calls, "turns": args.turns}))
            print("| variant | CPU ms / webhook (median of rounds) | min | max | wall ms / webhook | webhooks / s of one core |")
            print("| --- | ---: | ---: | ---: | ---: | ---: |")
            medians = {}
            for name, rounds in got.items():
                cpu = [r["cpu_ms"] for r in rounds]
                medians[name] = statistics.median(cpu)
                print(f"| {name} | {medians[name]:.2f} | {min(cpu):.2f} | {max(cpu):.2f} | "
                      f"{statistics.median(r['wall_ms'] for r in rounds):.2f} | {1000 / medians[name]:.0f} |")
            old, new = medians.values()
            print(f"this tree / base: {new / old:.2f} of the CPU per webhook ({old / new:.1f}x fewer); "
                  f"load average {os.getloadavg()[0]:.1f} at end")
            if args.profile:
                print(ask(variants["this tree"], {"calls": args.calls, "turns": args.turns,
                                                  "profile": args.profile})["profile"])
        finally:
            for proc in variants.values():
                assert proc.stdin is not None
                proc.stdin.close()
                proc.wait(timeout=60)
            if redis is not None:
                redis.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
