"""Intent matching against the examples of a language catalog.

Each intent has example phrases. An utterance scores against an example by
- recall: how much of the example's meaningful words the utterance contains, each
  word weighted by how specific it is to one intent (an IDF over intents);
- precision: how much of what the caller said that the examples know about, the
  example explains (words no example uses, such as street names, cost nothing).
Words match fuzzily (recogniser errors), by a shared stem ("ramassent"/"ramasser"),
inside run-together tokens ("garbagetruck") and across split ones ("re cycling").
Day and month names are classes and numbers are ignored, so "meeting on tuesday" also covers
Thursday. A caller who says several things at once still matches:
"hi yes i wanted to know when the yellow bin goes out on rue du port".
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from nlu.dates import month_names, weekday_names
from nlu.normalize import normalize
from nlu.recent import Recent
from nlu.stopwords import stopwords

# A word matches fuzzily from this rapidfuzz ratio on: 80 lets "colected" match
# "collected" and "poubele" match "poubelle", not "bin" match "pin".
WORD_CUTOFF = 80.0
# A long example word found inside a longer run-together token ("garbagetruck").
PARTIAL_CUTOFF = 90.0
PARTIAL_MIN_LEN = 4
# Same stem: this many leading letters in common ("ramassent"/"ramasser"), and all
# but the last few letters of the longer word ("deches" is not "decheterie").
STEM_PREFIX = 5
STEM_SUFFIX = 4
STEM_SCORE = 0.85
# Weights of recall and of two precisions: of the example (prefers "green waste"
# over "waste" for "green waste") and of the whole intent's vocabulary (an intent
# whose examples explain every word said, though no single example does, wins over
# one that explains only the topic). Small enough that extra words do not sink a
# good match.
RECALL_WEIGHT = 0.65
EXAMPLE_PRECISION_WEIGHT = 0.15
INTENT_PRECISION_WEIGHT = 0.20

# A catalog's examples of questions the town does not answer (nlu.hybrid): words never
# prove a question is not ours, so the word matcher leaves them out.
OUT_OF_SCOPE = "out_of_scope"

# Numbers say nothing about intent (a house number, a date): they are not matched.
_NUMBER = re.compile(r"^\d+(?:st|nd|rd|th|er|e|eme|o|a|ro|do|to)?$")


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


@dataclass(frozen=True)
class IntentScore:
    intent: str
    score: float  # 0..100


@dataclass(frozen=True)
class IntentDecision:
    kind: str  # "match" | "ambiguous" | "none"
    ranked: list[IntentScore] = field(default_factory=list)  # best first
    # "none" because the sentence is nearer a question the town does not answer than any
    # request (not merely unsure): an address in it does not make it a request either.
    out_of_scope: bool = False

    @property
    def intent(self) -> str | None:
        """The best intent when kind == "match", else None."""
        return self.ranked[0].intent if self.kind == "match" and self.ranked else None


@dataclass(frozen=True)
class _Example:
    intent: str
    tokens: tuple[str, ...]  # meaningful words
    whole: str | None  # set when the example is only function words ("what")


ANALYSED_KEPT = 16  # sentences whose analysis is kept for the other questions of their turn


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
        self._classes = {w: "@weekday" for w in weekday_names(lang)}
        self._classes.update({w: "@month" for w in month_names(lang)})
        self._examples: list[_Example] = []
        examples = {i: p for i, p in examples.items() if i != OUT_OF_SCOPE}
        for intent, phrases in examples.items():
            for phrase in phrases:
                all_tokens = self._tokens(str(phrase))
                content = [t for t in all_tokens if t not in self._stop]
                if content:
                    self._examples.append(_Example(intent, tuple(content), None))
                elif all_tokens:
                    self._examples.append(_Example(intent, (), " ".join(all_tokens)))
        self.intents = tuple(examples)
        self._idf = self._weights()
        self._intent_vocab: dict[str, frozenset[str]] = {}
        for ex in self._examples:
            self._intent_vocab[ex.intent] = self._intent_vocab.get(ex.intent, frozenset()) | set(
                ex.tokens
            )
        self._vocab = sorted(self._idf)
        self._long_vocab = [w for w in self._vocab if len(w) >= PARTIAL_MIN_LEN]
        self._by_stem: dict[str, list[str]] = {}
        for w in self._vocab:
            if len(w) >= STEM_PREFIX:
                self._by_stem.setdefault(w[:STEM_PREFIX], []).append(w)
        self._analysed: Recent[
            tuple[str, frozenset[str] | None, bool],
            tuple[list[IntentScore], dict[str, tuple[float, float]]],
        ] = Recent(ANALYSED_KEPT)

    def _tokens(self, text: str) -> list[str]:
        tokens = normalize(text, self.lang).split()
        return [self._classes.get(t, t) for t in tokens if not _NUMBER.match(t)]

    def _weights(self) -> dict[str, float]:
        """IDF over intents: a word every intent uses ("bin") weighs less than one
        only a single intent uses ("tomorrow")."""
        intents_of: dict[str, set[str]] = {}
        for ex in self._examples:
            for t in ex.tokens:
                intents_of.setdefault(t, set()).add(ex.intent)
        n = max(1, len(self.intents))
        return {w: 1.0 + math.log(n / len(s)) for w, s in intents_of.items()}

    def _word_matches(self, tokens: list[str]) -> dict[str, tuple[float, frozenset[int]]]:
        """For every vocabulary word the utterance contains: its best match (0..1)
        and the positions of the utterance words it matched."""
        best: dict[str, tuple[float, frozenset[int]]] = {}

        def offer(word: str, score: float, where: frozenset[int]) -> None:
            old = best.get(word)
            if old is None or score > old[0]:
                best[word] = (score, where)

        # Function words are not matched: "to" would fuzzily become "too".
        words = [(i, t) for i, t in enumerate(tokens) if t not in self._stop]
        cands = [(t, frozenset((i,))) for i, t in words]
        # Adjacent pairs joined catch words the recogniser split ("re cycling").
        cands += [
            (a + b, frozenset((i, j)))
            for (i, a), (j, b) in zip(words, words[1:], strict=False)
            if j == i + 1 and not a.startswith("@") and not b.startswith("@")
        ]
        for cand, where in cands:
            if cand.startswith("@"):
                if cand in self._idf:
                    offer(cand, 1.0, where)
                continue
            for word, score, _ in process.extract(
                cand, self._vocab, scorer=fuzz.ratio, score_cutoff=WORD_CUTOFF, limit=None
            ):
                offer(word, score / 100.0, where)
            if len(where) == 1 and 2 <= len(cand) <= 4:
                # Short inflections ratio misses: "go"/"goes", "pas"/"pasa".
                for word in self._vocab:
                    if (
                        word != cand
                        and 0 < abs(len(word) - len(cand)) <= 2
                        and (word.startswith(cand) or cand.startswith(word))
                        and min(len(word), len(cand)) >= 2
                    ):
                        offer(word, WORD_CUTOFF / 100.0, where)
            if len(where) == 1 and len(cand) >= STEM_PREFIX:
                for word in self._by_stem.get(cand[:STEM_PREFIX], ()):
                    if _common_prefix(cand, word) >= max(len(cand), len(word)) - STEM_SUFFIX:
                        offer(word, STEM_SCORE, where)
            if len(where) == 1 and len(cand) >= PARTIAL_MIN_LEN + 3:
                # Run-together tokens ("garbagetruck"): an example word inside it,
                # discounted so that a clean match always wins.
                for word, score, _ in process.extract(
                    cand,
                    self._long_vocab,
                    scorer=fuzz.partial_ratio,
                    score_cutoff=PARTIAL_CUTOFF,
                    limit=None,
                ):
                    if len(word) <= len(cand) - 2:
                        offer(word, 0.9 * score / 100.0, where)
        return best

    def rank(
        self, text: str, only: Collection[str] | None = None, limit: int = 5
    ) -> list[IntentScore]:
        return self.analyse(text, only, explain=False)[0][: max(0, limit)]

    def analyse(
        self, text: str, only: Collection[str] | None = None, *, explain: bool = True
    ) -> tuple[list[IntentScore], dict[str, tuple[float, float]]]:
        """Every intent allowed, best first, and for each intent whose words the sentence
        uses: the share of the sentence's known words (by IDF) its examples' vocabulary
        explains, and the share only it explains among the intents allowed (the "how much"
        of a fee question, which a permit's other requests do not use)."""
        if not isinstance(text, str):
            return [], {}
        if not explain:
            # Each request's score is its own: the global check's ranking over every request
            # serves the menu's question over some of them.
            ranked = self._analysed.get((text, None, False), lambda: self._analyse(text, None, False))[0]
            return [s for s in ranked if only is None or s.intent in only], {}
        key = (text, frozenset(only) if only is not None else None, explain)
        ranked, explained = self._analysed.get(key, lambda: self._analyse(text, only, explain))
        return list(ranked), dict(explained)

    def _analyse(
        self, text: str, only: Collection[str] | None, explain: bool
    ) -> tuple[list[IntentScore], dict[str, tuple[float, float]]]:
        tokens = self._tokens(text)
        if not tokens:
            return [], {}
        matches = self._word_matches(tokens)
        # Weight of each utterance word that some example knows: the IDF of the
        # most specific word it matched. Unknown words do not count.
        known: dict[int, float] = {}
        for word, (_, where) in matches.items():
            for i in where:
                known[i] = max(known.get(i, 0.0), self._idf[word])
        known_total = sum(known.values())
        joined = " ".join(t for t in tokens if not t.startswith("@"))
        allowed = set(only) if only is not None else None
        best: dict[str, float] = {}
        intent_precision: dict[str, float] = {}
        covered_by: dict[str, set[int]] = {}
        for intent, vocab in self._intent_vocab.items():
            covered = {i for w in vocab & matches.keys() for i in matches[w][1]}
            covered_by[intent] = covered
            intent_precision[intent] = (
                sum(known[i] for i in covered) / known_total if known_total else 0.0
            )
        for ex in self._examples:
            if allowed is not None and ex.intent not in allowed:
                continue
            if ex.whole is not None:
                # Only function words ("what", "que"): the whole utterance must be it.
                score = fuzz.ratio(joined, ex.whole)
                score = score if score >= WORD_CUTOFF else 0.0
            else:
                score = self._score(ex, matches, known, known_total)
                if score and len(ex.tokens) > 1:
                    score += 100.0 * INTENT_PRECISION_WEIGHT * intent_precision[ex.intent]
            if score > best.get(ex.intent, 0.0):
                best[ex.intent] = score
        ranked = sorted(best.items(), key=lambda kv: (-kv[1], kv[0]))
        explained: dict[str, tuple[float, float]] = {}
        asked = [i for i in covered_by if explain and (allowed is None or i in allowed)]
        for intent in asked:
            others = set().union(*(covered_by[o] for o in asked if o != intent))
            alone = covered_by[intent] - others
            explained[intent] = (
                intent_precision[intent],
                sum(known[i] for i in alone) / known_total if known_total else 0.0,
            )
        return [IntentScore(i, round(s, 1)) for i, s in ranked], explained

    def _score(
        self,
        ex: _Example,
        matches: Mapping[str, tuple[float, frozenset[int]]],
        known: Mapping[int, float],
        known_total: float,
    ) -> float:
        total = got = 0.0
        covered: set[int] = set()
        for t in ex.tokens:
            total += self._idf[t]
            hit = matches.get(t)
            if hit:
                got += self._idf[t] * hit[0]
                covered |= hit[1]
        if got <= 0.0:
            return 0.0
        recall = got / total
        precision = sum(known[i] for i in covered) / known_total if known_total else 0.0
        if len(ex.tokens) == 1:
            # A one-word example ("waste", "pardon", "permit") is a menu word or a
            # short answer: strong alone, weak evidence inside a longer sentence.
            return 100.0 * recall * (0.5 + 0.5 * precision)
        return 100.0 * (RECALL_WEIGHT * recall + EXAMPLE_PRECISION_WEIGHT * precision)

    def decide(self, text: str, only: Collection[str] | None = None) -> IntentDecision:
        ranked = self.rank(text, only)
        if not ranked or ranked[0].score < self.threshold:
            return IntentDecision("none", ranked)
        if len(ranked) > 1 and ranked[0].score - ranked[1].score < self.margin:
            return IntentDecision("ambiguous", ranked)
        return IntentDecision("match", ranked)
