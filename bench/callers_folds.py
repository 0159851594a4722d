"""Understanding callers by leave-one-set-out folds over the tuned-on caller sets: the intent
regression taught the other sets' sentences, the hand decision's bars chosen on them.

Run: .venv/bin/python bench/callers_folds.py [--parts dev,dev2,dev3,dev4,dev5,dev6,dev7,dev8,dev9,dev10,dev11] [--languages fr,en,es,it]
         [--train callers|none] [--wrong-cost 1] [--oos-cost 2]
     .venv/bin/python bench/callers_folds.py --shipped [--code DIR]   (the code as it is, no folds)

The caller sentences of tests/nlu/data/callers come in tuned-on sets (dev to dev11;
Italian has dev and dev4 to dev11); the held-out set is
never read here. In turn, each set is left out, in every language at once (the sets are
partly translations of one another): the intent regression is fitted on the catalogs'
examples and the other sets' sentences (`--train callers`; `none`: the examples alone), the
bars of the hand decision (nlu.hybrid.Calibration) are chosen on the other sets (the most
right answers, a wrong answer in scope costing `--wrong-cost` right ones, an out-of-scope
question answered `--oos-cost`), then the left-out set is said through the engine and the demo
town. Choosing is done on the evidence each sentence gathers once (the global check over every
request, then the main menu's requests, as the engine does), with a regression that has not
seen that sentence's set nor the left-out one (nested: no set chooses bars on evidence its own
sentences produced). Last, the bars chosen on every set's evidence from a regression fitted
without that set: what nlu.hybrid ships. `--shipped` says every set through the code as it is
(`--code`: another checkout's, for the side by side with main).
"""

from __future__ import annotations

import argparse
import itertools
import logging
import sys
import time
from dataclasses import replace
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]
DATA = HERE / "tests" / "nlu" / "data" / "callers"
LANGS = ("fr", "en", "es", "it")
PARTS = ("dev", "dev2", "dev3", "dev4", "dev5", "dev6", "dev7", "dev8", "dev9", "dev10", "dev11")
GRID = {
    "regression_weight": (0.3, 0.5),
    "match": (0.6, 0.65, 0.7, 0.75, 0.8),
    "margin": (0.06, 0.1),
    "out_of_scope_lead": (-0.05, 0.0, 0.05),
    "out_of_scope_probability_lead": (-0.1, 0.0, 0.2),
}


def set_path(lang: str, part: str) -> Path | None:
    """A tuned-on set's file, or None when the language lacks it."""
    path = DATA / f"{part}_{lang}.yaml"
    return path if path.exists() else None


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", default=",".join(PARTS), help="the tuned-on sets, comma-separated")
    parser.add_argument("--languages", default=",".join(LANGS), help="languages offered (CIVICLINE_LANGUAGES)")
    parser.add_argument("--train", choices=("callers", "nearest", "none"), default="callers",
                        help="nearest: the sentences are nearest examples too")
    parser.add_argument("--wrong-cost", type=float, default=1.0)
    parser.add_argument("--oos-cost", type=float, default=2.0)
    parser.add_argument("--shipped", action="store_true", help="the code as it is on every set, no folds")
    parser.add_argument("--code", type=Path, default=HERE, help="the checkout whose code runs (--shipped)")
    return parser.parse_args()


def main() -> int:
    args = arguments()
    sys.path.insert(0, str(args.code.resolve()))
    logging.disable(logging.WARNING)
    from civicline.config import load_config
    from civicline.wiring import load_runtime

    parts = tuple(p for p in args.parts.split(",") if p)
    langs = tuple(lang for lang in args.languages.split(",") if lang)
    runtime = load_runtime(load_config(args.code / "civicline.toml", env={"CIVICLINE_LANGUAGES": ",".join(langs)}))
    if args.shipped:
        return shipped(runtime, parts, langs)
    return folds(runtime, parts, langs, args)


def shipped(runtime, parts: tuple[str, ...], langs: tuple[str, ...]) -> int:
    from civicline.callers_eval import CLARIFY, RIGHT, WRONG, evaluate_dialog
    from nlu.eval import load_labelled

    print("| set | lang | right | asked back | wrong | out of scope wrong |")
    print("|---|---|---|---|---|---|")
    for part in parts:
        for lang in langs:
            path = set_path(lang, part)
            if path is not None:
                r = evaluate_dialog(runtime, load_labelled(path), part)
                print(f"| {part} | {lang} | {r.rate(RIGHT):.1%} | {r.rate(CLARIFY):.1%} | {r.rate(WRONG):.1%} "
                      f"| {r.rate(WRONG, 'out'):.1%} |", flush=True)
    return 0


def folds(runtime, parts: tuple[str, ...], langs: tuple[str, ...], args: argparse.Namespace) -> int:
    from civicline.callers_eval import CLARIFY, RIGHT, WRONG, evaluate_dialog, labelled_sentences
    from flows.dialog.menu import everywhere
    from flows.model import MenuNode
    from nlu.eval import load_labelled
    from nlu.hybrid import Calibration, HandDecider

    understanding = runtime.understanding
    main_menu = runtime.flows.nodes["main.menu"]
    assert isinstance(main_menu, MenuNode)
    targets = list(everywhere(runtime, main_menu))
    sets = {(lang, p): load_labelled(path) for lang in langs for p in parts if (path := set_path(lang, p))}

    def teach(without: set[str]) -> None:
        """The regression fitted on the catalogs and the sets not in `without`."""
        taught: dict[str, list[str]] = {}
        understanding.caller_sentences_nearest = args.train == "nearest"
        if args.train != "none":
            for lang in LANGS:
                for intent, phrases in labelled_sentences(lang, [p for p in parts if p not in without]).items():
                    taught.setdefault(intent, []).extend(phrases)
        understanding._caller_sentences = taught
        understanding._matchers.clear()

    def gather(part: str) -> list:
        """One group per language."""
        return [gathered(understanding, lang, sets[(lang, part)], targets) for lang in langs if (lang, part) in sets]

    started = time.perf_counter()
    # evidence[(part, frozenset(without))]: the part's sentences, one group per language, the
    # regression fitted without those sets
    evidence: dict[tuple[str, frozenset[str]], list] = {}
    for pair in itertools.combinations(parts, 2):
        teach(set(pair))
        for part in pair:
            evidence[(part, frozenset(pair))] = gather(part)
    for part in parts:
        teach({part})
        evidence[(part, frozenset({part}))] = gather(part)
    print(f"<!-- evidence gathered in {time.perf_counter() - started:.0f} s -->", flush=True)

    print("| left out | lang | right | asked back | wrong | out of scope wrong |")
    print("|---|---|---|---|---|---|")
    for left_out in parts:
        tuned = [g for p in parts if p != left_out for g in evidence[(p, frozenset({p, left_out}))]]
        chosen = choose(tuned, args.wrong_cost, args.oos_cost, Calibration, HandDecider)
        print(f"<!-- {left_out} left out: {chosen} -->", flush=True)
        teach({left_out})
        for lang in langs:
            if (lang, left_out) not in sets:
                continue
            understanding.matcher(lang).decider = HandDecider(chosen)
            r = evaluate_dialog(runtime, sets[(lang, left_out)], left_out)
            print(f"| {left_out} | {lang} | {r.rate(RIGHT):.1%} | {r.rate(CLARIFY):.1%} "
                  f"| {r.rate(WRONG):.1%} | {r.rate(WRONG, 'out'):.1%} |", flush=True)
    every = choose([g for p in parts for g in evidence[(p, frozenset({p}))]], args.wrong_cost, args.oos_cost,
                   Calibration, HandDecider)
    print(f"\nchosen on every set's evidence, each from a regression fitted without it (tuned on): {every}")
    return 0


def gathered(understanding, lang: str, labelled, targets: list[str]) -> list:
    from flows.understanding import SORTING_BOOST, SORTING_INTENT
    from nlu.hybrid import Gathered

    matcher = understanding.matcher(lang)
    out = []
    for case in labelled.cases:
        text = str(case["text"])
        named = understanding.sorting_object(text, lang) is not None
        every = matcher.gather(text, None, {SORTING_INTENT: SORTING_BOOST} if named else None, detailed=False)
        menu = Gathered(tuple(e for e in every.evidence if e.intent in targets), every.out_of_scope,
                        every.out_of_scope_probability)
        out.append((case, every, menu))
    return out


def heard(decider, every, menu) -> str:
    from flows.understanding import GLOBAL_INTENTS

    first = decider.decide(every)
    if first.kind == "match" and first.intent in GLOBAL_INTENTS:
        return str(first.intent)
    decision = decider.decide(menu)
    if decision.kind == "match" and decision.intent:
        return decision.intent
    return "clarify" if decision.kind == "ambiguous" else "not_understood"


def objective(groups, calibration, wrong_cost: float, oos_cost: float, decider_class) -> float:
    """Per set: right minus the costed wrong answers (in scope), minus the costed out-of-scope
    questions answered, each as a share of its set (every language's sentences together)."""
    from civicline.callers_eval import RIGHT, WRONG, verdict

    decider = decider_class(calibration)
    total = 0.0
    for group in groups:
        ins = [verdict(c, heard(decider, e, m)) for c, e, m in group if c["intent"] != "none"]
        outs = [verdict(c, heard(decider, e, m)) for c, e, m in group if c["intent"] == "none"]
        total += (ins.count(RIGHT) - wrong_cost * ins.count(WRONG)) / max(1, len(ins))
        total -= oos_cost * outs.count(WRONG) / max(1, len(outs))
    return total


def choose(groups, wrong_cost: float, oos_cost: float, calibration_class, decider_class):
    names = list(GRID)
    candidates = [replace(calibration_class(), **dict(zip(names, values, strict=True)))
                  for values in itertools.product(*GRID.values())]
    return max(candidates, key=lambda c: objective(groups, c, wrong_cost, oos_cost, decider_class))


if __name__ == "__main__":
    sys.exit(main())
