"""What callers hear, assembled from the rendered vocabulary against synthesised whole.

Every answer the demo town's scenario calls get (catalog sentences with the slot values
real calls put in them) and every fixed catalog prompt, per language:

- the vocabulary pieces these answers need are rendered first (incremental: a second run
  renders nothing), and the render rate is printed;
- each answer is assembled (``voice.vocab.assemble``): time to its first audio, pieces made
  live (outside the vocabulary), and the word error rate of Whisper base on the 8 kHz μ-law
  audio, against the words said;
- a sample of the same answers is synthesised whole, the way the line spoke before the
  vocabulary (``Speaker.stream``, the first sentence cut at a clause): its first audio and
  word error rate, in the same run.

    .venv/bin/python bench/answers_bench.py [--lang fr es en] [--naive-limit 20] [--cache-dir DIR]

``--count-only`` renders and synthesises nothing: it cuts every answer, of the demo town's
scenarios and of every other town's (``scenarios/gedling``; a town that offers only some
languages is also called in the others, as if it offered them), against the vocabulary
``civicline prompts render`` would render for that town on that call's day, and lists the
pieces that would be made live with their causes (``civicline.live_pieces``);
``--streets 7 48`` adds, for each scenario whose caller gives an address, the same call
with every street of its town at those house numbers, in every language (a sweep of the
data beyond the scripted values). ``--baseline REV`` counts the same answers against ``civicline/vocabulary.py`` as it was at
the git revision REV, each sentence cut as the phone line cut it then (long ones at commas,
and at colons and semicolons: ``voice.tts.cache.split_sentences``), side by side:

    .venv/bin/python bench/answers_bench.py --count-only [--baseline REV] [--streets 7 48 113] [--show 40]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]


def _pct(values: list[float], p: float) -> float:
    q = sorted(values)
    return q[min(len(q) - 1, int(p * len(q)))] if q else float("nan")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lang", nargs="+", default=["fr", "es", "en"])
    ap.add_argument("--naive-limit", type=int, default=20, help="answers also synthesised whole (evenly spaced)")
    ap.add_argument("--cache-dir", type=Path, help="default: the configuration's audio cache")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--count-only", action="store_true", help="count the live pieces from the text: no voice, no audio")
    ap.add_argument("--baseline", metavar="REV", help="with --count-only: also count against civicline/vocabulary.py at REV")
    ap.add_argument("--streets", type=int, nargs="*", default=[], metavar="N",
                    help="with --count-only: also call each scenario that gives an address with every street of its "
                         "town at these house numbers, in every language (a sweep of the town's data)")
    ap.add_argument("--show", type=int, default=0, metavar="N", help="with --count-only: list up to N live pieces a town and language")
    args = ap.parse_args()
    if args.count_only:
        return count_only(args.lang, args.baseline, args.show, args.streets)

    from civicline.config import load_config
    from civicline.scenarios import scenario_files
    from civicline.vocabulary import said_in_scenarios, vocabulary
    from civicline.wiring import load_runtime, speech_engines
    from translations.catalog import is_written_variant
    from voice.audio.codec import ulaw_to_pcm16
    from voice.eval import normalize, word_error_rate
    from voice.tts.cache import AudioCache, Speaker
    from voice.tts.speech_text import format_for_speech
    from voice.vocab.assemble import Assembler, Said
    from voice.vocab.manifest import Vocabularies
    from voice.vocab.render import pieces_for, render_vocabulary, vocabulary_pieces

    config = load_config(None)
    cache_dir = args.cache_dir or config.audio_cache_dir
    runtime = load_runtime(config)
    engines = speech_engines(config)
    today = datetime.now(runtime.town.timezone).date()
    said = said_in_scenarios(config, scenario_files([ROOT / "scenarios"]))
    load0 = os.getloadavg()[0]
    print(f"answers bench, {os.cpu_count()} cores, load {load0:.1f} at start, {datetime.now():%Y-%m-%d %H:%M}")
    rows = []
    for lang in args.lang:
        catalog = runtime.catalogs[lang]
        fixed = [t for k, t in catalog.prompts.items()
                 if t and "{" not in t and not t.startswith("TODO") and not is_written_variant(k)]
        answers = list(dict.fromkeys([t for t, lg in said if lg == lang] + fixed))
        voice, stt = engines.synthesizer(lang), engines.transcriber(lang)
        vocab = vocabulary_pieces(vocabulary(runtime, lang, today), lang)
        needed = pieces_for(answers, vocab, lang)
        report = render_vocabulary(needed, lang, AudioCache(cache_dir), voice.voice_id, voice_config=config.voice_models,
                                   workers=args.workers, engines=engines if args.workers <= 1 else None, keep_others=True)
        rate = report.rendered / report.seconds * 60 if report.rendered else float("nan")
        print(f"{lang}: {len(answers)} answers, {len(vocab)} pieces in the town's vocabulary, {len(needed)} used here, "
              f"{report.rendered} rendered now in {report.seconds:.0f} s ({rate:.1f} pieces/min)", flush=True)
        live_speaker = Speaker(engines.synthesizer, AudioCache(None), quick_start=False)
        assembler = Assembler(Vocabularies(cache_dir), AudioCache(cache_dir),
                              live_speaker.sentence_audio, lambda lg: engines.synthesizer(lg).voice_id)
        naive = Speaker(engines.synthesizer, AudioCache(None))
        step = max(1, len(answers) // max(1, args.naive_limit))
        sample = set(range(0, len(answers), step)[: args.naive_limit])
        first_a, first_n, refs, hyps, refs_s, hyps_a_s, hyps_n_s = [], [], [], [], [], [], []
        counts = Said()
        for i, text in enumerate(answers):
            ref = normalize(format_for_speech(text, lang), lang)
            start = time.perf_counter()
            chunks = assembler.stream(text, lang, said=counts)
            first = next(chunks, b"")
            first_a.append(time.perf_counter() - start)
            audio = first + b"".join(chunks)
            heard = normalize(stt.transcribe(ulaw_to_pcm16(audio), 8000, lang).text, lang)
            refs.append(ref)
            hyps.append(heard)
            if i in sample:
                start = time.perf_counter()
                chunks = naive.stream(text, lang)
                first = next(chunks, b"")
                first_n.append(time.perf_counter() - start)
                whole = first + b"".join(chunks)
                refs_s.append(ref)
                hyps_a_s.append(heard)
                hyps_n_s.append(normalize(stt.transcribe(ulaw_to_pcm16(whole), 8000, lang).text, lang))
        row = {
            "lang": lang, "answers": len(answers), "words": sum(len(r.split()) for r in refs),
            "wer": word_error_rate(refs, hyps), "sample": len(refs_s),
            "wer_a_s": word_error_rate(refs_s, hyps_a_s), "wer_n_s": word_error_rate(refs_s, hyps_n_s),
            "first_a": (statistics.median(first_a), _pct(first_a, 0.95), max(first_a)),
            "first_n": (statistics.median(first_n), _pct(first_n, 0.95), max(first_n)) if first_n else (float("nan"),) * 3,
            "known": counts.known, "live": counts.live, "live_words": counts.live_words,
        }
        rows.append(row)
        worst = sorted(((len(set(r.split()) ^ set(h.split())), r, h) for r, h in zip(refs, hyps, strict=True)), reverse=True)[:3]
        for _, ref, hyp in worst:
            print(f"   said:  {ref}\n   heard: {hyp}")
    print(f"load {os.getloadavg()[0]:.1f} at the end")
    print("| lang | answers (words) | WER assembled | sample: assembled / whole | first audio assembled p50 / p95 / max | "
          "first audio whole p50 / p95 / max | pieces known / live (live words) |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        a, n = r["first_a"], r["first_n"]
        print(f"| {r['lang']} | {r['answers']} ({r['words']}) | {r['wer']:.1%} | {r['wer_a_s']:.1%} / {r['wer_n_s']:.1%} "
              f"(n={r['sample']}) | {a[0] * 1000:.1f} / {a[1] * 1000:.1f} / {a[2] * 1000:.1f} ms | "
              f"{n[0] * 1000:.0f} / {n[1] * 1000:.0f} / {n[2] * 1000:.0f} ms | {r['known']} / {r['live']} ({r['live_words']}) |")
    return 0


def _vocabulary_at(rev: str):
    """``civicline.vocabulary.vocabulary`` as it was at a git revision."""
    import importlib.util
    import subprocess
    import tempfile

    source = subprocess.run(["git", "show", f"{rev}:civicline/vocabulary.py"], cwd=ROOT, check=True,
                            capture_output=True, text=True).stdout
    path = Path(tempfile.mkdtemp()) / "vocabulary_baseline.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("vocabulary_baseline", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.vocabulary


def fixed_prompts(config, answers, langs):
    """Each town's spoken catalog prompts without slots, as answers of its first scenario's day."""
    from civicline.live_pieces import Answer, town_runtime
    from translations.catalog import is_written_variant

    out = []
    for town in dict.fromkeys(a.town for a in answers):
        day = min(a.day for a in answers if a.town == town)
        catalogs = town_runtime(load_config_once(), Path(town), langs).catalogs
        for lang in langs:
            out += [Answer(t, lang, town, day) for k, t in catalogs[lang].prompts.items()
                    if t and "{" not in t and not t.startswith("TODO") and not is_written_variant(k)]
    return out


def load_config_once():
    from civicline.config import load_config

    return load_config(None)


def count_only(langs: list[str], baseline: str | None, show: int, streets: list[int]) -> int:
    from civicline.config import load_config
    from civicline.live_pieces import CAUSES, scenario_answers, town_counts
    from civicline.scenarios import load_scenario, scenario_files

    config = load_config(None)
    files = scenario_files([ROOT / "scenarios"])
    answers = scenario_answers(config, [f for f in files if not load_scenario(f).town])
    # Another town's scenarios (gedling: English only) are also called in the other
    # languages, the town offering them for the count.
    answers += scenario_answers(config, [f for f in files if load_scenario(f).town], langs)
    answers += fixed_prompts(config, answers, langs)
    if streets:
        before = set(answers)
        answers += [a for a in scenario_answers(config, files, langs, streets) if a not in before]
    from voice.tts.cache import split_sentences
    from voice.vocab.assemble import spoken_sentences

    versions = [("now", None, spoken_sentences)] + ([(baseline, _vocabulary_at(baseline), split_sentences)] if baseline else [])
    counted = {name: {(t, lg): c for t, lg, c in town_counts(config, answers, langs, make, split)}
               for name, make, split in versions}
    keys = list(counted["now"])
    causes = [c for c in CAUSES if any(counts[k].causes[c] for counts in counted.values() for k in keys)]
    print(f"live pieces (made at call time), counted from the text of {len(answers)} answers (scenarios, fixed prompts"
          + (f", every street at {streets}" if streets else "") + ")"
          + (f"; before = vocabulary at {baseline}, after = this tree" if baseline else ""))
    head = "| town | lang | vocabulary | answers | pieces | live | " + " | ".join(causes) + " |"
    print(head + "\n" + "| --- " * (head.count("|") - 1) + "|")
    for key in keys:
        cells = []
        for name, _, _ in reversed(versions):
            c = counted[name][key]
            cells.append((c.pieces, len(c.live), [c.causes[x] for x in causes], c.vocabulary))
        join = (lambda xs: " → ".join(str(x) for x in xs)) if baseline else (lambda xs: str(xs[0]))
        c = counted["now"][key]
        print(f"| {key[0]} | {key[1]} | {join([x[3] for x in cells])} | {c.answers} | {join([x[0] for x in cells])} | {join([x[1] for x in cells])} | "
              + " | ".join(join([x[2][i] for x in cells]) for i in range(len(causes))) + " |")
    for cause in causes:
        print(f"  {cause}: {CAUSES[cause]}")
    if show:
        for key in keys:
            for p in counted["now"][key].live[:show]:
                print(f"  {key[0]} {key[1]} [{p.cause}] {p.text!r}  <<  {p.answer.text[:110]!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
