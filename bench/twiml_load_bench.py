"""TwiML mode under load: N French callers at once, on the demo town after hours, each
typing their own number to be called back and hearing it read back (two sentences no
cache holds), as Twilio would place them.

civicline runs as in production (gunicorn, one worker, 64 threads: docs/deployment.md), in
TwiML mode. The vocabulary the callers' answers are joined from is rendered first (as
``civicline prompts render`` does for a whole town); then all callers start together and
each follows the script 1 (French), 0 (a person: closed, callback offered), 1 (yes), the
number then #, 1 (confirm): the two sentences that read the number back are joined from
digit pairs like every other answer. Every webhook is timed from request to answer (Twilio gives up
after 15 s: the call then fails); the <Play> fetches are timed apart.

Variants, run alternately in one run on the same machine:
- ``old``: a synthesis slot taken around every sentence, cached or not, with no limit on
  the wait (the code before this bench);
- ``new``: slots around syntheses only, and a sentence that finds no slot within
  ``[telephony] twiml_speech_wait_s`` read by Twilio's voice (<Say>).

    .venv/bin/python bench/twiml_load_bench.py [--calls 20] [--rounds 2] [--variants old new]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

SATURDAY = "2026-12-05T10:15:00+01:00"  # the town hall is closed: callers are offered a callback
TWILIO_TIMEOUT_S = 15.0


def served_app() -> object:
    """The app gunicorn serves; BENCH_VARIANT=old puts back a slot around every sentence."""
    from support.served_app import create

    app = create()
    if os.environ.get("BENCH_VARIANT") == "old":
        from civicline.phone.speech import PhoneSpeech
        from voice.tts.cache import split_sentences

        def prompt_keys(self, text, language, slow=False, deadline=None, call=None):  # the code before
            keys = []
            for sentence in split_sentences(text):
                with self.slots:
                    audio = self.render(sentence, language, slow)
                keys.append(self._tokens([(sentence, audio)], call)[0])
            return keys

        PhoneSpeech.prompt_keys = prompt_keys  # type: ignore[method-assign]
    return app


def one_call(twilio, number: str, out: dict) -> None:
    """One caller through the script; ``out`` gets each webhook's time and what happened."""
    import requests

    from support.fake_twilio import new_sid

    sid = new_sid("CA")
    params = {"CallSid": sid, "From": "+336" + number[2:], "To": "+33199000000", "AccountSid": "AC" + "1" * 32}
    keys = ["1", "0", "1", number, "1"]
    webhooks, plays, says, failed = [], [], 0, None
    url, data = "/twilio/voice", dict(params)
    try:
        for _ in range(12):
            began = time.monotonic()
            r = twilio.post(url, data)
            webhooks.append(time.monotonic() - began)
            if webhooks[-1] > TWILIO_TIMEOUT_S and failed is None:
                failed = f"webhook {url.split('?')[0]} took {webhooks[-1]:.1f} s"
            root = ET.fromstring(r.text)
            says += len(root.findall(".//Say"))
            for play in root.iter("Play"):
                began = time.monotonic()
                requests.get(play.text.strip(), timeout=60).raise_for_status()
                plays.append(time.monotonic() - began)
            gather = root.find("Gather")
            if gather is None:
                if root.find("Hangup") is None:
                    failed = failed or f"ended without a hang-up: {r.text[:200]}"
                break
            if not keys:
                failed = failed or "asked more than the script answers"
                break
            url, data = gather.get("action"), {**params, "Digits": keys.pop(0)}
        if keys:
            failed = failed or f"{len(keys)} keys never asked for"
    except Exception as exc:
        failed = failed or repr(exc)
    out[sid] = {"webhooks": webhooks, "plays": plays, "says": says, "failed": failed}
    with contextlib.suppress(Exception):  # a server still busy with the call: counted above
        twilio.post("/twilio/status", {**params, "CallStatus": "completed"})


def serve(variant: str, workdir: Path, audio_dir: Path, env: dict[str, str] | None = None):  # -> Served
    from support.served import Served

    return Served(workdir, threads=64, mode="twiml", town="demo", now=SATURDAY, audio_dir=audio_dir,
                  env={"BENCH_VARIANT": variant, **(env or {})}, app="twiml_load_bench:served_app()",
                  path=(ROOT / "bench",)).start()


def warm_cache(audio_dir: Path, numbers: list[str]) -> None:
    """The vocabulary pieces the callers' answers are made of, rendered into ``audio_dir``
    (what ``civicline prompts render`` does for the whole town): the numbers read back are
    joined from digit pairs, so no caller's number is ever in the cache."""
    from datetime import datetime

    from civicline.calls import Call
    from civicline.config import Config
    from civicline.vocabulary import vocabulary
    from civicline.wiring import load_runtime
    from flows.dialog import Engine
    from flows.session import Pressed, Say
    from voice.engines import SpeechEngines
    from voice.tts.cache import AudioCache
    from voice.vocab.render import pieces_for, render_vocabulary, vocabulary_pieces

    now = datetime.fromisoformat(SATURDAY)
    runtime = load_runtime(Config(town_path=ROOT / "towns" / "port-lumiere", meaning_cache_dir=audio_dir / "meaning"))
    engine, texts = Engine(runtime), []
    for number in numbers:
        call = Call(engine, lambda: now)
        steps = [call.start()] + [call.send(Pressed(k)) for k in ("1", "0", "1", f"{number}#", "1")]
        texts += [a.text for step in steps for a in step.actions if isinstance(a, Say) and a.lang == "fr"]
    engines = SpeechEngines()
    vocab = vocabulary_pieces(vocabulary(runtime, "fr", now.date()), "fr")
    report = render_vocabulary(pieces_for(list(dict.fromkeys(texts)), vocab, "fr"), "fr", AudioCache(audio_dir),
                               engines.synthesizer("fr").voice_id, workers=2, keep_others=True)
    print(f"vocabulary fr: {report.pieces} pieces, {report.rendered} rendered in {report.seconds:.0f} s", flush=True)


def run_variant(variant: str, calls: int, first: int, audio_dir: Path, workdir: Path) -> dict:
    server = serve(variant, workdir / f"{variant}-{first}", audio_dir)
    try:
        warm: dict = {}
        one_call(server.twilio, "0699999999", warm)  # models loaded in this process; all cached
        out: dict = {}
        threads = [threading.Thread(target=one_call, args=(server.twilio, f"06{first + i:08d}", out)) for i in range(calls)]
        began = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.monotonic() - began
    finally:
        server.stop()
    hooks = sorted(w for c in out.values() for w in c["webhooks"])
    return {
        "variant": variant, "calls": calls, "wall": wall, "webhooks": len(hooks),
        "p50": statistics.median(hooks), "max": hooks[-1],
        "over5": sum(w > 5 for w in hooks), "over15": sum(w > TWILIO_TIMEOUT_S for w in hooks),
        "failed": sum(c["failed"] is not None for c in out.values()),
        "finished": sum(c["failed"] is None for c in out.values()),
        "says": sum(c["says"] for c in out.values()),
        "play_max": max((p for c in out.values() for p in c["plays"]), default=0.0),
        "why": sorted({c["failed"] for c in out.values() if c["failed"]})[:3],
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calls", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=1, help="each variant this many times, alternated")
    ap.add_argument("--variants", nargs="+", default=["old", "new"], choices=["old", "new"])
    args = ap.parse_args()
    print(f"{args.calls} French TwiML callers at once, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f} at start")
    print("| variant | calls finished | webhooks | p50 s | max s | > 5 s | > 15 s | sentences by Twilio's voice | slowest <Play> fetch s | wall s |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    with tempfile.TemporaryDirectory() as tmp:
        warm = Path(tmp) / "audio-warm"
        warm_cache(warm, ["0699999999"] + [f"06{1000 * (k + 1) + i:08d}" for k in range(args.rounds) for i in range(args.calls)])
        for k in range(args.rounds):
            for variant in args.variants:
                # The same warm cache for each run: every caller's number is new to it.
                audio = Path(tmp) / f"audio-{variant}-{k}"
                shutil.copytree(warm, audio)
                r = run_variant(variant, args.calls, 1000 * (k + 1), audio, Path(tmp))
                print(f"| {r['variant']} | {r['finished']} of {r['calls']} | {r['webhooks']} | {r['p50']:.2f} | {r['max']:.2f} | "
                      f"{r['over5']} | {r['over15']} | {r['says']} | {r['play_max']:.2f} | {r['wall']:.1f} |", flush=True)
                for why in r["why"]:
                    print("   failed:", why)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
