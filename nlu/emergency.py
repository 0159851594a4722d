"""Is the caller speaking of an emergency? Words first, then meaning.

A caller who says "there's a fire in the building", "my father collapsed" or "I want to end
it all" must be told at once to hang up and call the emergency number, whatever the
assistant had just asked. Two layers, either one enough:

- words: per language and per kind (fire, medical, violence, gas, suicide), phrases
  looked for in the folded sentence (a trailing ``*`` stands for any ending:
  ``suicid*``). Ordinary questions that share their words ("where do I take an old fire
  extinguisher", "a gas bottle") are listed as ``ignore`` phrases, blanked out before the
  words are looked for, so "there's a fire and the fire extinguisher is empty" still
  counts;
- meaning: the sentence's nearness (nlu.semantic) to example emergencies against its
  nearness to the ordinary questions of the catalogs, in every language at once (the
  encoder is multilingual), for the paraphrases no list of words foresees ("my husband
  fell and does not wake up").

The words and examples are data (each catalog's ``emergency:``): this module knows no
language. The thresholds were set on the dev half of the labelled sentences
(tests/nlu/data/emergency/dev_*.yaml) and the dev callers; the test half is held out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from nlu.text import fold

KINDS = ("fire", "medical", "violence", "gas", "suicide")
ORDINARY = "ordinary"


@dataclass(frozen=True)
class EmergencyWords:
    """One language's emergency vocabulary, as a catalog gives it.

    words:    kind -> phrases that name that emergency ("on fire", "not breathing")
    ignore:   phrases of ordinary questions that contain such words ("fire extinguisher")
    examples: kind -> whole sentences, for the meaning layer
    ordinary: ordinary sentences that come close in meaning ("how do I report a broken
              street light"), for the meaning layer's other side
    """

    language: str
    words: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    ignore: tuple[str, ...] = ()
    examples: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    ordinary: tuple[str, ...] = ()

    @property
    def usable(self) -> bool:
        return any(self.words.values())


@dataclass(frozen=True)
class Alarm:
    """What was heard: the kind of emergency, in which language's words (None when found
    by meaning), the phrase or nearest example that decided, and how (words or meaning)."""

    kind: str
    by: Literal["words", "meaning"]
    evidence: str
    language: str | None = None
    score: float = 1.0


@dataclass(frozen=True)
class MeaningCalibration:
    sure: float = 0.78  # nearest emergency example at least this near: an emergency
    near: float = 0.55  # from this, if also clearly nearer than any ordinary question
    margin: float = 0.15


def _phrase_pattern(phrase: str) -> str | None:
    parts: list[str] = []
    for token in str(phrase).replace("’", "'").split():
        folded = [re.escape(w) for w in fold(token).split()]
        if not folded:
            continue
        # A recogniser writes "cant" and "dont" as often as "can't": both forms count.
        part = r"\s*".join(folded) if "'" in token else r"\s+".join(folded)
        if token.endswith("*"):
            part += "[a-z0-9]*"
        parts.append(part)
    return r"\b" + r"\s+".join(parts) + r"\b" if parts else None


def _compile(phrases: Iterable[str]) -> re.Pattern[str] | None:
    patterns = sorted({p for p in map(_phrase_pattern, phrases) if p}, key=len, reverse=True)
    return re.compile("|".join(patterns)) if patterns else None


@dataclass(frozen=True)
class _Compiled:
    language: str
    words: tuple[tuple[str, re.Pattern[str]], ...]
    ignore: re.Pattern[str] | None


class EmergencyDetector:
    """Built once per set of catalogs; ``detect`` is pure and thread-safe (the semantic
    index keeps only a small cache of embedded sentences)."""

    def __init__(
        self,
        vocabularies: Mapping[str, EmergencyWords],
        *,
        encoder: Any = None,
        ordinary_examples: Iterable[str] = (),
        calibration: MeaningCalibration | None = None,
        cache_dir: Any = None,
    ) -> None:
        self.languages = tuple(vocabularies)
        self.calibration = calibration or MeaningCalibration()
        self._compiled = tuple(
            _Compiled(
                lang,
                tuple((kind, pattern) for kind, phrases in v.words.items() if (pattern := _compile(phrases))),
                _compile(v.ignore),
            )
            for lang, v in vocabularies.items()
        )
        self.index = None
        if encoder is not None:
            from nlu.semantic import SemanticIndex

            examples: dict[str, list[str]] = {}
            for v in vocabularies.values():
                for kind, sentences in v.examples.items():
                    examples.setdefault(kind, []).extend(sentences)
            ordinary = [*ordinary_examples, *(s for v in vocabularies.values() for s in v.ordinary)]
            if examples and ordinary:
                examples[ORDINARY] = ordinary
                self.index = SemanticIndex(examples, encoder, cache_dir=cache_dir)

    def by_words(self, text: str, languages: Sequence[str] | None = None) -> Alarm | None:
        """The first emergency the sentence names in one of these languages (the call's
        first), else None."""
        folded = fold(text)
        if not folded:
            return None
        order = list(languages) if languages else list(self.languages)
        for compiled in sorted(self._compiled, key=lambda c: order.index(c.language) if c.language in order else 99):
            if languages and compiled.language not in languages:
                continue
            # The ignored phrases become a gap, so words on either side never join.
            cleaned = compiled.ignore.sub(" | ", folded) if compiled.ignore else folded
            for kind, pattern in compiled.words:
                found = pattern.search(cleaned)
                if found:
                    return Alarm(kind, "words", found.group(0), compiled.language)
        return None

    def by_meaning(self, text: str) -> Alarm | None:
        if self.index is None or not fold(text):
            return None
        near = self.index.similarities(text)
        ordinary = near.pop(ORDINARY, -1.0)
        if not near:
            return None
        kind, score = max(near.items(), key=lambda kv: kv[1])
        c = self.calibration
        if score >= c.sure or (score >= c.near and score - ordinary >= c.margin):
            return Alarm(kind, "meaning", f"{score:.2f} against {ordinary:.2f}", None, score)
        return None

    def detect(self, text: str, languages: Sequence[str] | None = None) -> Alarm | None:
        """An Alarm when the sentence speaks of an emergency, else None."""
        if not isinstance(text, str) or not text.strip():
            return None
        return self.by_words(text, languages) or self.by_meaning(text)


@dataclass(frozen=True)
class Measured:
    """Recall on the emergencies of a labelled set, false alarms on its ordinary sentences."""

    missed: list[str]
    false_alarms: list[str]
    emergencies: int
    ordinary: int

    @property
    def recall(self) -> float:
        return 1 - len(self.missed) / self.emergencies if self.emergencies else 1.0

    @property
    def false_alarm_rate(self) -> float:
        return len(self.false_alarms) / self.ordinary if self.ordinary else 0.0


def measure(detector: EmergencyDetector, emergencies: Iterable[str], ordinary: Iterable[str],
            languages: Sequence[str] | None = None) -> Measured:
    emergencies, ordinary = list(emergencies), list(ordinary)
    missed = [t for t in emergencies if detector.detect(t, languages) is None]
    alarms = [t for t in ordinary if detector.detect(t, languages) is not None]
    return Measured(missed, alarms, len(emergencies), len(ordinary))
