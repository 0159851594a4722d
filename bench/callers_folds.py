"""The hand decision's bars by leave-one-set-out folds over the caller sets.

Run: .venv/bin/python bench/callers_folds.py [--wrong-cost 1] [--oos-cost 2] [--chosen-only] [--languages fr,en,es,it]

The caller sentences of tests/nlu/data/callers come in three tuned-on sets per language (dev,
dev2, dev3; the held-out test_* is never read here). In turn, each set is left out: the bars of the hand decision (nlu.hybrid.Calibration)
are chosen on the other two (the most right answers, a wrong answer in scope costing
`--wrong-cost` right ones (default 1), an out-of-scope question answered `--oos-cost`), then the
left-out set is said through the engine and the demo town with those bars, side by side with
the bars before the regression (`BEFORE`). Choosing is done on the evidence each sentence
gathers once (the global check over every request, then the main menu's requests, as the
engine does; an object's service approximated by its intent); only the left-out set's
figures, measured in the dialog, are reported per fold. Last, the bars chosen on all three
sets (what nlu.hybrid ships; the sets are all tuned-on material, a fresh held-out set
measures it).
"""

from __future__ import annotations

import argparse
import itertools
import logging
import sys
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from civicline.callers_eval import CLARIFY, RIGHT, WRONG, caller_set, evaluate_dialog, verdict  # noqa: E402
from civicline.config import load_config  # noqa: E402
from civicline.wiring import load_runtime  # noqa: E402
from flows.dialog.menu import everywhere  # noqa: E402
from flows.model import MenuNode  # noqa: E402
from flows.understanding import GLOBAL_INTENTS, SORTING_BOOST, SORTING_INTENT  # noqa: E402
from nlu.hybrid import Calibration, Gathered, HandDecider  # noqa: E402

LANGS = ("fr", "en", "es")
PARTS = ("dev", "dev2", "dev3")  # tuned on; test_* is held out and never read here
# The bars before the regression, for the side by side.
BEFORE = Calibration(regression_weight=0.0, match=0.52, margin=0.07, floor=0.45,
                     out_of_scope_lead=0.05, out_of_scope_probability_lead=None, clear_words=2.0)
GRID = {
    "match": (0.6, 0.65, 0.7, 0.75),
    "margin": (0.06, 0.1),
    "out_of_scope_lead": (0.0, 0.05),
    "out_of_scope_probability_lead": (0.0, 0.2),
}


def gathered(runtime, lang: str, part: str, targets: list[str]) -> list[tuple[dict, Gathered, Gathered]]:
    understanding = runtime.understanding
    matcher = understanding.matcher(lang)
    out = []
    for case in caller_set(lang, part).cases:
        text = str(case["text"])
        named = understanding.sorting_object(text, lang) is not None
        every = matcher.gather(text, None, {SORTING_INTENT: SORTING_BOOST} if named else None, detailed=False)
        menu = Gathered(tuple(e for e in every.evidence if e.intent in targets), every.out_of_scope,
                        every.out_of_scope_probability)
        out.append((case, every, menu))
    return out


def heard(decider: HandDecider, every: Gathered, menu: Gathered) -> str:
    first = decider.decide(every)
    if first.kind == "match" and first.intent in GLOBAL_INTENTS:
        return str(first.intent)
    decision = decider.decide(menu)
    if decision.kind == "match" and decision.intent:
        return decision.intent
    return "clarify" if decision.kind == "ambiguous" else "not_understood"


def objective(cases, calibration: Calibration, wrong_cost: float, oos_cost: float) -> float:
    decider = HandDecider(calibration)
    total = 0.0
    for group in cases:
        ins = [c for c in group if c[0]["intent"] != "none"]
        outs = [c for c in group if c[0]["intent"] == "none"]
        v_in = [verdict(c, heard(decider, e, m)) for c, e, m in ins]
        v_out = [verdict(c, heard(decider, e, m)) for c, e, m in outs]
        total += (v_in.count(RIGHT) - wrong_cost * v_in.count(WRONG)) / max(1, len(v_in))
        total -= oos_cost * v_out.count(WRONG) / max(1, len(v_out))
    return total


def choose(cases, wrong_cost: float, oos_cost: float) -> Calibration:
    names = list(GRID)
    candidates = [replace(Calibration(), **dict(zip(names, values, strict=True)))
                  for values in itertools.product(*GRID.values())]
    return max(candidates, key=lambda c: objective(cases, c, wrong_cost, oos_cost))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wrong-cost", type=float, default=1.0)
    parser.add_argument("--oos-cost", type=float, default=2.0)
    parser.add_argument("--chosen-only", action="store_true", help="leave out the side by side with BEFORE")
    parser.add_argument("--languages", default="", help="CIVICLINE_LANGUAGES (fr,en,es,it adds Italian's dev set)")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    env = {"CIVICLINE_LANGUAGES": args.languages} if args.languages else {}
    runtime = load_runtime(load_config(ROOT / "civicline.toml", env=env))
    main_menu = runtime.flows.nodes["main.menu"]
    assert isinstance(main_menu, MenuNode)
    targets = list(everywhere(runtime, main_menu))
    understanding = runtime.understanding
    assert understanding is not None
    evidence = {(lang, part): gathered(runtime, lang, part, targets) for lang in LANGS for part in PARTS}
    print("| left out | lang | bars | right | asked back | wrong | out of scope wrong |")
    print("|---|---|---|---|---|---|---|")
    for left_out in PARTS:
        tuned = [evidence[(lang, p)] for lang in LANGS for p in PARTS if p != left_out]
        chosen = choose(tuned, args.wrong_cost, args.oos_cost)
        print(f"<!-- {left_out} left out: {chosen} -->")
        for lang in LANGS:
            pairs = (("chosen", chosen),) if args.chosen_only else (("before", BEFORE), ("chosen", chosen))
            for name, calibration in pairs:
                understanding.matcher(lang).decider = HandDecider(calibration)
                r = evaluate_dialog(runtime, caller_set(lang, left_out), left_out)
                print(f"| {left_out} | {lang} | {name} | {r.rate(RIGHT):.1%} | {r.rate(CLARIFY):.1%} "
                      f"| {r.rate(WRONG):.1%} | {r.rate(WRONG, 'out'):.1%} |", flush=True)
    every = choose(list(evidence.values()), args.wrong_cost, args.oos_cost)
    print(f"\nchosen on all three sets (tuned on): {every}")
    if "it" in understanding.catalogs.languages:  # one Italian set (dev_it): no folds, the shipped bars
        understanding.matcher("it").decider = HandDecider(Calibration())
        r = evaluate_dialog(runtime, caller_set("it", "dev"), "dev")
        print(f"| dev (tuned on, shipped bars) | it | {r.rate(RIGHT):.1%} | {r.rate(CLARIFY):.1%} "
              f"| {r.rate(WRONG):.1%} | {r.rate(WRONG, 'out'):.1%} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
