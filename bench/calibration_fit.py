"""Fit the intent decision (nlu/hybrid.py CalibratedDecider) on the caller sentences, and
measure it against the hand-set decision by cross-validation, in the dialog.

Run: .venv/bin/python bench/calibration_fit.py [--folds 5] [--write] [--meaning use-m3]

1. Every caller sentence of tests/nlu/data/callers (dev and dev2, fr/en/es) is said at the
   main menu through the engine; every question the engine asks the matcher about it is
   kept (the sentence, the intents allowed, the sorting guide's evidence).
2. Folds by sentence (not by intent): for each fold, a logistic regression is fitted on the
   other folds' evidence (one row per intent asked about; label: that intent is a right
   answer for the sentence), its bars chosen on the same training sentences (most right
   answers, a wrong one costing WRONG_COST right ones, OOS_COST for an out-of-scope one), then the fold's sentences are said
   again through the engine with the fitted decision: right / asked back / wrong.
3. The hand decision on the same sentences, side by side.
4. `--write`: the decision fitted on every sentence goes to nlu/intent_calibration.yaml.

Both halves are tuned on: these figures are not a held-out result (see bench/README.md).
"""

from __future__ import annotations

import argparse
import logging
import random
import sys
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from civicline.callers_eval import (  # noqa: E402
    CLARIFY,
    PARTS,
    RIGHT,
    SERVICE_OF_INTENT,
    WRONG,
    LanguageResult,
    caller_set,
    evaluate_dialog,
)
from civicline.config import load_config  # noqa: E402
from civicline.wiring import load_runtime  # noqa: E402
from flows.understanding import GLOBAL_INTENTS  # noqa: E402
from nlu.eval import LabelledSet  # noqa: E402
from nlu.hybrid import CALIBRATION_FILE, FEATURES, CalibratedDecider, Gathered, HandDecider  # noqa: E402

LANGS = ("fr", "en", "es")
WRONG_COST = 3.0  # a wrong answer is worth this many right ones lost to a question back
OOS_COST = 10.0  # a service answered to a question the town does not handle here, likewise
L2 = 1.0  # on the sum of the log-losses
MATCH_GRID = np.round(np.arange(0.30, 0.91, 0.025), 3)
PAIR_GRID = np.round(np.arange(0.30, 0.96, 0.1), 3)
SECOND_GRID = (0.1, 0.2, 0.3)
MARGIN_GRID = (0.0, 0.1, 0.2, 0.3)


@dataclass
class Asked:
    """One question the engine asked the matcher about a sentence."""

    everything: bool  # the check for a global request (every intent)
    gathered: Gathered
    X: Any
    y: Any


@dataclass
class Sentence:
    lang: str
    part: str
    case: dict[str, Any]
    asked: list[Asked]


def right_answer(intent: str, case: dict[str, Any]) -> bool:
    expected = str(case["intent"])
    if expected == "none":
        return False
    if intent == expected:
        return True
    if expected == "waste.sorting":
        return SERVICE_OF_INTENT.get(intent) in set(case.get("goes") or ())
    return False


def collect(runtime: Any) -> list[Sentence]:
    sentences: list[Sentence] = []
    current: list[Asked] = []
    for lang in LANGS:
        matcher = runtime.understanding.matcher(lang)
        plain = matcher.decide

        def recording(text: str, only: Any = None, *, boost: Any = None, _m: Any = matcher, _p: Any = plain) -> Any:
            gathered = _m.gather(text, only, boost)
            current.append(Asked(only is None, gathered, np.array(gathered.features()), None))
            return _p(text, only, boost=boost)

        matcher.decide = recording
        for part in PARTS:
            labelled = caller_set(lang, part)
            for case in labelled.cases:
                current.clear()
                evaluate_dialog(runtime, LabelledSet(lang, labelled.now, [case]), part)
                asked = []
                for a in current:
                    y = np.array([right_answer(e.intent, case) for e in a.gathered.evidence], dtype=float)
                    asked.append(replace(a, y=y))
                sentences.append(Sentence(lang, part, case, asked))
        matcher.decide = plain
    return sentences


def fit_logistic(X: Any, y: Any, l2: float = L2, steps: int = 50) -> tuple[Any, float]:
    """Logistic regression by Newton's method, L2 on the weights (not the bias)."""
    A = np.hstack([X, np.ones((len(X), 1))])
    w = np.zeros(A.shape[1])
    reg = np.full(A.shape[1], l2)
    reg[-1] = 0.0
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-np.clip(A @ w, -30, 30)))
        grad = A.T @ (p - y) + reg * w
        hess = (A * (p * (1 - p))[:, None]).T @ A + np.diag(reg + 1e-9)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-7:
            break
    return w[:-1], float(w[-1])


def first_questions(sentences: list[Sentence], w: Any, b: float) -> list[list[tuple[bool, float, float, str, int]]]:
    """Per sentence, its first two questions (the global check, then the menu) under this
    regression: (global check?, best probability, second's, best intent, intents asked)."""
    out = []
    for s in sentences:
        rows = []
        for a in s.asked[:2]:
            if not len(a.X):
                continue
            p = 1.0 / (1.0 + np.exp(-np.clip(a.X @ w + b, -30, 30)))
            order = np.argsort(-p)
            sec = float(p[order[1]]) if len(p) > 1 else 0.0
            rows.append((a.everything, float(p[order[0]]), sec, a.gathered.evidence[order[0]].intent, len(p)))
        out.append(rows)
    return out


def simulated_verdicts(
    sentences: list[Sentence], firsts: Any, match: float, pair: float, second: float, margin: float
) -> list[str]:
    """Right / clarify / wrong of each sentence, as the engine would decide its first two
    questions with these bars."""
    out = []
    for s, rows in zip(sentences, firsts, strict=True):
        heard = "none"
        for everything, best, sec, intent, n in rows:
            sure = best >= match and best - sec >= margin
            if everything:
                if sure and intent in GLOBAL_INTENTS:
                    heard = intent
                    break
                continue
            if sure:
                heard = intent
            elif n > 1 and best + sec >= pair and sec >= second:
                heard = "clarify"
            break
        out.append(_verdict(s.case, heard))
    return out


def _verdict(case: dict[str, Any], heard: str) -> str:
    if case["intent"] == "none":
        return RIGHT if heard in ("none", "human") else CLARIFY if heard == "clarify" else WRONG
    if heard in ("none", "clarify"):
        return CLARIFY
    return RIGHT if right_answer(heard, case) else WRONG


def fit(sentences: list[Sentence], wrong_cost: float = WRONG_COST, oos_cost: float = OOS_COST) -> CalibratedDecider:
    X = np.vstack([a.X for s in sentences for a in s.asked if len(a.X)])
    y = np.concatenate([a.y for s in sentences for a in s.asked if len(a.X)])
    w, b = fit_logistic(X, y)
    firsts = first_questions(sentences, w, b)
    best: tuple[float, ...] | None = None
    for match in MATCH_GRID:
        for margin in MARGIN_GRID:
            for pair in PAIR_GRID:
                for second in SECOND_GRID:
                    v = simulated_verdicts(sentences, firsts, match, pair, second, margin)
                    utility = sum(
                        1.0 if x == RIGHT else -(oos_cost if s.case["intent"] == "none" else wrong_cost)
                        for x, s in zip(v, sentences, strict=True) if x != CLARIFY
                    )
                    if best is None or utility > best[0]:
                        best = (utility, float(match), float(pair), float(second), float(margin))
    assert best is not None
    return CalibratedDecider(tuple(float(x) for x in w), b, *best[1:])


def measure(runtime: Any, sentences: list[Sentence], deciders: dict[str, Any]) -> dict[str, LanguageResult]:
    """The sentences said through the engine again, each language with its decider."""
    results: dict[str, LanguageResult] = {}
    by: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for s in sentences:
        by[(s.lang, s.part)].append(s.case)
    for (lang, part), cases in by.items():
        matcher = runtime.understanding.matcher(lang)
        kept = matcher.decider
        matcher.decider = deciders[lang]
        try:
            got = evaluate_dialog(runtime, LabelledSet(lang, caller_set(lang, part).now, cases), part)
        finally:
            matcher.decider = kept
        results.setdefault(lang, LanguageResult(lang, "cv")).heard.extend(got.heard)
    return results


def line(name: str, results: dict[str, LanguageResult]) -> str:
    cells = []
    for lang in LANGS:
        r = results[lang]
        cells.append(
            f"{r.rate(RIGHT):.1%} / {r.rate(CLARIFY):.1%} / {r.rate(WRONG):.1%} (oos wrong {r.rate(WRONG, 'out'):.1%})"
        )
    return f"| {name} | " + " | ".join(cells) + " |"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--meaning", default="use-m3")
    parser.add_argument("--wrong-cost", type=float, default=WRONG_COST, help="right answers a wrong one is worth")
    parser.add_argument("--oos-cost", type=float, default=OOS_COST, help="same, for an out-of-scope question")
    parser.add_argument("--no-emergency", action="store_true",
                        help="leave the emergency detector out (its meaning bars are set for use-m3)")
    parser.add_argument("--write", action="store_true", help=f"write the fit on all sentences to {CALIBRATION_FILE.name}")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    runtime = load_runtime(replace(load_config(ROOT / "civicline.toml", env={}), meaning_model=args.meaning))
    assert runtime.understanding is not None
    if args.no_emergency:
        runtime.understanding.emergency = lambda text, lang: None  # type: ignore[method-assign]
    for lang in LANGS:
        matcher = runtime.understanding.matcher(lang)
        if not hasattr(matcher, "gather"):
            parser.error(f"{args.meaning}: no sentence encoder loaded (is its package installed?)")
        matcher.decider = HandDecider()
    sentences = collect(runtime)
    print(f"{len(sentences)} sentences, {sum(len(s.asked) for s in sentences)} questions to the matcher")
    order = list(range(len(sentences)))
    random.Random(args.seed).shuffle(order)
    folds = [[sentences[i] for i in order[k :: args.folds]] for k in range(args.folds)]
    cv: dict[str, LanguageResult] = {lang: LanguageResult(lang, "cv") for lang in LANGS}
    for k, held in enumerate(folds):
        train = [s for j, f in enumerate(folds) if j != k for s in f]
        decider = fit(train, args.wrong_cost, args.oos_cost)
        print(f"fold {k}: match {decider.match} margin {decider.margin} pair {decider.pair} second {decider.second}",
              flush=True)
        for lang, r in measure(runtime, held, dict.fromkeys(LANGS, decider)).items():
            cv[lang].heard.extend(r.heard)
    hand = measure(runtime, sentences, dict.fromkeys(LANGS, HandDecider()))
    print("\n| decision (dev + dev2, tuned on) | fr right / asked back / wrong | en | es |")
    print("|---|---|---|---|")
    print(line("hand bars (a·words + (1−a)·meaning)", hand))
    print(line(f"calibrated, {args.folds}-fold cross-validation by sentence", cv))
    final = fit(sentences, args.wrong_cost, args.oos_cost)
    print("\nfitted on all:", dict(zip(FEATURES, np.round(final.weights, 3), strict=True)), "bias", round(final.bias, 3),
          "match", final.match, "margin", final.margin, "pair", final.pair, "second", final.second)
    if args.write:
        write(final, args.meaning, len(sentences))
    return 0


def write(decider: CalibratedDecider, encoder: str, n: int) -> None:
    data: dict[str, Any] = {}
    if CALIBRATION_FILE.exists():
        data = yaml.safe_load(CALIBRATION_FILE.read_text(encoding="utf-8")) or {}
    data.setdefault("encoders", {})[encoder] = {
        "features": list(FEATURES),
        "weights": [round(w, 5) for w in decider.weights],
        "bias": round(decider.bias, 5),
        "match": decider.match,
        "pair": decider.pair,
        "second": decider.second,
        "margin": decider.margin,
        "fitted_on": f"{n} caller sentences (tests/nlu/data/callers dev + dev2, fr/en/es), {date.today().isoformat()}",
    }
    head = (
        "# The intent decision of nlu/hybrid.py (CalibratedDecider), per sentence encoder: a logistic\n"
        "# regression over the evidence of each intent, and the bars of a match and of a question\n"
        "# back. Written by `python bench/calibration_fit.py --write`; do not edit by hand.\n"
    )
    CALIBRATION_FILE.write_text(head + yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    print(f"written: {CALIBRATION_FILE}")


if __name__ == "__main__":
    sys.exit(main())
