"""Emergencies heard, ordinary questions flagged, and the time per sentence.

Run: .venv/bin/python bench/emergency_bench.py [--sets dev dev2 dev3 dev4 dev5 test] [--folds] [--calibrate]
     [--tuned dev dev2 dev3 dev4 dev5 dev6 dev7 dev8 dev9 dev10 dev11 dev12 dev13] [--languages fr,en,es,it] [--code DIR]

Per labelled set of tests/nlu/data/emergency and per language, three outcomes apart:
emergencies that raised an **alarm**, that got only a **notice** (the number said first,
then the call goes on) and that were **missed**; ordinary look-alikes of the same set that
raised an alarm or a notice; and the same for the ordinary callers of
tests/nlu/data/callers (dev and dev2 halves; the test half only when ``test`` is among the
sets). dev,
dev2 to dev13 are tuned on: their figures are not results, and their misses and
false alarms are listed (stderr). A set named test_LANG.yaml and the test callers, written apart
and never tuned on, are the only ones whose figures are: only their counts are printed,
never their sentences, so whoever tunes never sees them.

--tuned: the sets tuned on (dev to dev13 by default; a former held-out set not yet renamed
can be named, as ``test`` was before its rename): listed, left out in turn by --folds and
--calibrate.
--folds: each dev set in turn left out of the catalogs' examples (its sentences, in every
language, removed from the `emergency:` examples and ordinary questions) and measured:
what the meaning layer makes of sentences it was not fitted on (the words were still
chosen with every set in view, so this is optimistic for them).
--calibrate: how the thresholds (nlu.emergency.MeaningCalibration) were chosen, on dev
material only: every dev set's sentences scored with that set left out of the catalogs'
examples, the dev callers by the detector as built; the highest score of an ordinary dev
sentence found by a word that is not ambiguous (``agree`` goes above it), how many have a
calm frame, then what each ``alarm``, ``ambiguous``, ``calm`` and ``notice`` threshold gives
(with each sentence's words and frame); and the dev callers' quantiles.
Time: one sentence through `detect` (words and meaning, the sentence embedded once, one
BLAS thread) against words only and the frame alone, side by side in one run.

--languages: the runtime's languages (CIVICLINE_LANGUAGES; Italian is off in the demo town),
each measured where a set of its language exists.
--code DIR: the detector and catalogs of another checkout (main, to compare in one session),
measured on this tree's labelled sets.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "nlu" / "data"
if "--code" in sys.argv:  # another checkout's code and catalogs, this tree's labelled sets
    ROOT = Path(sys.argv[sys.argv.index("--code") + 1]).resolve()
sys.path.insert(0, str(ROOT))

from civicline.config import load_config  # noqa: E402
from civicline.wiring import load_runtime  # noqa: E402
from nlu.emergency import EmergencyDetector, EmergencyWords, measure  # noqa: E402
from nlu.text import fold  # noqa: E402

LANGS = ("en", "fr", "es", "it")


def labelled(name: str, lang: str) -> tuple[list[str], list[str]] | None:
    path = DATA / "emergency" / f"{name}_{lang}.yaml"
    if not path.exists():
        return None
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [c["text"] for c in data["emergency"]], [str(s) for s in data["ordinary"]]


def callers(half: str, lang: str) -> list[str]:
    path = DATA / "callers" / f"{half}_{lang}.yaml"
    if not path.exists():
        return []
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [u["text"] for u in data["utterances"]]


def detector(understanding: Any, *, drop: frozenset[str] = frozenset(), meaning: bool = True) -> EmergencyDetector:
    """As flows.understanding builds it, less the sentences in ``drop`` (folded)."""
    streets = tuple(name for _, names in understanding.town.street_gazetteer() for name in names)
    vocabularies: dict[str, EmergencyWords] = {}
    said = getattr(understanding, "ordinary_sentences", None)  # an older checkout (--code): its requests' examples
    ordinary = [s for s in (said() if said else [p for lang in understanding.catalogs.languages
                                                 for phrases in understanding.catalogs[lang].intents.values()
                                                 for p in phrases]) if fold(s) not in drop]
    for lang in understanding.catalogs.languages:
        catalog = understanding.catalogs[lang]
        e = catalog.emergency
        examples = {k: tuple(s for s in v if fold(s) not in drop) for k, v in e.examples.items()}
        # A checkout without ambiguous words or frames (--code) gives only what it knows.
        extra = {k: getattr(e, k) for k in ("ambiguous", "calm", "urgent", "contrast")
                 if hasattr(e, k) and k in EmergencyWords.__dataclass_fields__}
        vocabularies[lang] = EmergencyWords(lang, e.words, (*e.ignore, *streets), examples,
                                            tuple(s for s in e.ordinary if fold(s) not in drop), **extra)
    return EmergencyDetector(vocabularies, encoder=understanding.encoder if meaning else None,
                             ordinary_examples=ordinary, cache_dir=understanding.cache_dir)


TUNED = ("dev", "dev2", "dev3", "dev4", "dev5", "dev6", "dev7", "dev8", "dev9", "dev10", "dev11", "dev12", "dev13")


def row(label: str, lang: str, det: EmergencyDetector, emergencies: list[str], ordinary: list[str],
        *, show: bool = False) -> str:
    languages = [lang, *(x for x in det.languages if x != lang)]
    m = measure(det, emergencies, ordinary, languages)
    if not m.emergencies and not m.ordinary:
        return ""
    e, o = m.emergencies, m.ordinary
    alarms = e - len(m.missed) - len(m.noticed)
    cells = [label, lang]
    cells.append(f"{alarms}/{len(m.noticed)}/{len(m.missed)} of {e}" if e else "")
    cells.append(f"{len(m.false_alarms)}/{len(m.false_notices)} of {o}" if o else "")
    cells.append(f"{m.recall:.0%} ({m.alarm_recall:.0%})" if e else "")
    cells.append(f"{m.false_alarm_rate:.1%} / {m.notice_rate:.1%}" if o else "")
    print("| " + " | ".join(cells) + " |")
    if not show:
        return ""  # held out: counts only
    for text in m.missed:
        print(f"  missed: {text}", file=sys.stderr)
    for text in m.noticed:
        print(f"  only a notice: {text}", file=sys.stderr)
    for text in m.false_alarms:
        print(f"  alarm on ordinary: {text}", file=sys.stderr)
    return ""


GRID = tuple((margin, alarm, ambiguous, calm) for margin in (0.0, 5.0, 10.0, 15.0) for alarm in (1.0, 1.2, 1.4)
             for ambiguous in (0.3, 0.6, 1.0) for calm in (3.0,))
NOTICES = (-0.3,)


def calibration(understanding: Any, det: EmergencyDetector, tuned: tuple[str, ...]) -> None:
    from nlu.emergency import level_of

    # E(mergency), O(rdinary look-alike) or C(aller); what the words found, the score, the frame,
    # the nearest examples' margin
    scored: list[tuple[str, Any, float | None, Any, float]] = []
    for name in tuned:
        sets = {lang: labelled(name, lang) for lang in LANGS if lang in det.languages}
        drop = frozenset(fold(t) for data in sets.values() if data for t in (*data[0], *data[1]))
        held = detector(understanding, drop=drop)
        for lang, data in sets.items():
            if data is None:
                continue
            languages = [lang, *(x for x in held.languages if x != lang)]
            for label, texts in zip("EO", data, strict=True):
                for t in texts:
                    s = held.meaning_score(t, languages)
                    scored.append((label, held.by_words(t, languages), s[0] if s else None, held.frame(t, languages),
                                   s[3] if s else 0.0))
    for lang in (x for x in LANGS if x in det.languages):
        languages = [lang, *(x for x in det.languages if x != lang)]
        for t in callers("dev", lang) + callers("dev2", lang):
            s = det.meaning_score(t, languages)
            scored.append(("C", det.by_words(t, languages), s[0] if s else None, det.frame(t, languages),
                           s[3] if s else 0.0))
    sure = [s for label, w, s, *_ in scored if label == "O" and w is not None and not w.ambiguous and s is not None]
    print(f"\nhighest score of an ordinary dev sentence found by a sure word: {max(sure, default=float('nan')):.2f}")
    calm = [label for label, _, _, frame, _ in scored if frame == "calm"]
    print(f"calm frames: {calm.count('E')} emergencies, {calm.count('O')} look-alikes, {calm.count('C')} callers")
    print("| margin | alarm | ambiguous | calm | notice | emergencies: alarm / notice / missed | look-alikes: alarm / "
          "notice | dev callers: alarm / notice |")
    print("|---|---|---|---|---|---|---|---|")
    for (margin, alarm, ambiguous, calm_at), notice in ((g, n) for g in GRID for n in NOTICES):
        c = replace(det.calibration, alarm=alarm, ambiguous=ambiguous, calm=calm_at, notice=notice, margin=margin)
        levels = {k: [level_of(w, s, c, f, m) for label, w, s, f, m in scored if label == k] for k in "EOC"}
        e, o, k = levels["E"], levels["O"], levels["C"]
        print(f"| {margin} | {alarm} | {ambiguous} | {calm_at} | {notice} | {e.count('alarm')} / {e.count('notice')} / "
              f"{e.count(None)} of {len(e)} | {o.count('alarm')} / {o.count('notice')} of {len(o)} "
              f"| {k.count('alarm')} / {k.count('notice')} of {len(k)} |")


def timing(det: EmergencyDetector, words_only: EmergencyDetector, langs: list[str], sentences: list[str]) -> None:
    runs: list[tuple[str, Any]] = [("words only", lambda t: words_only.detect(t, langs)),
                                   ("words + meaning", lambda t: det.detect(t, langs))]
    if hasattr(det, "frame"):  # a checkout without frames (--code) has no such row
        runs.insert(1, ("the frame alone", lambda t: det.frame(t, langs)))
    for name, run in runs:
        wall, cpu = [], []
        for text in sentences:
            if det.meaning is not None:
                det.meaning.index.forget()  # a new sentence each time: embedded anew
            w0, c0 = time.perf_counter(), time.process_time()
            run(text)
            wall.append((time.perf_counter() - w0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
        wall.sort()
        print(f"| {name} | {len(sentences)} | {statistics.median(wall):.2f} | {wall[int(0.95 * len(wall))]:.2f} "
              f"| {statistics.median(cpu):.2f} |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="+", default=[*TUNED, "test"])
    parser.add_argument("--folds", action="store_true")
    parser.add_argument("--calibrate", action="store_true")
    parser.add_argument("--tuned", nargs="+", default=list(TUNED),
                        help="the sets tuned on: left out in turn by --folds and --calibrate, their sentences listed")
    parser.add_argument("--languages", default="", help="CIVICLINE_LANGUAGES for the runtime (fr,en,es,it)")
    parser.add_argument("--code", default="", help="another checkout's detector and catalogs")
    args = parser.parse_args()
    tuned = tuple(args.tuned)
    logging.disable(logging.WARNING)
    env = {"CIVICLINE_LANGUAGES": args.languages} if args.languages else {}
    understanding = load_runtime(load_config(ROOT / "civicline.toml", env=env)).understanding
    assert understanding is not None
    det = understanding.emergencies
    words_only = detector(understanding, meaning=False)
    langs = [lang for lang in LANGS if lang in det.languages]
    print("| set | lang | emergencies: alarm / notice / missed | ordinary: alarm / notice | heard (by alarm) | ordinary alarm / notice rate |")
    print("|---|---|---|---|---|---|")
    for name in args.sets:
        for lang in langs:
            data = labelled(name, lang)
            if data is not None:
                row(name, lang, det, *data, show=name in tuned)
    for half in ("dev", "test") if "test" in args.sets else ("dev",):
        for lang in langs:
            said = callers(half, lang) + (callers("dev2", lang) if half == "dev" else [])
            row(f"callers {half}", lang, det, [], said, show=half == "dev")
    if args.folds:
        print("\nEach dev set left out of the catalogs' examples, then measured on:")
        print("| left out | lang | emergencies: alarm / notice / missed | ordinary: alarm / notice | heard (by alarm) | ordinary alarm / notice rate |")
        print("|---|---|---|---|---|---|")
        for name in tuned:
            sets = {lang: labelled(name, lang) for lang in langs}
            half = "test" if "test" in args.sets else "dev"
            # The callers measured are left out of the ordinary sentences too.
            drop = frozenset(fold(t) for data in sets.values() if data for t in (*data[0], *data[1]))
            drop |= {fold(t) for lang in langs for t in callers(half, lang)}
            held = detector(understanding, drop=drop)
            for lang, data in sets.items():
                if data is not None:
                    row(name, lang, held, *data, show=True)
            for lang in langs:
                row(f"{name}: callers {half}", lang, held, [], callers(half, lang))
    if args.calibrate and det.meaning is not None:
        import numpy as np

        calibration(understanding, det, tuned)

        scores = np.array([det.meaning.score(t)[0] for lang in langs for t in callers("dev", lang)])
        for q in (0.995, 0.99, 0.97, 0.95):
            print(f"dev callers: {1 - q:.1%} score at or above {np.quantile(scores, q):.3f}")
    print("\n| time per sentence | sentences | wall p50 ms | wall p95 ms | CPU p50 ms |")
    print("|---|---|---|---|---|")
    timing(det, words_only, langs, [t for lang in langs for t in callers("test" if "test" in args.sets else "dev", lang)[:100]])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
