"""Intents for a language without curated examples, through machine translation.

Two routes, the best score per intent wins:
- the caller's words translated into the examples' language (English), matched
  against the examples and against their round trip through the caller's language
  (en -> es -> en), which teaches the matcher the engine's own wording;
- the caller's words matched directly against the examples translated into their
  language (no translation at call time: it also works when the engine is down).
Machine-translated text matches less closely than curated examples, so the bar for a
match is lower; the engine confirms a low-scoring match with the caller anyway.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from nlu.intents import IntentDecision, IntentMatcher, IntentScore
from nlu.translate.chain import TranslatorChain

# Measured on the Spanish labelled set with its examples removed (see nlu/eval.py).
THRESHOLD = 55.0
MARGIN = 4.0


class CrossLingualMatcher:
    def __init__(
        self,
        examples: Mapping[str, Sequence[str]],
        examples_lang: str,
        lang: str,
        chain: TranslatorChain,
        *,
        threshold: float = THRESHOLD,
        margin: float = MARGIN,
    ) -> None:
        self.lang, self.examples_lang, self.chain = lang, examples_lang, chain
        self.threshold, self.margin = threshold, margin
        flat = [(intent, str(e)) for intent, phrases in examples.items() for e in phrases]
        there = chain.translate_many([e for _, e in flat], examples_lang, lang)
        back = chain.translate_many(
            [t.text if t.machine_translated else "" for t in there], lang, examples_lang
        )
        local: dict[str, list[str]] = {}
        augmented: dict[str, list[str]] = {i: list(p) for i, p in examples.items()}
        for (intent, _), t, b in zip(flat, there, back, strict=True):
            if t.machine_translated:
                local.setdefault(intent, []).append(t.text)
            if b.machine_translated:
                augmented[intent].append(b.text)
        self._local = IntentMatcher(local, lang) if local else None
        self._translated = IntentMatcher(augmented, examples_lang)

    def rank(
        self, text: str, only: Collection[str] | None = None, limit: int = 5
    ) -> list[IntentScore]:
        best: dict[str, float] = {}
        candidates: list[IntentScore] = []
        if self._local is not None:
            candidates += self._local.rank(text, only, limit=50)
        if isinstance(text, str) and text.strip():
            result = self.chain.translate(text, self.lang, self.examples_lang)
            if result.machine_translated:
                candidates += self._translated.rank(result.text, only, limit=50)
        for s in candidates:
            best[s.intent] = max(best.get(s.intent, 0.0), s.score)
        ranked = sorted(best.items(), key=lambda kv: (-kv[1], kv[0]))
        return [IntentScore(i, s) for i, s in ranked[: max(0, limit)]]

    def decide(self, text: str, only: Collection[str] | None = None) -> IntentDecision:
        ranked = self.rank(text, only)
        if not ranked or ranked[0].score < self.threshold:
            return IntentDecision("none", ranked)
        if len(ranked) > 1 and ranked[0].score - ranked[1].score < self.margin:
            return IntentDecision("ambiguous", ranked)
        return IntentDecision("match", ranked)
