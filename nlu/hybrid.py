"""Intents from words and from meaning together, with a calibrated "not sure".

Each intent gets  a·fuzzy + (1−a)·meaning, where fuzzy is the word matcher's score
(nlu.intents: exact about the words a caller uses, blind to other wordings) and meaning
is the cosine of the sentence with the intent's nearest example in a sentence-embedding
space (nlu.semantic), mapped from [LOW, HIGH] to [0, 1]. Street names and numbers play
no part in either: the fuzzy matcher ignores numbers and unknown words, and the slots
(addresses, dates) are read by their own exact parsers afterwards.

A catalog may list, under the pseudo-intent ``out_of_scope``, questions the town does not
answer here (a passport, the weather): a sentence nearest to those is not understood
rather than sent to the nearest service.

The decision: a clear winner is a match; a winner close to the runner-up, or not far
enough above the bar, is "ambiguous" (the dialog asks which of the two was meant); a weak
best is "none". The constants were chosen on the dev half of the caller sentences
(tests/nlu/data/callers/dev_*.yaml), never on the test half.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from nlu.intents import OUT_OF_SCOPE, IntentDecision, IntentMatcher, IntentScore
from nlu.semantic import SemanticIndex, SentenceEncoder

__all__ = ["OUT_OF_SCOPE", "Calibration", "HybridMatcher"]


@dataclass(frozen=True)
class Calibration:
    fuzzy_weight: float = 0.4
    low: float = 0.3  # a cosine at or below this is no evidence
    high: float = 0.85  # a cosine at or above this is as good as the example itself
    match: float = 0.52  # combined score (0..1) of a match
    margin: float = 0.07  # ahead of the runner-up by at least this, or ask which
    floor: float = 0.45  # below this, not understood; between floor and match, ask


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
        calibration: Calibration | None = None,
        cache_dir: object = None,
    ) -> None:
        self.lang = lang
        self.calibration = calibration or Calibration()
        own = {i: tuple(e) for i, e in examples.items() if i != OUT_OF_SCOPE}
        self.fuzzy = IntentMatcher(own, lang)
        self.intents = tuple(own)
        # The encoder is multilingual: other languages' examples of the same intents help
        # (a French caller near an English example still means the same thing).
        pooled: dict[str, list[str]] = {i: list(e) for i, e in examples.items()}
        for intent, phrases in (extra_examples or {}).items():
            if intent in pooled or intent == OUT_OF_SCOPE:
                pooled.setdefault(intent, []).extend(phrases)
        self.semantic = SemanticIndex(pooled, encoder, cache_dir=cache_dir)  # type: ignore[arg-type]

    def _meaning(self, cosine: float) -> float:
        c = self.calibration
        return min(1.0, max(0.0, (cosine - c.low) / (c.high - c.low)))

    def scores(self, text: str, only: Collection[str] | None = None) -> dict[str, float]:
        """Combined score (0..1) of every intent allowed, and of out_of_scope."""
        if not isinstance(text, str) or not text.strip():
            return {}
        c = self.calibration
        allowed = set(only) if only is not None else set(self.intents)
        fuzzy = {s.intent: s.score / 100.0 for s in self.fuzzy.rank(text, only=allowed, limit=len(self.intents))}
        cosines = self.semantic.similarities(text, only=allowed | {OUT_OF_SCOPE})
        out = {
            intent: c.fuzzy_weight * fuzzy.get(intent, 0.0) + (1 - c.fuzzy_weight) * self._meaning(cos)
            for intent, cos in cosines.items()
            if intent != OUT_OF_SCOPE
        }
        if OUT_OF_SCOPE in cosines:
            # Words never prove a question is not ours: meaning alone, on the same scale.
            out[OUT_OF_SCOPE] = (1 - c.fuzzy_weight) * self._meaning(cosines[OUT_OF_SCOPE]) + c.fuzzy_weight * 0.5
        return out

    def rank(self, text: str, only: Collection[str] | None = None, limit: int = 5) -> list[IntentScore]:
        ranked = sorted(self.scores(text, only).items(), key=lambda kv: (-kv[1], kv[0]))
        return [IntentScore(i, round(100.0 * s, 1)) for i, s in ranked if i != OUT_OF_SCOPE][: max(0, limit)]

    def decide(
        self,
        text: str,
        only: Collection[str] | None = None,
        *,
        boost: Mapping[str, float] | None = None,
    ) -> IntentDecision:
        """`boost`: evidence from elsewhere added to an intent's score (0..1), such as an
        object of the town's sorting guide named in the sentence."""
        c = self.calibration
        scores = self.scores(text, only)
        for intent, extra in (boost or {}).items():
            if intent in scores:
                scores[intent] = min(1.0, scores[intent] + extra)
        scored = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
        ranked = [IntentScore(i, round(100.0 * s, 1)) for i, s in scored if i != OUT_OF_SCOPE]
        if not scored or scored[0][0] == OUT_OF_SCOPE or scored[0][1] < c.floor:
            return IntentDecision("none", ranked)
        best = scored[0][1]
        runner_up = next((s for i, s in scored[1:] if i != OUT_OF_SCOPE), 0.0)
        if best < c.match or best - runner_up < c.margin:
            return IntentDecision("ambiguous" if len(ranked) > 1 else "none", ranked)
        return IntentDecision("match", ranked)
