"""Hearing callers through mobile phones and street noise: word error rate and latency per
language and channel, civicline before and after, and a peer, side by side in one run.

    .venv/bin/python bench/noise_bench.py [--recordings 40] [--lang en fr es]
        [--channel clean gsm gsm+20dB gsm+15dB gsm+10dB] [--no-peer] [--json]

The recordings are Debian's asterisk-core-sounds: by default the held-out sample, never
tuned on (``--dev``: the first sample, which the settings were chosen on); each channel is what ``voice.channel`` makes of them: as recorded, or
through GSM 06.10 (the ``-gsm`` packages, decoded by sox), with street noise at 20/15/10 dB
SNR or not, and always through the 8 kHz μ-law phone leg. Systems, each recording sent to
all of them in turn so the machine's load falls on all alike:

- ``before``: Whisper base as on main before this work (greedy, no loop retry, no noise
  suppression);
- ``after``: Whisper base as civicline now runs it by default;
- ``after+<denoiser>``: the same with the optional noise suppression a deployment may turn
  on (``[voice] denoise``);
- ``peer``: Home Assistant's wyoming-faster-whisper on 127.0.0.1 with the same model
  (``bench/wyoming_peer.py``).

Latency is the wait after the end of the audio: for ours the recognition call, for the
peer from AudioStop to its Transcript (protocol and its WAV round trip included).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import signal
import statistics
import sys
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from voice.channel import CHANNELS, through_channel  # noqa: E402
from voice.engines import SpeechEngines  # noqa: E402
from voice.eval import Recognise, channel_goal, each_in_turn, sample, score_transcripts, text_of  # noqa: E402
from voice.stt.whisper import Decoding, WhisperTranscriber  # noqa: E402

BEFORE = Decoding(beam_size=1, language_beams=(), compression_ratio_threshold=None, loop_beam_size=0)
"""The decoding on main before this work: greedy in every language, a loop told only by its
word count or the token bound, and nothing redone after the whole window."""



def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))] if s else 0.0


def measure_language(lang: str, args: argparse.Namespace) -> dict:
    """Every channel of one language, each recording sent to every system in turn."""
    from voice.audio.denoise import load_denoiser

    engines = SpeechEngines(cpu_threads=2)
    after = engines.transcriber(lang)
    assert isinstance(after, WhisperTranscriber)
    before = WhisperTranscriber(after.model, vad=after.vad, decoding=BEFORE)
    systems: dict[str, Recognise] = {
        "before": text_of(before),
        "after": text_of(after),
    }
    for name in args.denoise:
        t = WhisperTranscriber(after.model, vad=after.vad, decoding=after.decoding, denoiser=load_denoiser(name))
        systems[f"after+{name}"] = text_of(t)
    out: dict = {"results": {}}
    with ExitStack() as stack:
        if not args.no_peer:
            import wyoming_peer

            port, version = stack.enter_context(wyoming_peer.wyoming_server(cpu_threads=2))
            out["peer"] = {"name": "wyoming-faster-whisper", "version": version,
                           "settings": "beam 5, temperature fallback, 30 s window, no VAD filter, int8, 2 threads"}
            systems["peer"] = lambda pcm, rate, lang: wyoming_peer.transcribe(port, pcm, rate, lang).text
            # The server loads its model on the first request: that answer is not timed.
            systems["peer"](through_channel(sample(lang, 1)[0].path, "clean"), 8000, lang)

        recs = sample(lang, args.recordings, held_out=not args.dev)
        for channel in args.channel:
            pairs, secs, audio_s = each_in_turn(recs, channel, systems, lang)
            row = {}
            for name in systems:
                r = score_transcripts(lang, name, pairs[name], audio_s, secs[name], channel)
                row[name] = {
                    "wer": round(r.wer, 4), "rtf": round(r.rtf, 3),
                    "latency_p50_s": round(statistics.median(secs[name]), 3),
                    "latency_p95_s": round(pct(secs[name], 0.95), 3),
                    "worst": [{"name": n, "said": ref, "heard": hyp} for n, ref, hyp in r.errors[:3]],
                }
            out["results"][f"{lang} {channel}"] = {"goal": channel_goal(lang, channel), "audio_s": round(audio_s, 1), **row}
            print(f"{lang} {channel:9} " + "  ".join(f"{n} {row[n]['wer']:.1%}" for n in systems),
                  file=sys.stderr, flush=True)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--recordings", type=int, default=40, help="recordings per language")
    ap.add_argument("--dev", action="store_true",
                    help="the first sample, which the settings were chosen on (default: the held-out one)")
    ap.add_argument("--lang", nargs="+", default=["en", "fr", "es"])
    ap.add_argument("--channel", nargs="+", default=list(CHANNELS))
    ap.add_argument("--denoise", nargs="*", default=["spectral-gate"],
                    help="noise suppression engines to measure as after+NAME (none: --denoise)")
    ap.add_argument("--no-peer", action="store_true", help="leave out wyoming-faster-whisper")
    ap.add_argument("--jobs", type=int, default=1,
                    help="languages measured at once, each in a process with its own peer server")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--from-json", type=Path, metavar="FILE", help="print the tables of a saved --json run")
    args = ap.parse_args()
    if args.from_json:
        return print_tables(json.loads(args.from_json.read_text(encoding="utf-8")))
    # A terminated bench still stops its peer servers (the context managers' finally).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))

    res: dict = {
        "date": datetime.date.today().isoformat(),
        "machine": {"cpus": os.cpu_count(), "cpu": cpu_model(), "shared": True},
        "load_average": {"start": round(os.getloadavg()[0], 2)},
        "recordings_per_language": args.recordings,
        "sample": "dev (settings chosen on it)" if args.dev else "held out (never tuned on)",
        "jobs": args.jobs,
        "results": {},
    }
    if args.jobs > 1:
        with ProcessPoolExecutor(args.jobs) as pool:
            parts = list(pool.map(measure_language, args.lang, [args] * len(args.lang)))
    else:
        parts = [measure_language(lang, args) for lang in args.lang]
    for part in parts:
        res["results"].update(part["results"])
        if "peer" in part:
            res["peer"] = part["peer"]
    res["load_average"]["end"] = round(os.getloadavg()[0], 2)
    if args.json:
        print(json.dumps(res, indent=2, ensure_ascii=False))
        return 0
    return print_tables(res)


def print_tables(res: dict) -> int:
    names = list(next(iter(res["results"].values())).keys())[2:] if res["results"] else []
    print(f"\n{res['date']}, {res['machine']['cpus']} cores ({res['machine']['cpu']}, shared), "
          f"load {res['load_average']['start']} -> {res['load_average']['end']}, {res['recordings_per_language']} recordings a language, "
          f"{res['sample']}")
    print("\nWER\n| language | channel | " + " | ".join(names) + " | goal |")
    print("| --- | --- | " + " | ".join("---" for _ in names) + " | --- |")
    for key, row in res["results"].items():
        lang, channel = key.split()
        g = f"≤ {row['goal']:.0%}" if row["goal"] is not None else ""
        print(f"| {lang} | {channel} | " + " | ".join(f"{row[n]['wer']:.1%}" for n in names) + f" | {g} |")
    print("\nLatency after the end of the audio, p50 / p95 (s)\n| language | channel | " + " | ".join(names) + " |")
    print("| --- | --- | " + " | ".join("---" for _ in names) + " |")
    for key, row in res["results"].items():
        lang, channel = key.split()
        print(f"| {lang} | {channel} | " + " | ".join(f"{row[n]['latency_p50_s']:.2f} / {row[n]['latency_p95_s']:.2f}" for n in names) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
