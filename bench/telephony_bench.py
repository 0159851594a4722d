"""Turn latency of the phone line under load, measured the way a caller feels it.

civicline runs in its own process, served on 127.0.0.1 by a threaded server, as in
production; the fake Twilio of tests/telephony places N simultaneous calls over Media
Streams from this process. Each caller picks English on the keypad, then asks for the
waste-collection day, gives an address and confirms it, by voice (speech synthesised
offline, sent as paced 20 ms μ-law frames). A turn's latency runs from the caller's last
voiced frame to the first frame of the reply: end-of-speech detection, recognition, the
dialog and synthesis included.

Callers start at random moments over ``--stagger`` seconds (default 8 s, about one turn),
as independent callers do; ``--stagger 0`` starts them together so that, with identical
scripts, every caller stops talking at the same moment: the worst case.

Answers are joined from the rendered vocabulary (``voice.vocab``): the pieces the callers'
answers need are rendered first into ``--audio-cache`` (once; a second run renders
nothing). ``--naive`` starts a second civicline that synthesises each answer whole, as the
line did before the vocabulary, and runs the same calls against both, alternately, in the
same run. Each language is measured on its own (``--lang fr es en``), one call then ten:
the ratio of the two is what compares machines of different speed.

    .venv/bin/python bench/telephony_bench.py [--calls 1 10] [--lang fr es en] [--naive] [--stagger 0]

CPU and memory are the server process's: CPU over the run's wall time, in cores; memory
its peak resident size.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]  # the fake Twilio and test flows: tests/support

TOKEN = "bench-token-" + "x" * 20
SCRIPTS = {
    "en": ("2", ["When is my garbage collected?", "I live at {address}.", "Yes, that's right."]),
    "fr": ("1", ["Quel jour passe la poubelle ?", "J'habite au {address}.", "Oui, c'est ça."]),
    "es": ("3", ["¿Cuándo es la recogida de basura?", "Vivo en el {address}.", "Sí, es correcto."]),
}
# Each caller gives an address of their own, so the answers that quote it ("12 Rue Victor
# Hugo, is that right?") are not in the audio cache: the synthesis a real call costs.
STREETS = ("rue Victor Hugo", "rue du Port", "rue du Pont")
ADDRESSES = [f"{number} {street}" for number in range(2, 80) for street in STREETS]
random.Random(0).shuffle(ADDRESSES)


WARM_UP = len(ADDRESSES) - 1  # an address no measured caller gives


def lines_for(lang: str, caller: int) -> list[str]:
    return [line.format(address=ADDRESSES[caller % len(ADDRESSES)]) for line in SCRIPTS[lang][1]]


def _server(workdir: Path, audio: Path, assembly: bool, turn_log: Path | None, conn) -> None:
    """The civicline process: the demo flows of the tests, an always-open office."""
    from werkzeug.serving import make_server

    from civicline.app import create_app
    from civicline.config import Config
    from records import CallRecorder, SQLiteStore
    from support.flowkit import OPEN, make_runtime

    if turn_log:
        import logging

        handler = logging.FileHandler(turn_log, mode="a")
        handler.setFormatter(logging.Formatter("%(relativeCreated)8.0f %(message)s"))
        stream_log = logging.getLogger("voice.telephony.stream")
        stream_log.setLevel(logging.INFO)
        stream_log.addHandler(handler)
    from support.fake_twilio import ACCOUNT

    os.environ["TWILIO_AUTH_TOKEN"], os.environ["TWILIO_ACCOUNT_SID"] = TOKEN, ACCOUNT
    config = Config(db_path=workdir / "records.sqlite3", audio_cache_dir=audio, speech_assembly=assembly)
    recorder = CallRecorder(SQLiteStore(config.db_path), hash_key=b"b" * 32, auto_purge=False)
    app = create_app(config, runtime=make_runtime(), recorder=recorder)
    app.extensions["telephony"].clock = lambda: OPEN
    server = make_server("127.0.0.1", 0, app, threaded=True)
    conn.send(server.server_port)
    server.serve_forever()


class ServerProcess:
    """civicline in a process of its own, with its CPU time and peak memory from /proc."""

    def __init__(self, workdir: Path, audio: Path, assembly: bool, turn_log: Path | None) -> None:
        ctx = multiprocessing.get_context("spawn")  # no threads or models inherited by fork
        parent, child = ctx.Pipe()
        self.process = ctx.Process(target=_server, args=(workdir, audio, assembly, turn_log, child), daemon=True)
        self.process.start()
        if not parent.poll(300):
            raise RuntimeError("civicline did not start")
        self.port = parent.recv()

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime

    def peak_rss_mb(self) -> float:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def stop(self) -> None:
        self.process.terminate()
        self.process.join(10)


def one_call(twilio, voices: dict, lang: str, caller: int, out: list, errors: list) -> None:
    key, lines = SCRIPTS[lang][0], lines_for(lang, caller)
    step, leg = "calling", None
    try:
        sid, params, r = twilio.incoming()
        leg = twilio.stream(r, sid)
        _until(lambda: leg.current.first_frame_at is not None)
        step = f"pressed {key}"
        leg.press(key)
        _until(lambda: leg.current.first_frame_at is not None)
        for text in lines:
            step = f"said {text!r}"
            leg.say(voices[lang, text])
            before = len(leg.latencies)
            _until(lambda b=before: len(leg.latencies) > b, timeout=120)
            while not leg.next_prompt(120).mark:  # hear the reply to its end
                pass
        # Under 0.3 s is the prompt spoken over still arriving before the clear, not a turn.
        out.extend(t for t in leg.latencies if t > 0.3)
        leg.hang_up()
    except Exception as exc:
        heard = f", {len(leg.prompts)} prompts heard, line closed: {leg.closed.is_set()}" if leg else ""
        errors.append(f"caller {caller} ({lang}) {step}: {exc!r}{heard}")


def _until(check, timeout: float = 60.0) -> None:
    end = time.monotonic() + timeout
    while not check():
        if time.monotonic() > end:
            raise TimeoutError("no reply")
        time.sleep(0.01)


def run(n: int, server: ServerProcess, twilio, voices, langs: list[str], stagger: float, first_caller: int = 0) -> dict:
    """N calls; callers ``first_caller`` .. + N (each its own address)."""
    latencies: list[float] = []
    errors: list[str] = []
    cpu0, wall0 = server.cpu_seconds(), time.monotonic()
    rng = random.Random(first_caller)  # the same start times on every run
    offsets = sorted(rng.uniform(0, stagger) for _ in range(n))
    threads = [threading.Thread(target=one_call, args=(twilio, voices, langs[i % len(langs)], first_caller + i, latencies, errors)) for i in range(n)]
    for offset, t in zip(offsets, threads, strict=True):
        time.sleep(max(0.0, wall0 + offset - time.monotonic()))
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - wall0
    return {"latencies": latencies, "errors": errors, "cpu_cores": (server.cpu_seconds() - cpu0) / wall}


def answers(langs: list[str], callers: int) -> dict[str, list[str]]:
    """What the callers will hear, from the dialog alone (text calls with the same scripts)."""
    from civicline.calls import Call
    from flows.dialog import Engine
    from flows.session import Pressed, Said, Say
    from support.flowkit import OPEN, make_runtime

    engine = Engine(make_runtime())
    out: dict[str, list[str]] = {}
    for lang in langs:
        for caller in [*range(callers), WARM_UP]:
            call = Call(engine, lambda: OPEN)
            steps = [call.start(), call.send(Pressed(SCRIPTS[lang][0]))]
            steps += [call.send(Said(text, lang)) for text in lines_for(lang, caller)]
            for a in (a for step in steps for a in step.actions if isinstance(a, Say)):
                out.setdefault(a.lang, []).append(a.text)
    return {lang: list(dict.fromkeys(texts)) for lang, texts in out.items()}


def render_answers(audio: Path, langs: list[str], callers: int) -> None:
    """The vocabulary pieces the callers' answers are made of, rendered into ``audio``."""
    from datetime import date

    from civicline.vocabulary import vocabulary
    from support.flowkit import make_runtime
    from voice.engines import SpeechEngines
    from voice.tts.cache import AudioCache
    from voice.vocab.render import pieces_for, render_vocabulary, vocabulary_pieces

    runtime, engines = make_runtime(), SpeechEngines()
    for lang, texts in answers(langs, callers).items():
        vocab = vocabulary_pieces(vocabulary(runtime, lang, date(2026, 12, 1)), lang)
        report = render_vocabulary(pieces_for(texts, vocab, lang), lang, AudioCache(audio),
                                   engines.synthesizer(lang).voice_id, workers=2, keep_others=True)
        print(f"vocabulary {lang}: {report.pieces} pieces for {len(texts)} answers, {report.rendered} rendered "
              f"in {report.seconds:.0f} s", flush=True)


def summary(rounds: list[dict], server: ServerProcess) -> dict:
    q = sorted(t for r in rounds for t in r["latencies"])
    pct = (lambda p: q[min(len(q) - 1, int(p * len(q)))]) if q else (lambda p: float("nan"))
    return {
        "turns": len(q),
        "p50": statistics.median(q) if q else float("nan"),
        "p95": pct(0.95),
        "max": q[-1] if q else float("nan"),
        "cpu_cores": statistics.mean(r["cpu_cores"] for r in rounds),
        "rss_mb": server.peak_rss_mb(),
        "errors": [e for r in rounds for e in r["errors"]],
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calls", type=int, nargs="+", default=[1, 10])
    ap.add_argument("--lang", nargs="+", default=["fr", "es", "en"], choices=sorted(SCRIPTS))
    ap.add_argument("--stagger", type=float, default=8.0, help="callers start at random over this many seconds (0: together)")
    ap.add_argument("--rounds", type=int, default=1, help="run each number of calls this many times, new callers each time")
    ap.add_argument("--naive", action="store_true", help="also measure answers synthesised whole (no vocabulary), side by side")
    ap.add_argument("--audio-cache", type=Path, default=ROOT / "instance" / "bench-audio",
                    help="where the callers' vocabulary is rendered (kept between runs)")
    ap.add_argument("--turn-log", type=Path, help="civicline writes each turn's split (recognition, dialog, synthesis) here")
    args = ap.parse_args()
    import numpy as np

    from support.fake_twilio import FakeTwilio
    from voice.engines import SpeechEngines

    callers = max(args.calls) * args.rounds
    render_answers(args.audio_cache, args.lang, callers)
    modes = ["assembled", "naive"] if args.naive else ["assembled"]
    with tempfile.TemporaryDirectory() as tmp:
        if args.turn_log:
            args.turn_log.write_text("")
        servers = {}
        for mode in modes:
            (Path(tmp) / mode).mkdir()
            servers[mode] = ServerProcess(Path(tmp) / mode, args.audio_cache, mode == "assembled", args.turn_log)
        twilios = {mode: FakeTwilio(f"http://127.0.0.1:{server.port}", TOKEN) for mode, server in servers.items()}
        engines = SpeechEngines()  # the callers' own voices
        pad = np.zeros(1600, np.int16)
        voices = {
            (lang, text): np.concatenate([pad, engines.synthesizer(lang).synthesize(text, lang).at_rate(8000).samples, pad])
            for lang in args.lang
            for text in {line for caller in [*range(callers), WARM_UP] for line in lines_for(lang, caller)}
        }
        print(f"turn latency, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f} at start, callers start over "
              f"{args.stagger:g} s, {args.rounds} round(s) per line, modes {' and '.join(modes)} alternated")
        print("| lang | mode | calls | turns | p50 s | p95 s | max s | p50 / 1 call | server CPU cores | server peak RSS MB | "
              "live pieces | errors |")
        print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for lang in args.lang:
            single: dict[str, float] = {}
            for mode in modes:  # models loaded, fixed prompts cached
                run(1, servers[mode], twilios[mode], voices, [lang], 0.0, WARM_UP)
            for n in args.calls:
                for mode in modes:
                    server = servers[mode]
                    live0 = server_live(twilios[mode])
                    r = summary([run(n, server, twilios[mode], voices, [lang], args.stagger, k * n) for k in range(args.rounds)],
                                server)
                    live = server_live(twilios[mode]) - live0 if mode == "assembled" else float("nan")
                    if n == 1:
                        single[mode] = r["p50"]
                    ratio = r["p50"] / single[mode] if single.get(mode) else float("nan")
                    print(f"| {lang} | {mode} | {n} | {r['turns']} | {r['p50']:.2f} | {r['p95']:.2f} | {r['max']:.2f} | "
                          f"{ratio:.2f} | {r['cpu_cores']:.2f} | {r['rss_mb']:.0f} | {live:g} | {len(r['errors'])} |", flush=True)
                    for e in r["errors"]:
                        print("   error:", e)
        print(f"load {os.getloadavg()[0]:.1f} at the end")
        for server in servers.values():
            server.stop()
    return 0


def server_live(twilio) -> float:
    """Pieces the assembled server made live so far (outside the vocabulary), from its health page."""
    import requests

    try:
        counts = requests.get(twilio.base + "/health", timeout=5).json().get("vocabulary") or {}
        return float(sum(v for k, v in counts.items() if k.startswith("live:")))
    except Exception:
        return float("nan")


if __name__ == "__main__":
    raise SystemExit(main())
