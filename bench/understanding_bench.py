"""Callers' first sentence at the main menu, through the engine: accuracy and time.

Run: .venv/bin/python bench/understanding_bench.py [--part dev dev2] [--meaning none use-m3 e5-small]
     [--held-out FILE ...]

For each way of understanding (words only; words and a sentence encoder), side by side in
one run: the share of caller sentences answered right, asked back (clarify) or answered
wrong, per language, on the two halves of tests/nlu/data/callers (dev, dev2: both tuned
on, their figures are not results) and on held-out sets kept outside the repository
(`--held-out`, files in the same format, written apart from the catalogs and never copied
into them or into the sorting guide): only a held-out set's figures are results. Time per
sentence is that of understanding one sentence at the main menu as a turn does (the
emergency check, the global check, then Understanding.decide over every request), CPU and
wall, with the encoder on one thread; goal 10 ms on two cores.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from civicline.callers_eval import (  # noqa: E402
    CALLERS,
    CLARIFY,
    PARTS,
    RIGHT,
    WRONG,
    caller_set,
    caller_set_file,
    confusion_markdown,
    evaluate_dialog,
)
from civicline.config import load_config  # noqa: E402
from civicline.wiring import load_runtime  # noqa: E402
from flows.dialog.menu import everywhere  # noqa: E402
from flows.model import MenuNode  # noqa: E402
from nlu.hybrid import HandDecider, load_calibrated  # noqa: E402

GOAL_MS = 10.0
LANGS = ("fr", "en", "es", "it")


def _pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(p * len(values)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", nargs="*", default=list(PARTS), choices=PARTS)
    parser.add_argument("--held-out", nargs="+", type=Path, default=[], metavar="FILE",
                        help="caller sets written apart (same format as tests/nlu/data/callers)")
    parser.add_argument("--meaning", nargs="+", default=["none", "use-m3", "e5-small"])
    parser.add_argument("--decision", nargs="+", default=["hand", "fitted"], choices=["hand", "fitted"],
                        help="with an encoder: the hand bars, the fitted decision (nlu/intent_calibration.yaml)")
    parser.add_argument("--confusion", action="store_true", help="print the confusion tables")
    parser.add_argument("--lang", nargs="+", default=list(LANGS), choices=LANGS,
                        help="languages (Italian is offered for the run; a part a language lacks is left out)")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    offered = ",".join(dict.fromkeys(["fr", "en", "es", *args.lang]))
    base = load_config(ROOT / "civicline.toml", env={"CIVICLINE_LANGUAGES": offered})
    print("| understanding | part | lang | right | clarify | wrong | out of scope wrong | ms p50 / p95 (cpu p50) |")
    print("|---|---|---|---|---|---|---|---|")
    tables = []
    for meaning in args.meaning:
        t0 = time.perf_counter()
        runtime = load_runtime(replace(base, meaning_model=meaning))
        understanding = runtime.understanding
        assert understanding is not None
        for lang in args.lang:
            understanding.matcher(lang)
        built = time.perf_counter() - t0
        main_menu = runtime.flows.nodes["main.menu"]
        assert isinstance(main_menu, MenuNode)
        targets = list(everywhere(runtime, main_menu))
        deciders: list[tuple[str, object]] = [(meaning, None)]
        if meaning != "none":
            fitted = load_calibrated(meaning)
            deciders = [(f"{meaning} {d}", HandDecider() if d == "hand" else fitted)
                        for d in args.decision if d == "hand" or fitted is not None]
        for name, decider in deciders:
            if decider is not None:
                for lang in runtime.catalogs.languages:
                    understanding.matcher(lang).decider = decider
            sets = [(part, caller_set(lang, part)) for part in args.part for lang in args.lang
                    if (CALLERS / f"{part}_{lang}.yaml").is_file()]
            sets += [(f"held-out {path.stem}", caller_set_file(path)) for path in args.held_out]
            for part, labelled in sets:
                lang = labelled.lang
                result = evaluate_dialog(runtime, labelled, part)
                wall, cpu = [], []
                for r, case in enumerate(labelled.cases):
                    text = f"{case['text']} {'x' * (r % 3 + 1)}"  # a sentence not seen before
                    w, c = time.perf_counter(), time.process_time()
                    understanding.emergency(text, lang)
                    understanding.global_intent(text, lang)
                    understanding.decide(text, lang, targets)
                    wall.append((time.perf_counter() - w) * 1000)
                    cpu.append((time.process_time() - c) * 1000)
                print(
                    f"| {name} | {part} | {lang} | {result.rate(RIGHT):.1%} | {result.rate(CLARIFY):.1%} "
                    f"| {result.rate(WRONG):.1%} | {result.rate(WRONG, 'out'):.1%} "
                    f"| {statistics.median(wall):.1f} / {_pct(wall, 0.95):.1f} ({statistics.median(cpu):.1f}) |",
                    flush=True,
                )
                if args.confusion:
                    tables.append(f"\n#### {name}, {part}, {lang}\n\n{confusion_markdown(result)}")
        print(f"<!-- {meaning}: runtime and matchers built in {built:.1f} s -->")
    print("\n".join(tables))
    return 0


if __name__ == "__main__":
    sys.exit(main())
