"""Turn latency of the phone line under load, measured the way a caller feels it.

civicline is served on 127.0.0.1 by a threaded server; the fake Twilio of tests/telephony
places N simultaneous calls over Media Streams. Each caller picks English on the keypad,
then asks for the waste-collection day, gives an address and confirms it, by voice (speech
synthesised offline, sent as paced 20 ms μ-law frames). A turn's latency runs from the
caller's last voiced frame to the first frame of the reply: end-of-speech detection,
recognition, the dialog and synthesis included.

    .venv/bin/python bench/telephony_bench.py --calls 1 5 10 20 [--lang en]

CPU is the whole process (server and fake callers) over the wall time, in cores; memory is
the process's peak resident size.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "telephony"), str(ROOT / "tests" / "flows")]

TOKEN = "bench-token-" + "x" * 20
SCRIPTS = {
    "en": ("2", ["When is my garbage collected?", "I live at 12 rue Victor Hugo.", "Yes, that's right."]),
    "fr": ("1", ["Quel jour passe la poubelle ?", "J'habite au 12 rue Victor Hugo.", "Oui, c'est ça."]),
    "es": ("3", ["¿Cuándo es la recogida de basura?", "Vivo en el 12 rue Victor Hugo.", "Sí, es correcto."]),
}


def serve(workdir: Path):
    from fake_twilio import ACCOUNT, FakeTwilio
    from flowkit import OPEN, make_runtime
    from werkzeug.serving import make_server

    from civicline.app import create_app
    from civicline.config import Config
    from flows.records import CallRecorder, SQLiteStore

    os.environ["TWILIO_AUTH_TOKEN"], os.environ["TWILIO_ACCOUNT_SID"] = TOKEN, ACCOUNT
    config = Config(db_path=workdir / "records.sqlite3", audio_cache_dir=workdir / "audio")
    recorder = CallRecorder(SQLiteStore(config.db_path), hash_key=b"b" * 32, auto_purge=False)
    app = create_app(config, runtime=make_runtime(), recorder=recorder)
    app.extensions["telephony"].clock = lambda: OPEN
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return app, server, FakeTwilio(f"http://127.0.0.1:{server.server_port}", TOKEN)


def one_call(twilio, voices: dict, lang: str, out: list, errors: list) -> None:
    key, lines = SCRIPTS[lang]
    try:
        sid, params, r = twilio.incoming()
        leg = twilio.stream(r, sid)
        _until(lambda: leg.current.first_frame_at is not None)
        leg.press(key)
        _until(lambda: leg.current.first_frame_at is not None)
        for text in lines:
            leg.say(voices[lang, text])
            before = len(leg.latencies)
            _until(lambda b=before: len(leg.latencies) > b, timeout=120)
            while not leg.next_prompt(120).mark:  # hear the reply to its end
                pass
        # Under 0.3 s is the prompt spoken over still arriving before the clear, not a turn.
        out.extend(t for t in leg.latencies if t > 0.3)
        leg.hang_up()
    except Exception as exc:
        errors.append(repr(exc))


def _until(check, timeout: float = 60.0) -> None:
    end = time.monotonic() + timeout
    while not check():
        if time.monotonic() > end:
            raise TimeoutError("no reply")
        time.sleep(0.01)


def run(n: int, twilio, voices, langs: list[str]) -> dict:
    latencies: list[float] = []
    errors: list[str] = []
    cpu0, wall0 = time.process_time(), time.monotonic()
    threads = [threading.Thread(target=one_call, args=(twilio, voices, langs[i % len(langs)], latencies, errors)) for i in range(n)]
    for i, t in enumerate(threads):
        t.start()
        time.sleep(0.05 * (i % 5))  # calls do not all start on the same millisecond
    for t in threads:
        t.join()
    wall = time.monotonic() - wall0
    q = sorted(latencies)
    pct = (lambda p: q[min(len(q) - 1, int(p * len(q)))]) if q else (lambda p: float("nan"))
    return {
        "calls": n,
        "turns": len(q),
        "p50": statistics.median(q) if q else float("nan"),
        "p95": pct(0.95),
        "max": q[-1] if q else float("nan"),
        "cpu_cores": (time.process_time() - cpu0) / wall,
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "errors": errors,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calls", type=int, nargs="+", default=[1, 5, 10, 20])
    ap.add_argument("--lang", nargs="+", default=["en"], choices=sorted(SCRIPTS))
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app, server, twilio = serve(Path(tmp))
        engines = app.extensions["telephony"].speech.engines
        voices = {}
        for lang in args.lang:
            for text in SCRIPTS[lang][1]:
                speech = engines.synthesizer(lang).synthesize(text, lang).at_rate(8000)
                import numpy as np

                pad = np.zeros(1600, np.int16)
                voices[lang, text] = np.concatenate([pad, speech.samples, pad])
        run(1, twilio, voices, args.lang)  # warm-up: models loaded, fixed prompts cached
        print(f"turn latency, {os.cpu_count()} cores, languages {','.join(args.lang)}")
        print("| calls | turns | p50 s | p95 s | max s | CPU cores | peak RSS MB | errors |")
        print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for n in args.calls:
            r = run(n, twilio, voices, args.lang)
            print(f"| {n} | {r['turns']} | {r['p50']:.2f} | {r['p95']:.2f} | {r['max']:.2f} | {r['cpu_cores']:.2f} | {r['rss_mb']:.0f} | {len(r['errors'])} |", flush=True)
            for e in r["errors"][:3]:
                print("   error:", e)
        server.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
