"""TwiML webhooks with 1, 2 and 4 gunicorn workers, on SQLite and on SQLite + Redis: how many
signed webhooks a second one machine answers, and their p50 / p99.

civicline runs as in production (gunicorn ``--workers N --threads 64 --timeout 0``,
docs/deployment.md section 9) on the demo town in TwiML mode, its records in a SQLite file
(``--records postgres``: a throw-away PostgreSQL cluster started here, durable as a server runs,
a new database per run; or the database of ``--database-url``), its calls in progress in
that worker's file, or in a real ``redis-server`` (tests/support/redis_server.py). ``--clients``
callers then call without pause for ``--seconds``: each call is the language menu, key 1
(French), then ``--turns`` times ``*`` at the main menu (the menu said again); every prompt
is in the audio cache (one call first puts it there), so a turn is the webhook's own work:
its signature, the call read and written under its lock, the engine, the record's turn,
the answer's audio put where ``/audio`` serves it. Each webhook is signed as Twilio signs it
(support.fake_twilio, as bench/twiml_load_bench.py) and timed from request to answer; the
``<Play>`` fetches are not made. Calls start and end (status callback) along the way.
Several workers without Redis are not run: each would answer from its own copy of a call
(docs/deployment.md runs one worker then). ``--base REV`` runs each row twice, in turn: the
server on the files of that commit (``git archive``), then on this tree's.

    .venv/bin/python bench/workers_bench.py [--workers 1 2 4] [--stores sqlite redis]
        [--records sqlite postgres] [--clients 16] [--seconds 20] [--database-url postgresql://…]
        [--base ccfd3eb]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ET
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent)]
from twiml_load_bench import ROOT, TWILIO_TIMEOUT_S  # noqa: E402  (also puts tests/ on the path)

WEEKDAY = "2026-12-01T10:15:00+01:00"  # the town hall is open


def served_app() -> object:
    """The app gunicorn serves: the production assembly (records from ``[records]`` or
    ``$CIVICLINE_DATABASE_URL``), the demo town, the clock fixed on a weekday morning."""
    from datetime import datetime

    from civicline.app import create_app

    app = create_app()
    now = datetime.fromisoformat(WEEKDAY)
    app.extensions["telephony"].clock = lambda: now
    return app


def one_call(twilio, n: int, turns: int, times: list[tuple[float, float]], errors: list[str],
             says: list[int] | None = None) -> None:
    """One caller: the language menu, 1, then ``turns`` times * (each (start, duration) kept;
    ``says`` gets each answer's sentences left to Twilio's voice: not cached)."""
    from support.fake_twilio import new_sid

    params = {"CallSid": new_sid("CA"), "From": f"+3361{n:08d}", "To": "+33199000000", "AccountSid": "AC" + "1" * 32}
    url, data = "/twilio/voice", dict(params)
    for key in ["1"] + ["*"] * turns:
        began = time.monotonic()
        try:
            r = twilio.post(url, data)
        except Exception as exc:  # counted, and the call given up
            errors.append(repr(exc)[:120])
            return
        times.append((began, time.monotonic() - began))
        root = ET.fromstring(r.text) if r.status_code == 200 else None
        if says is not None and root is not None:
            says.append(len(root.findall(".//Say")))
        gather = root.find("Gather") if root is not None else None
        if gather is None:
            errors.append(f"{r.status_code} {r.text[:120]}")
            return
        url, data = gather.get("action"), {**params, "Digits": key}
    twilio.post("/twilio/status", {**params, "CallStatus": "completed"})


def load(server, clients: int, seconds: float, turns: int, warm_s: float = 3.0) -> dict:
    times: list[tuple[float, float]] = []
    errors: list[str] = []
    says: list[int] = []
    stop = threading.Event()
    counter = iter(range(10**9))
    lock = threading.Lock()

    def caller() -> None:
        while not stop.is_set():
            with lock:
                n = next(counter)
            one_call(server.twilio, n, turns, times, errors, says)

    threads = [threading.Thread(target=caller, daemon=True) for _ in range(clients)]
    began = time.monotonic()
    for t in threads:
        t.start()
    stop.wait(warm_s + seconds)
    stop.set()
    for t in threads:
        t.join(TWILIO_TIMEOUT_S * 2)
    window = (began + warm_s, began + warm_s + seconds)  # only what started and ended in it
    kept = sorted(d for s, d in times if s >= window[0] and s + d <= window[1])
    return {
        "webhooks": len(kept), "per_s": len(kept) / seconds,
        "p50": statistics.median(kept) * 1000 if kept else float("nan"),
        "p99": kept[min(len(kept) - 1, int(0.99 * len(kept)))] * 1000 if kept else float("nan"),
        "max": kept[-1] * 1000 if kept else float("nan"), "errors": len(errors), "why": sorted(set(errors))[:2],
        "says": sum(says),
    }


def run(workers: int, store: str, args: argparse.Namespace, tmp: Path, audio: Path, redis_url: str | None,
        database_url: str, code: Path = ROOT) -> dict:
    """One row; ``code``: the tree whose civicline the server runs (this one, or a commit's files)."""
    from support.served import Served

    env = {"CIVICLINE_HASH_KEY": "workers-bench-hash-key-0123456789", "CIVICLINE_TWIML_SPEECH_WAIT_S": "120"}
    if code != ROOT:
        # That tree's own bench folder too: its workers_bench (the app) puts its tree first on the path.
        env["PYTHONPATH"] = os.pathsep.join([str(code), str(code / "tests"), str(code / "bench")])
        env["CIVICLINE_TOWN_PATH"] = str(code / "towns" / "port-lumiere")
    if database_url:
        env["CIVICLINE_DATABASE_URL"] = database_url
    if store == "redis":
        assert redis_url is not None
        env["CIVICLINE_REDIS_URL"] = redis_url
    records = "postgres" if database_url else "sqlite"
    server = Served(tmp / f"{store}-{workers}-{records}-{code.name}", threads=64, mode="twiml", town="demo", now=WEEKDAY, audio_dir=audio,
                    env=env, app="workers_bench:served_app()", path=(ROOT / "bench",), workers=workers).start()
    try:
        warm_errors: list[str] = []
        for n in range(2 * workers):  # every worker's first calls (a worker's first turns load what it needs)
            one_call(server.twilio, 10**8 + n, args.turns, [], warm_errors)
        result = load(server, args.clients, args.seconds, args.turns)
        result["warm_errors"] = len(warm_errors)
        return result
    finally:
        server.stop()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    ap.add_argument("--stores", nargs="+", default=["sqlite", "redis"], choices=["sqlite", "redis"],
                    help="where calls in progress live: each worker's file, or one redis-server")
    ap.add_argument("--clients", type=int, default=16, help="callers at once, each calling again at once")
    ap.add_argument("--seconds", type=float, default=20.0, help="measured, after 3 s of warm-up")
    ap.add_argument("--turns", type=int, default=8, help="* pressed at the main menu in each call")
    ap.add_argument("--records", nargs="+", default=["sqlite"], choices=["sqlite", "postgres"],
                    help="the records' database: a SQLite file per run, or a throw-away PostgreSQL cluster")
    ap.add_argument("--database-url", default=os.environ.get("CIVICLINE_DATABASE_URL", ""),
                    help="instead of --records: the records' database (postgresql://…)")
    ap.add_argument("--base", help="also run each row on the files of this commit, before this tree's")
    args = ap.parse_args()
    from support.postgres_server import PostgresCluster
    from support.redis_server import RedisServer

    print(f"TwiML webhooks, {args.clients} callers at once for {args.seconds:.0f} s, menu turns with cached prompts; "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start; records: "
          f"{'the database of --database-url' if args.database_url else ' and '.join(args.records)}")
    print("| code | workers | calls in progress in | records in | webhooks/s | p50 ms | p99 ms | max ms | errors | "
          "sentences not cached | load at end |")
    print("| --- | ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        codes = {"this tree": ROOT}
        if args.base:
            from webhook_cpu_bench import export

            codes = {f"base {export(args.base, tmp / 'base')}": tmp / "base", **codes}
        (tmp / "redis").mkdir()
        redis = RedisServer(tmp / "redis").start() if "redis" in args.stores else None
        cluster = None
        if "postgres" in args.records and not args.database_url:
            # Its own folder under /tmp: run as root, the cluster runs as the `postgres` user,
            # which cannot enter this run's private folder.
            cluster = PostgresCluster(Path(tempfile.mkdtemp(prefix="civicline-bench-pg-")), durable=True).start()
        try:
            audio = tmp / "audio"  # shared: the first run's first call renders the prompts
            for workers in args.workers:
                for store in args.stores:
                    for records in ["url"] if args.database_url else args.records:
                        if store == "sqlite" and workers > 1:  # each worker would keep its own copy of a call
                            print(f"| | {workers} | SQLite file | {records} | not run: several workers need Redis "
                                  "(docs/deployment.md) | | | | | | |", flush=True)
                            continue
                        for name, code in codes.items():
                            if redis is not None:
                                import redis as redis_py

                                redis_py.Redis.from_url(redis.url).flushall()
                            url = args.database_url or (cluster.url(cluster.new_database())
                                                        if records == "postgres" and cluster else "")
                            r = run(workers, store, args, tmp, audio,
                                    redis.url if store == "redis" and redis else None, url, code)
                            print(f"| {name} | {workers} | {'Redis' if store == 'redis' else 'SQLite file'} | "
                                  f"{'PostgreSQL' if url else 'SQLite'} | {r['per_s']:.0f} | "
                                  f"{r['p50']:.0f} | {r['p99']:.0f} | {r['max']:.0f} | "
                                  f"{r['errors'] + r['warm_errors']} | {r['says']} | {os.getloadavg()[0]:.1f} |",
                                  flush=True)
                            for why in r["why"]:
                                print("   error:", why)
        finally:
            if redis is not None:
                redis.stop()
            if cluster is not None:
                cluster.stop()
                shutil.rmtree(cluster.workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
