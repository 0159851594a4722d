"""Callers' first sentence at the main menu, through the engine: accuracy and time.

Run: .venv/bin/python bench/understanding_bench.py [--part dev test] [--meaning none use-m3 e5-small]

For each way of understanding (words only; words and a sentence encoder), side by side in
one run: the share of caller sentences answered right, asked back (clarify) or answered
wrong, per language, on the dev half (tuned on) and on the held-out test half of
tests/nlu/data/callers. The test half is never copied into the catalogs or the sorting
guide and nothing is tuned on its failures: only its figures are results. Time per
sentence is that of understanding one sentence at the main menu (Understanding.decide
over every request plus the global check), CPU and wall, with the encoder on one thread;
goal 10 ms on two cores.
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
    CLARIFY,
    RIGHT,
    WRONG,
    caller_set,
    confusion_markdown,
    evaluate_dialog,
)
from civicline.config import load_config  # noqa: E402
from civicline.wiring import load_runtime  # noqa: E402
from flows.dialog.menu import everywhere  # noqa: E402

GOAL_MS = 10.0
LANGS = ("fr", "en", "es")


def _pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(p * len(values)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", nargs="+", default=["dev", "test"], choices=["dev", "test"])
    parser.add_argument("--meaning", nargs="+", default=["none", "use-m3", "e5-small"])
    parser.add_argument("--confusion", action="store_true", help="print the confusion tables")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    base = load_config(ROOT / "civicline.toml", env={})
    print("| understanding | part | lang | right | clarify | wrong | out of scope wrong | ms p50 / p95 (cpu p50) |")
    print("|---|---|---|---|---|---|---|---|")
    tables = []
    for meaning in args.meaning:
        t0 = time.perf_counter()
        runtime = load_runtime(replace(base, meaning_model=meaning))
        for lang in LANGS:
            runtime.understanding.matcher(lang)
        built = time.perf_counter() - t0
        main_menu = runtime.flows.nodes["main.menu"]
        targets = list(everywhere(runtime, main_menu))
        for part in args.part:
            for lang in LANGS:
                labelled = caller_set(lang, part)
                result = evaluate_dialog(runtime, labelled, part)
                wall, cpu = [], []
                for r, case in enumerate(labelled.cases):
                    text = f"{case['text']} {'x' * (r % 3 + 1)}"  # a sentence not seen before
                    w, c = time.perf_counter(), time.process_time()
                    runtime.understanding.global_intent(text, lang)
                    runtime.understanding.decide(text, lang, targets)
                    wall.append((time.perf_counter() - w) * 1000)
                    cpu.append((time.process_time() - c) * 1000)
                print(
                    f"| {meaning} | {part} | {lang} | {result.rate(RIGHT):.1%} | {result.rate(CLARIFY):.1%} "
                    f"| {result.rate(WRONG):.1%} | {result.rate(WRONG, 'out'):.1%} "
                    f"| {statistics.median(wall):.1f} / {_pct(wall, 0.95):.1f} ({statistics.median(cpu):.1f}) |",
                    flush=True,
                )
                if args.confusion and part == "test":
                    tables.append(f"\n#### {meaning}, {part}, {lang}\n\n{confusion_markdown(result)}")
        print(f"<!-- {meaning}: runtime and matchers built in {built:.1f} s -->")
    print("\n".join(tables))
    return 0


if __name__ == "__main__":
    sys.exit(main())
