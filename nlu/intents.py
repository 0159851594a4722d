"""Intent matching against the examples of a language catalog.

Each intent has example phrases. An utterance scores against an example by how much
of the example's meaningful words it contains (recall), each word weighted by how
specific it is to one intent (an IDF over intents), with fuzzy word matching for
recogniser errors (rapidfuzz) and run-together or split words. Extra words in the
utterance cost little, so a caller who says several things at once still matches:
"hi yes i wanted to know when the yellow bin goes out on rue du port".
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from nlu.normalize import normalize
from nlu.stopwords import stopwords

# A word matches fuzzily from this rapidfuzz ratio on: 80 lets "colected" match
# "collected" and "poubele" match "poubelle", not "bin" match "pin".
WORD_CUTOFF = 80.0
# A short example word found inside a long run-together token ("garbagetruck").
PARTIAL_CUTOFF = 90.0
PARTIAL_MIN_LEN = 4
# Weight of the utterance side (how much of what was said the example explains).
# Small: it only separates examples that cover the same words.
PRECISION_WEIGHT = 0.08


@dataclass(frozen=True)
class IntentScore:
    intent: str
    score: float  # 0..100


@dataclass(frozen=True)
class IntentDecision:
    kind: str  # "match" | "ambiguous" | "none"
    ranked: list[IntentScore] = field(default_factory=list)  # best first

    @property
    def intent(self) -> str | None:
        """The best intent when kind == "match", else None."""
        return self.ranked[0].intent if self.kind == "match" and self.ranked else None


@dataclass(frozen=True)
class _Example:
    intent: str
    tokens: tuple[str, ...]  # meaningful words, or all words when it has none


class IntentMatcher:
    """Ranks intents for one language; built once per catalog, then pure."""

    def __init__(
        self,
        examples: Mapping[str, Sequence[str]],
        lang: str,
        *,
        threshold: float = 75.0,
        margin: float = 6.0,
    ) -> None:
        self.lang = lang
        self.threshold = threshold
        self.margin = margin
        self._stop = stopwords(lang)
        self._examples: list[_Example] = []
        for intent, phrases in examples.items():
            for phrase in phrases:
                tokens = self._content(normalize(str(phrase), lang).split())
                if tokens:
                    self._examples.append(_Example(intent, tuple(tokens)))
        self.intents = tuple(examples)
        self._idf = self._weights()
        self._vocab = sorted(self._idf)
        self._long_vocab = [w for w in self._vocab if len(w) >= PARTIAL_MIN_LEN]

    def _content(self, tokens: list[str]) -> list[str]:
        kept = [t for t in tokens if t not in self._stop]
        return kept or tokens

    def _weights(self) -> dict[str, float]:
        """IDF over intents: a word every intent uses ("bin") weighs less than one
        only a single intent uses ("tomorrow")."""
        intents_of: dict[str, set[str]] = {}
        for ex in self._examples:
            for t in ex.tokens:
                intents_of.setdefault(t, set()).add(ex.intent)
        n = max(1, len(self.intents))
        return {w: 1.0 + math.log(n / len(s)) for w, s in intents_of.items()}

    def _word_matches(self, tokens: list[str]) -> dict[str, float]:
        """Best match (0..1) of every vocabulary word against the utterance."""
        best: dict[str, float] = {}
        # Adjacent pairs joined catch words the recogniser split ("re cycling").
        pairs = [a + b for a, b in zip(tokens, tokens[1:], strict=False)]
        for cand in dict.fromkeys(tokens + pairs):
            for word, score, _ in process.extract(
                cand, self._vocab, scorer=fuzz.ratio, score_cutoff=WORD_CUTOFF, limit=None
            ):
                best[word] = max(best.get(word, 0.0), score / 100.0)
            if len(cand) >= PARTIAL_MIN_LEN + 3:
                # Run-together tokens ("garbagetruck"): an example word inside it.
                # Discounted so that a clean match always wins.
                for word, score, _ in process.extract(
                    cand,
                    self._long_vocab,
                    scorer=fuzz.partial_ratio,
                    score_cutoff=PARTIAL_CUTOFF,
                    limit=None,
                ):
                    if len(word) <= len(cand) - 2:
                        best[word] = max(best.get(word, 0.0), 0.9 * score / 100.0)
        return best

    def rank(
        self, text: str, only: Collection[str] | None = None, limit: int = 5
    ) -> list[IntentScore]:
        tokens = normalize(text, self.lang).split() if isinstance(text, str) else []
        if not tokens:
            return []
        matches = self._word_matches(tokens)
        if not matches:
            return []
        spoken = max(1, len(self._content(tokens)))
        allowed = set(only) if only is not None else None
        best: dict[str, float] = {}
        for ex in self._examples:
            if allowed is not None and ex.intent not in allowed:
                continue
            total = sum(self._idf[t] for t in ex.tokens)
            got = sum(self._idf[t] * matches.get(t, 0.0) for t in ex.tokens)
            recall = got / total
            if recall <= 0.0:
                continue
            found = sum(1 for t in ex.tokens if t in matches)
            precision = min(1.0, found / spoken)
            score = 100.0 * ((1 - PRECISION_WEIGHT) * recall + PRECISION_WEIGHT * precision)
            if score > best.get(ex.intent, 0.0):
                best[ex.intent] = score
        ranked = sorted(best.items(), key=lambda kv: (-kv[1], kv[0]))
        return [IntentScore(i, round(s, 1)) for i, s in ranked[: max(0, limit)]]

    def decide(self, text: str, only: Collection[str] | None = None) -> IntentDecision:
        ranked = self.rank(text, only)
        if not ranked or ranked[0].score < self.threshold:
            return IntentDecision("none", ranked)
        if len(ranked) > 1 and ranked[0].score - ranked[1].score < self.margin:
            return IntentDecision("ambiguous", ranked)
        return IntentDecision("match", ranked)
