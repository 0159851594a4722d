"""Intents from words and from meaning together, with a calibrated "not sure".

For every intent allowed at a question the matcher gathers its evidence: the word
matcher's score (nlu.intents: exact about the words a caller uses, blind to other
wordings), the cosine of the sentence with the intent's nearest example in a multilingual
sentence-embedding space (nlu.semantic; every language's examples count), the intent's
share of the sentence's nearest examples, how far each leads the best other intent, how
much nearer it is than the nearest question the town does not answer, and whether the
sentence names something of the intent's (an object of the sorting guide), and how much of
the sentence's words the intent's vocabulary explains (alone, among those asked). Street names
and numbers play no part: the word matcher ignores numbers and unknown words, and the
slots (addresses, dates) are read by their own exact parsers afterwards.

A catalog may list, under the pseudo-intent ``out_of_scope``, questions the town does not
answer here (a passport, the weather): a sentence nearest to those is not understood
rather than sent to the nearest service.

Two ways to decide from that evidence, same interface:

- ``CalibratedDecider`` (the default when nlu/intent_calibration.yaml has weights for the
  encoder): a logistic regression gives each intent the probability that it is what the
  caller wants, fitted on the labelled caller sentences (`bench/calibration_fit.py`, by
  cross-validation over sentences); a probable best is a match, two together probable are
  asked back ("did you mean A or B?"), else "not understood";
- ``HandDecider`` (the one in use): a·words + (1−a)·meaning + r·probability, where the
  probability is that of a multinomial regression on the sentence's vector fitted on the
  catalogs' examples and the callers' labelled sentences given (nlu.intent_regression), with
  bars chosen by leave-one-set-out folds over the caller sets (bench/callers_folds.py).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import yaml

from nlu.intent_regression import IntentRegression
from nlu.intents import OUT_OF_SCOPE, IntentDecision, IntentMatcher, IntentScore
from nlu.semantic import SemanticIndex, SentenceEncoder

__all__ = [
    "FEATURES",
    "OUT_OF_SCOPE",
    "CalibratedDecider",
    "Calibration",
    "Decider",
    "Evidence",
    "HandDecider",
    "HybridMatcher",
    "load_calibrated",
]

CALIBRATION_FILE = Path(__file__).with_name("intent_calibration.yaml")
NEIGHBOURS = 8  # nearest examples that vote
# A cosine stands in for the out-of-scope examples' when a catalog has none: no evidence.
NO_OUT_OF_SCOPE = 0.3
# The out-of-scope class this much more probable than the best request: the sentence is
# judged a question the town does not answer (IntentDecision.out_of_scope).
JUDGED_OUT_OF_SCOPE = 0.3

FEATURES = (
    "words",  # the word matcher's score, 0..1
    "meaning",  # cosine with the nearest example
    "words_lead",  # words minus the best other intent's
    "meaning_lead",  # meaning minus the best other intent's
    "neighbours",  # share of the k nearest examples
    "above_out_of_scope",  # meaning minus the nearest out-of-scope example's cosine
    "named",  # evidence from elsewhere (an object of the sorting guide), 0..1
    "words_top",  # 1 when no other intent has more words
    "meaning_top",  # 1 when no other intent is nearer
    "mixed",  # the hand mix: 0.4·words + 0.6·meaning mapped from [0.3, 0.85] to [0, 1]
    "mixed_lead",  # the mix minus the best other intent's
    "explained",  # share of the sentence's known words the intent's vocabulary explains
    "explained_alone",  # share only this intent's vocabulary explains among those asked
)


@dataclass(frozen=True)
class Evidence:
    """What speaks for one intent."""

    intent: str
    words: float
    meaning: float
    neighbours: float
    named: float = 0.0
    explained: float = 0.0
    explained_alone: float = 0.0
    probability: float = 0.0  # the regression's, over every request (nlu.intent_regression)


@dataclass(frozen=True)
class Gathered:
    """The evidence of every intent allowed, and how near the out-of-scope examples are
    (the nearest one's cosine, and the regression's probability of that class)."""

    evidence: tuple[Evidence, ...]
    out_of_scope: float | None
    out_of_scope_probability: float | None = None

    def features(self) -> list[list[float]]:
        """One row per intent, in FEATURES' order."""
        rows = []
        ev = self.evidence
        oos = self.out_of_scope if self.out_of_scope is not None else NO_OUT_OF_SCOPE
        mixed = [_mix(e) for e in ev]
        for k, e in enumerate(ev):
            other_mixed = max((x for j, x in enumerate(mixed) if j != k), default=0.0)
            other_words = max((x.words for j, x in enumerate(ev) if j != k), default=0.0)
            other_meaning = max((x.meaning for j, x in enumerate(ev) if j != k), default=0.0)
            rows.append([
                e.words,
                e.meaning,
                e.words - other_words,
                e.meaning - other_meaning,
                e.neighbours,
                e.meaning - oos,
                e.named,
                1.0 if e.words >= other_words and e.words > 0 else 0.0,
                1.0 if e.meaning >= other_meaning else 0.0,
                mixed[k],
                mixed[k] - other_mixed,
                e.explained,
                e.explained_alone,
            ])
        return rows


def _mix(e: Evidence) -> float:
    c = Calibration()
    meaning = min(1.0, max(0.0, (e.meaning - c.low) / (c.high - c.low)))
    return c.fuzzy_weight * e.words + (1 - c.fuzzy_weight) * meaning


class Decider(Protocol):
    detailed: bool  # uses the neighbours' votes and the words explained (they cost time)

    def decide(self, gathered: Gathered) -> IntentDecision: ...


@dataclass(frozen=True)
class Calibration:
    fuzzy_weight: float = 0.4
    low: float = 0.3  # a cosine at or below this is no evidence
    high: float = 0.85  # a cosine at or above this is as good as the example itself
    # The regression's probability (nlu.intent_regression) adds this much, times itself,
    # to each intent's score: it ranks better than the nearest example alone.
    regression_weight: float = 0.5
    match: float = 0.6  # combined score of a match
    margin: float = 0.1  # ahead of the runner-up by at least this, or ask which
    floor: float = 0.35  # below this, not understood; between floor and match, ask
    # Words never prove a question is ours ("how much is the school canteen" has a fee's
    # words): a best whose nearest example is not nearer than the nearest out-of-scope
    # example's by at least minus this is not understood (-0.05: it must be 0.05 nearer).
    out_of_scope_lead: float = -0.05
    # ... and so is a best the regression finds less probable than the out-of-scope class
    # plus this (-0.1: an out-of-scope class within 0.1 of the best is enough; None: not used).
    out_of_scope_probability_lead: float | None = -0.1
    # Words that say one request clearly (this sure, this far ahead of any other's words)
    # are a match below the bar, unless an out-of-scope example is nearer by `0.05`.
    clear_words: float = 0.9
    clear_words_lead: float = 0.3


class HandDecider:
    """a·words + (1−a)·meaning + r·probability, with bars chosen on the caller sets by
    leave-one-set-out folds (bench/callers_folds.py)."""

    detailed = False  # needs neither the neighbours' votes nor the words explained

    def __init__(self, calibration: Calibration | None = None) -> None:
        self.calibration = calibration or Calibration()

    def _meaning(self, cosine: float) -> float:
        c = self.calibration
        return min(1.0, max(0.0, (cosine - c.low) / (c.high - c.low)))

    def scores(self, gathered: Gathered) -> dict[str, float]:
        c = self.calibration
        out = {
            e.intent: c.fuzzy_weight * e.words + (1 - c.fuzzy_weight) * self._meaning(e.meaning) + e.named
            + c.regression_weight * _probability(e)
            for e in gathered.evidence
        }
        if gathered.out_of_scope is not None:
            # Words never prove a question is not ours: meaning alone, on the same scale.
            out[OUT_OF_SCOPE] = ((1 - c.fuzzy_weight) * self._meaning(gathered.out_of_scope) + c.fuzzy_weight * 0.5
                                 + c.regression_weight * (gathered.out_of_scope_probability or 0.0))
        return out

    def decide(self, gathered: Gathered) -> IntentDecision:
        c = self.calibration
        scored = sorted(self.scores(gathered).items(), key=lambda kv: (-kv[1], kv[0]))
        ranked = [IntentScore(i, round(100.0 * min(1.0, s), 1)) for i, s in scored if i != OUT_OF_SCOPE]
        if not ranked:
            return IntentDecision("none", ranked)
        top = next(e for e in gathered.evidence if e.intent == ranked[0].intent)
        nearer_out = gathered.out_of_scope is not None and gathered.out_of_scope > top.meaning + c.out_of_scope_lead
        likelier_out = (c.out_of_scope_probability_lead is not None and gathered.out_of_scope_probability is not None
                        and gathered.out_of_scope_probability > _probability(top) + c.out_of_scope_probability_lead)
        # Judged a question the town does not answer (not merely not understood): its
        # nearest example is an out-of-scope one, or the regression clearly says so. An
        # address said alone is near no request but is not judged so.
        judged = (gathered.out_of_scope is not None and gathered.out_of_scope > top.meaning) or (
            gathered.out_of_scope_probability is not None
            and gathered.out_of_scope_probability > _probability(top) + JUDGED_OUT_OF_SCOPE)
        if scored[0][0] == OUT_OF_SCOPE or scored[0][1] < c.floor:
            return IntentDecision("none", ranked, out_of_scope=judged)
        best = scored[0][1]
        if nearer_out:
            return IntentDecision("none", ranked, out_of_scope=judged)
        if self._clear_words(gathered, top):
            return IntentDecision("match", ranked)
        if likelier_out:
            return IntentDecision("none", ranked, out_of_scope=judged)
        runner_up = next((s for i, s in scored[1:] if i != OUT_OF_SCOPE), 0.0)
        second = next((e for e in gathered.evidence if ranked[1:] and e.intent == ranked[1].intent), None)
        if second is not None and best - runner_up < c.margin and self._clear_words(gathered, second):
            # Too close to tell by the scores, but the words name the second clearly
            # ("los restos de jardín en el 13 rue victor hugo": an address pulls towards
            # the collection days, the words say green waste).
            return IntentDecision("match", [ranked[1], ranked[0], *ranked[2:]])
        if best < c.match or best - runner_up < c.margin:
            return IntentDecision("ambiguous" if len(ranked) > 1 else "none", ranked)
        return IntentDecision("match", ranked)

    def _clear_words(self, gathered: Gathered, top: Evidence) -> bool:
        c = self.calibration
        other = max((e.words for e in gathered.evidence if e is not top), default=0.0)
        near_out = gathered.out_of_scope is not None and gathered.out_of_scope > top.meaning + 0.05
        return top.words >= c.clear_words and top.words - other >= c.clear_words_lead and not near_out


def _probability(e: Evidence) -> float:
    """The regression's probability. (An object of the sorting guide named no longer makes
    "where does it go" sure here: the regression is taught callers' sentences naming
    objects, and a name found by chance — "where CAN I take my glass" — took glass away.)"""
    return e.probability


@dataclass(frozen=True)
class CalibratedDecider:
    """P(intent is what the caller wants) = σ(w·features + b), fitted on labelled caller
    sentences; `match`: a best at least this probable, and more probable than the second
    by `margin`, is taken; `pair`: the two best together at least this probable, each at
    least `second`, are asked back."""

    detailed = True
    weights: tuple[float, ...]
    bias: float
    match: float
    pair: float
    second: float
    margin: float = 0.0

    def probabilities(self, gathered: Gathered) -> dict[str, float]:
        out = {}
        for e, row in zip(gathered.evidence, gathered.features(), strict=True):
            z = self.bias + sum(w * x for w, x in zip(self.weights, row, strict=True))
            out[e.intent] = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
        return out

    def decide(self, gathered: Gathered) -> IntentDecision:
        scored = sorted(self.probabilities(gathered).items(), key=lambda kv: (-kv[1], kv[0]))
        ranked = [IntentScore(i, round(100.0 * p, 1)) for i, p in scored]
        if not scored:
            return IntentDecision("none", ranked)
        best = scored[0][1]
        second = scored[1][1] if len(scored) > 1 else 0.0
        if best >= self.match and best - second >= self.margin:
            return IntentDecision("match", ranked)
        if len(scored) > 1 and best + second >= self.pair and second >= self.second:
            return IntentDecision("ambiguous", ranked)
        return IntentDecision("none", ranked)


def load_calibrated(encoder: str, path: Path = CALIBRATION_FILE) -> CalibratedDecider | None:
    """The fitted decider for this encoder, or None (no file, no entry, a bad entry)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        entry = data["encoders"][encoder]
        if tuple(entry["features"]) != FEATURES:
            return None
        return CalibratedDecider(
            tuple(float(w) for w in entry["weights"]),
            float(entry["bias"]),
            float(entry["match"]),
            float(entry["pair"]),
            float(entry["second"]),
            float(entry.get("margin", 0.0)),
        )
    except (OSError, KeyError, TypeError, ValueError, yaml.YAMLError):
        return None


def _regression(
    examples: Mapping[str, Sequence[str]],
    training: Mapping[str, Sequence[str]] | None,
    encoder: SentenceEncoder,
    cache_dir: Path | None,
) -> IntentRegression:
    """The intent regression, fitted on the examples and on `training`: labelled sentences
    that teach the regression only (callers' own wordings; the nearest example and the
    words still know the catalogs' examples alone). Sentences of a request the examples do
    not have are left out: the regression knows the requests of this town's catalogs.

    Both are taken in one order whatever the language (each language pools the same
    examples, its own first), so that the languages share one fit."""
    import numpy as np

    def ordered(phrases: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
        return {i: sorted(phrases[i]) for i in sorted(phrases) if phrases[i]}

    index = SemanticIndex(ordered(examples), encoder, cache_dir=cache_dir)
    extra = ordered({i: s for i, s in (training or {}).items() if i in index.intents})
    if not extra:
        return IntentRegression(index.matrix, index.labels, cache_dir=cache_dir)
    taught = SemanticIndex(extra, encoder, cache_dir=cache_dir)
    return IntentRegression(np.vstack([index.matrix, taught.matrix]), (*index.labels, *taught.labels),
                            cache_dir=cache_dir)


class HybridMatcher:
    """Same interface as IntentMatcher (rank, decide; scores 0..100); built once per
    language, then pure apart from a small cache of embedded sentences."""

    def __init__(
        self,
        examples: Mapping[str, Sequence[str]],
        lang: str,
        encoder: SentenceEncoder,
        *,
        extra_examples: Mapping[str, Sequence[str]] | None = None,
        training: Mapping[str, Sequence[str]] | None = None,
        training_nearest: bool = False,
        decider: Decider | None = None,
        cache_dir: object = None,
        space: object = None,
    ) -> None:
        self.lang = lang
        own = {i: tuple(e) for i, e in examples.items() if i != OUT_OF_SCOPE}
        self.fuzzy = IntentMatcher(own, lang)
        self.intents = tuple(own)
        # The encoder is multilingual: other languages' examples of the same intents help
        # (a French caller near an English example still means the same thing).
        pooled: dict[str, list[str]] = {i: list(e) for i, e in examples.items()}
        for intent, phrases in (extra_examples or {}).items():
            if intent in pooled or intent == OUT_OF_SCOPE:
                pooled.setdefault(intent, []).extend(phrases)
        if training_nearest:  # the labelled sentences are nearest examples too, not only taught
            for intent, phrases in (training or {}).items():
                if intent in pooled:
                    pooled[intent].extend(phrases)
            training = None
        self.semantic = SemanticIndex(pooled, encoder, cache_dir=cache_dir, space=space)  # type: ignore[arg-type]
        self.regression = _regression(pooled, training, encoder, cache_dir)  # type: ignore[arg-type]
        self.decider: Decider = decider or load_calibrated(encoder.name) or HandDecider()

    def gather(
        self,
        text: str,
        only: Collection[str] | None = None,
        boost: Mapping[str, float] | None = None,
        *,
        detailed: bool = True,
    ) -> Gathered:
        """The evidence of every intent allowed; `detailed`: with the neighbours' votes and
        the words explained, which only a fitted decision uses."""
        if not isinstance(text, str) or not text.strip():
            return Gathered((), None)
        allowed = set(only) if only is not None else set(self.intents)
        allowed &= set(self.intents)
        ranked, explained = self.fuzzy.analyse(text, only=allowed, explain=detailed)
        fuzzy = {s.intent: s.score / 100.0 for s in ranked}
        scope = allowed | {OUT_OF_SCOPE}
        if detailed:
            nearest, votes = self.semantic.neighbourhood(text, only=scope, k=NEIGHBOURS)
        else:
            nearest, votes = self.semantic.similarities(text, only=scope), {}
        probability = self.regression.probabilities(self.semantic.embed(text)) if nearest else {}
        evidence = tuple(
            Evidence(
                i, fuzzy.get(i, 0.0), nearest[i], votes.get(i, 0.0), (boost or {}).get(i, 0.0),
                *explained.get(i, (0.0, 0.0)), probability.get(i, 0.0),
            )
            for i in sorted(nearest)
            if i != OUT_OF_SCOPE
        )
        return Gathered(evidence, nearest.get(OUT_OF_SCOPE), probability.get(OUT_OF_SCOPE))

    def rank(self, text: str, only: Collection[str] | None = None, limit: int = 5) -> list[IntentScore]:
        return self.decide(text, only).ranked[: max(0, limit)]

    def decide(
        self,
        text: str,
        only: Collection[str] | None = None,
        *,
        boost: Mapping[str, float] | None = None,
    ) -> IntentDecision:
        """`boost`: evidence from elsewhere for an intent (0..1), such as an object of the
        town's sorting guide named in the sentence."""
        return self.decider.decide(self.gather(text, only, boost, detailed=self.decider.detailed))

