"""Speech benchmark: recognition and synthesis real-time factors per engine and language,
time to the first audio of an answer (cache miss and hit), memory with en/fr/es loaded.
Everything is measured side by side in one run, on the same machine state.

    .venv/bin/python bench/speech_bench.py [--recordings 10] [--repeats 3] [--json]

First audio is what ``Speaker.stream`` yields first (a clause of the first sentence with a
slow voice), next to the time to make the whole first sentence (what the line waited for
before pieces were cut), interleaved and the median of ``--repeats``; "stall" is the longest
silence after the first audio while a later piece was still being made. The load average is
printed: the machine is shared, and contention shows in every number.

Goals (2-core machine): recognition RTF <= 0.15, first audio of an uncached answer
<= 300 ms, of a cached prompt <= 5 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from voice.audio.wav import read_wav  # noqa: E402
from voice.engines import SpeechEngines  # noqa: E402
from voice.eval import phone_roundtrip, sample  # noqa: E402
from voice.models import ESPEAK, ModelSpec  # noqa: E402
from voice.tts.cache import AudioCache, Speaker, split_sentences  # noqa: E402

ANSWERS = {
    "en": "Your next waste collection is on Tuesday, December 1. Put your bins out the evening before, after 7 p.m.",
    "fr": "Votre prochaine collecte a lieu le mardi 1er décembre. Sortez vos bacs la veille au soir, après 19 h.",
    "es": "Su próxima recolección es el martes 1 de diciembre. Saque sus contenedores la noche anterior, después de las 19 h.",
}
PROMPT = {"en": "Sorry, I did not understand.", "fr": "Désolé, je n'ai pas compris.", "es": "Lo siento, no entendí."}


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def stream_timing(speaker: Speaker, text: str, lang: str) -> tuple[float, float, int]:
    """(seconds to the first chunk, longest stall after it, chunks) for one answer played in
    real time from the moment its first chunk is ready."""
    start = time.perf_counter()
    first = stall = 0.0
    played_until = None
    chunks = 0
    for chunk in speaker.stream(text, lang):
        now = time.perf_counter()
        if played_until is None:
            first, played_until = now - start, now
        stall = max(stall, now - played_until)
        played_until = max(played_until, now) + len(chunk) / 8000
        chunks += 1
    return first, stall, chunks


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--recordings", type=int, default=10, help="recordings per language for recognition RTF")
    ap.add_argument("--repeats", type=int, default=3, help="first-audio measurements per language (median)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    langs = ["en", "fr", "es"]
    res: dict = {"load_average": {"start": round(os.getloadavg()[0], 2)}, "memory_mb": {}, "load_s": {}, "stt": {}, "tts": {}, "first_audio_ms": {}}

    res["memory_mb"]["start"] = round(rss_mb())
    engines = SpeechEngines(cpu_threads=2)
    start = time.perf_counter()
    stt = {lang: engines.transcriber(lang) for lang in langs}
    res["load_s"]["stt (whisper base, shared)"] = round(time.perf_counter() - start, 2)
    voices = {}
    for lang in langs:
        start = time.perf_counter()
        voices[lang] = engines.synthesizer(lang)
        res["load_s"][f"tts {lang} ({voices[lang].name})"] = round(time.perf_counter() - start, 2)
    espeak = engines._build_tts(ModelSpec("espeak", ESPEAK))
    res["memory_mb"]["en+fr+es loaded"] = round(rss_mb())

    for lang in langs:
        audio_s = compute_s = 0.0
        for rec in sample(lang, args.recordings):
            phone = phone_roundtrip(*read_wav(rec.path))
            t = time.perf_counter()
            stt[lang].transcribe(phone, 8000, lang)
            compute_s += time.perf_counter() - t
            audio_s += len(phone) / 8000
        res["stt"][f"{stt[lang].name} {lang}"] = {"rtf": round(compute_s / audio_s, 3), "audio_s": round(audio_s, 1)}

    for lang in langs:
        for voice in (voices[lang], espeak):
            voice.synthesize("Warm up.", lang)  # first call allocates; not what a call sees
            t = time.perf_counter()
            speech = voice.synthesize(ANSWERS[lang], lang)
            took = time.perf_counter() - t
            res["tts"][f"{voice.name} {lang}"] = {"rtf": round(took / speech.duration, 3), "audio_s": round(speech.duration, 1)}

    for lang in langs:
        whole, first, stall, chunks, hits = [], [], [], 0, []
        for _ in range(max(1, args.repeats)):
            speaker = Speaker(engines.synthesizer, AudioCache())
            t = time.perf_counter()
            speaker.sentence_audio(split_sentences(ANSWERS[lang])[0], lang)
            whole.append(time.perf_counter() - t)
            f, st, chunks = stream_timing(Speaker(engines.synthesizer, AudioCache()), ANSWERS[lang], lang)
            first.append(f)
            stall.append(st)
            speaker.render(PROMPT[lang], lang)  # what `civicline prompts render` does ahead
            t = time.perf_counter()
            next(speaker.stream(PROMPT[lang], lang))
            hits.append(time.perf_counter() - t)
        res["first_audio_ms"][lang] = {
            "uncached_answer": round(statistics.median(first) * 1000),
            "whole_first_sentence": round(statistics.median(whole) * 1000),
            "stall": round(statistics.median(stall) * 1000),
            "pieces": chunks,
            "cached_prompt": round(statistics.median(hits) * 1000, 3),
        }
    res["memory_mb"]["after run"] = round(rss_mb())
    res["load_average"]["end"] = round(os.getloadavg()[0], 2)

    if args.json:
        print(json.dumps(res, indent=2, ensure_ascii=False))
        return 0
    print("| engine | language | RTF | audio s |\n| --- | --- | --- | --- |")
    for kind in ("stt", "tts"):
        for key, v in res[kind].items():
            engine, lang = key.split()
            print(f"| {kind} {engine} | {lang} | {v['rtf']} | {v['audio_s']} |")
    print("\n| language | first audio, uncached answer (ms) | whole first sentence (ms) | stall (ms) | pieces | first audio, cached prompt (ms) |")
    print("| --- | --- | --- | --- | --- | --- |")
    for lang, v in res["first_audio_ms"].items():
        print(f"| {lang} | {v['uncached_answer']} | {v['whole_first_sentence']} | {v['stall']} | {v['pieces']} | {v['cached_prompt']} |")
    print("\nload (s):", ", ".join(f"{k} {v}" for k, v in res["load_s"].items()))
    print("memory (MB RSS):", ", ".join(f"{k} {v}" for k, v in res["memory_mb"].items()))
    print("load average (1 min):", ", ".join(f"{k} {v}" for k, v in res["load_average"].items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
