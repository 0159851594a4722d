"""Speech benchmark: recognition and synthesis real-time factors per engine and language,
time to the first audio of an answer (cache miss and hit), memory with en/fr/es loaded.
Everything is measured side by side in one run, on the same machine state.

    .venv/bin/python bench/speech_bench.py [--recordings 10] [--json]

Goals (issue 5, 2-core machine): recognition RTF <= 0.15, first audio of an uncached answer
<= 300 ms, of a cached prompt <= 5 ms.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from voice.audio.wav import read_wav  # noqa: E402
from voice.engines import SpeechEngines  # noqa: E402
from voice.eval import phone_roundtrip, sample  # noqa: E402
from voice.models import ESPEAK, ModelSpec  # noqa: E402
from voice.tts.cache import AudioCache, Speaker  # noqa: E402

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


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--recordings", type=int, default=10, help="recordings per language for recognition RTF")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    langs = ["en", "fr", "es"]
    res: dict = {"memory_mb": {}, "load_s": {}, "stt": {}, "tts": {}, "first_audio_ms": {}}

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
        speaker = Speaker(engines.synthesizer, AudioCache())
        t = time.perf_counter()
        next(speaker.stream(ANSWERS[lang], lang))
        miss = time.perf_counter() - t
        speaker.render(PROMPT[lang], lang)  # what `civicline prompts render` does ahead
        t = time.perf_counter()
        next(speaker.stream(PROMPT[lang], lang))
        hit = time.perf_counter() - t
        res["first_audio_ms"][lang] = {"uncached_answer": round(miss * 1000), "cached_prompt": round(hit * 1000, 3)}
    res["memory_mb"]["after run"] = round(rss_mb())

    if args.json:
        print(json.dumps(res, indent=2, ensure_ascii=False))
        return 0
    print("| engine | language | RTF | audio s |\n| --- | --- | --- | --- |")
    for kind in ("stt", "tts"):
        for key, v in res[kind].items():
            engine, lang = key.split()
            print(f"| {kind} {engine} | {lang} | {v['rtf']} | {v['audio_s']} |")
    print("\n| language | first audio, uncached answer (ms) | first audio, cached prompt (ms) |\n| --- | --- | --- |")
    for lang, v in res["first_audio_ms"].items():
        print(f"| {lang} | {v['uncached_answer']} | {v['cached_prompt']} |")
    print("\nload (s):", ", ".join(f"{k} {v}" for k, v in res["load_s"].items()))
    print("memory (MB RSS):", ", ".join(f"{k} {v}" for k, v in res["memory_mb"].items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
