"""Is the caller speaking of an emergency? Words and meaning.

A caller who says "there's a fire in the building", "my father collapsed" or "I want to end
it all" must be told at once to hang up and call the emergency number, whatever the
assistant had just asked. Two layers:

- words: per language and per kind (fire, medical, violence, gas, suicide), phrases
  looked for in the folded sentence (a trailing ``*`` stands for any ending:
  ``suicid*``). Ordinary questions that share their words ("where do I take an old fire
  extinguisher", "a gas bottle") are listed as ``ignore`` phrases, blanked out before the
  words are looked for, so "there's a fire and the fire extinguisher is empty" still
  counts;
- meaning (nlu.emergency_meaning): a logistic regression on the multilingual sentence
  encoder's vectors, fitted on the example emergencies of every catalog against their
  ordinary questions, for the paraphrases no list of words foresees ("my husband fell and
  does not wake up"). It reads the sentence less its ignored phrases too.

Two levels, so that a doubtful sentence is never left unanswered:

- an **alarm** (the call stops for the emergency advice and the offer of a person, and is
  flagged for staff): the meaning alone is sure, or the words name one and the meaning
  leans to an emergency. "Sure" reads the regression's logit with the margin of the nearest
  emergency example over the nearest ordinary sentence (``MeaningCalibration.margin``);
- a **notice** (the emergency number and a person offered in one sentence, then the call
  goes on with its answer): the words without the meaning's support ("an old kitchen
  knife"), or the meaning's logit alone, not sure enough.

Some words name an emergency in one sentence and something ordinary in many others: "smoke"
(a neighbour's wood burner), "is dead" (a tree), "a seizure" (last year, for a bus pass),
"hurt" (feelings). A catalog lists them as ``ambiguous`` (each also among its ``words``):
found alone, without a word of the other words, they give at least a notice, and an alarm
only when the meaning is sure by itself, as if no word had been found.

The sentence's frame weighs in, from each catalog's phrases (``calm`` and ``urgent``): an
event that is over or an object's fate ("last year", "two years ago", "every night", "where do
I throw it", "get rid of", "do I need a permit", "who do I complain to") makes the sentence
**calm**: its words and its meaning alone give a notice, an alarm only from a very sure
meaning (``MeaningCalibration.calm``), unless its words speak of violence, of ending one's
life or cry for help (``UNSOFTENED``: those matter whenever they happened). An event happening now ("right now", "has just",
"vient de", "acaba de", "subito") is **urgent**: it cancels a calm frame, and an ambiguous
word found with it raises an alarm as a sure word does ("my mum has just fallen over"). A
calm phrase before a word of contrast does not count ("I rang last week about my bins, but
the bin store is on fire").

Without an encoder (words only), words raise an alarm.

The words and examples are data (each catalog's ``emergency:``): this module knows no
language. How the thresholds were chosen: MeaningCalibration.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from nlu.text import fold

Frame = Literal["calm", "urgent"] | None

KINDS = ("fire", "medical", "violence", "gas", "suicide")
GENERAL = "general"  # a cry for help, of no kind
# Words of violence, of the wish to end one's life and a cry for help matter whenever they
# happened ("last year he beat me and he is back"): a calm frame never softens them. (The
# meaning alone has only its nearest example's kind, too rough for this: "the police sirens
# every night, who do I complain to" is nearest a violence example.)
UNSOFTENED = ("violence", "suicide", GENERAL)
ORDINARY = "ordinary"
# The meaning's logit, the nearest emergency example's kind and cosine, and that cosine's
# margin over the nearest ordinary sentence's (EmergencyDetector.meaning_score).
Scored = tuple[float, str, float, float]


@dataclass(frozen=True)
class EmergencyWords:
    """One language's emergency vocabulary, as a catalog gives it.

    words:    kind -> phrases that name that emergency ("on fire", "not breathing")
    ignore:   phrases of ordinary questions that contain such words ("fire extinguisher")
    examples: kind -> whole sentences, for the meaning layer
    ordinary: ordinary sentences that come close in meaning ("how do I report a broken
              street light"), for the meaning layer's other side
    ambiguous: phrases among the words that name an emergency only in some sentences
              ("smoke", "is dead"): alone, an alarm needs a sure meaning
    calm:     phrases of an event that is over or of an object's fate ("last year", "get rid
              of"): the sentence's words and meaning give a notice (see the module)
    contrast: words that turn to something else ("but", "mais"): a calm phrase before the
              last of them does not count ("I rang last week about my bins but now...")
    urgent:   phrases of an event happening now ("right now", "has just"): they cancel a
              calm frame and make an ambiguous word sure
    """

    language: str
    words: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    ignore: tuple[str, ...] = ()
    examples: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    ordinary: tuple[str, ...] = ()
    ambiguous: tuple[str, ...] = ()
    calm: tuple[str, ...] = ()
    urgent: tuple[str, ...] = ()
    contrast: tuple[str, ...] = ()

    @property
    def usable(self) -> bool:
        return any(self.words.values())


@dataclass(frozen=True)
class Alarm:
    """What was heard: the kind of emergency, in which language's words (None when found
    by meaning alone), the phrase or the meaning's score that decided, how (words, meaning
    or both), and how sure: an ``alarm`` or a ``notice`` (see the module's docstring)."""

    kind: str
    by: Literal["words", "meaning", "words+meaning"]
    evidence: str
    language: str | None = None
    score: float = 1.0
    level: Literal["alarm", "notice"] = "alarm"
    ambiguous: bool = False  # found by an ambiguous word alone
    frame: Frame = None  # "calm" or "urgent" (see the module's docstring)

    @property
    def sure(self) -> bool:
        return self.level == "alarm"


@dataclass(frozen=True)
class MeaningCalibration:
    """Thresholds on the meaning's logit (nlu.emergency_meaning).

    How they were chosen (bench/emergency_bench.py --calibrate prints what they give): the
    meaning's scores of the labelled dev sets (tests/nlu/data/emergency/dev*) each measured
    with that set left out of the catalogs' examples, so that a threshold is not set on
    sentences the regression was fitted on, and of the dev half of the ordinary callers:

    - ``agree``: the lowest score at which no ordinary dev sentence found by a word that is
      not ambiguous raises an alarm (none did from -2);
    - ``alarm`` and ``ambiguous``: a trade between the look-alikes' alarms and the
      emergencies' notices on the dev sets left out in turn, no more than 0.5 % of the dev
      callers alarmed;
    - ``notice``: no dev emergency without words missed, with a margin, a notice for at
      most about 5 % of the dev callers;
    - ``calm``: a calm frame ("last year", "where do I throw it") with words or without, an
      alarm only from here (no dev emergency has one; the look-alikes' alarms it saves);
    - ``margin``: an alarm is decided on the logit plus this many times the margin of the
      nearest emergency example's cosine over the nearest ordinary sentence's. The
      regression draws one plane through thousands of examples; the nearest examples see
      what is close: "is there anybody real there" sits on a request for a person however
      the plane leans, "a tree fell on the car, nobody is hurt" on a look-alike. The notice
      reads the logit, bounded by ``notice_margin`` only.
      With no words, a sentence nearer an ordinary sentence than every emergency example
      (a negative margin) gets a notice at most.
    - ``notice_margin``: with no words, a sentence nearer an ordinary sentence than every
      emergency example by more than this gets nothing at all. Chosen by the folds over dev5
      to dev8 (bench/emergency_bench.py --folds): -0.25 and -0.15 lost no emergency in any
      fold, -0.05 two; the dev callers' notices fell from 193 to 48 (of 1,156 in each of the four folds) at -0.15.
    """

    alarm: float = 1.2  # the meaning alone is sure
    ambiguous: float = 0.6  # an ambiguous word alone ("smoke") and the meaning from here: an alarm
    agree: float = -2.0  # any other word and the meaning from here: an alarm
    notice: float = -0.3  # the meaning alone, from here: a notice (the logit alone)
    calm: float = 3.0  # a calm frame, words or not: an alarm only from here
    margin: float = 10.0  # the nearest examples' margin's weight in the alarms' score
    notice_margin: float = -0.15  # nearer an ordinary sentence by more than this: not even a notice


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


def _search(patterns: Iterable[tuple[str, re.Pattern[str]]], text: str) -> tuple[str, str] | None:
    """The first kind whose words the text has, and the phrase found."""
    for kind, pattern in patterns:
        found = pattern.search(text)
        if found:
            return kind, found.group(0)
    return None


def level_of(words: Alarm | None, score: float | None, calibration: MeaningCalibration,
             frame: Frame = None, margin: float = 0.0) -> Literal["alarm", "notice"] | None:
    """The level a sentence gets from what its words found (None: nothing), its meaning's
    score (None: nothing left to score), its frame and the nearest examples' margin (the
    nearest emergency example's cosine less the nearest ordinary sentence's), when the
    detector has a meaning layer."""
    c = calibration
    sure = None if score is None else score + c.margin * margin
    if words is None:
        if score is None or sure is None or score < c.notice or margin < c.notice_margin:
            return None
        if margin < 0:
            # The meaning alone, nearer an ordinary sentence than any emergency example, is not
            # sure: the number is said first and the call goes on (no ordinary caller is sent away).
            return "notice"
        return "alarm" if sure >= (c.calm if frame == "calm" else c.alarm) else "notice"
    if frame == "calm" and words.kind not in UNSOFTENED:
        needed = c.calm
    elif words.ambiguous and frame != "urgent":
        needed = c.ambiguous
    else:
        needed = c.agree
    return "alarm" if sure is not None and sure >= needed else "notice"


def stray_ambiguous(words: Mapping[str, Iterable[str]], ambiguous: Iterable[str]) -> list[str]:
    """The ambiguous phrases that are not among the words (as written or folded): they do
    nothing, a mistake in a catalog."""
    known = {_phrase_pattern(p) for phrases in words.values() for p in phrases}
    return [p for p in ambiguous if _phrase_pattern(p) not in known]


def _compile(phrases: Iterable[str]) -> re.Pattern[str] | None:
    patterns = sorted({p for p in map(_phrase_pattern, phrases) if p}, key=len, reverse=True)
    return re.compile("|".join(patterns)) if patterns else None


@dataclass(frozen=True)
class _Compiled:
    language: str
    words: tuple[tuple[str, re.Pattern[str]], ...]  # per kind, the words that are not ambiguous
    ignore: re.Pattern[str] | None
    ambiguous: tuple[tuple[str, re.Pattern[str]], ...] = ()  # per kind, the ambiguous ones
    calm: re.Pattern[str] | None = None
    urgent: re.Pattern[str] | None = None
    contrast: re.Pattern[str] | None = None


def _split(words: Mapping[str, tuple[str, ...]], ambiguous: Iterable[str]) -> tuple[
        tuple[tuple[str, re.Pattern[str]], ...], tuple[tuple[str, re.Pattern[str]], ...]]:
    """Each kind's words apart from its ambiguous ones, then the ambiguous ones: searched
    apart, so that an ambiguous phrase never hides a longer sure one where they overlap
    ("est tombé" and "tombé de")."""
    weak = {_phrase_pattern(p) for p in ambiguous} - {None}
    sure, maybe = [], []
    for kind, phrases in words.items():
        if pattern := _compile(p for p in phrases if _phrase_pattern(p) not in weak):
            sure.append((kind, pattern))
        if pattern := _compile(p for p in phrases if _phrase_pattern(p) in weak):
            maybe.append((kind, pattern))
    return tuple(sure), tuple(maybe)


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
        space: Any = None,
    ) -> None:
        self.languages = tuple(vocabularies)
        self.calibration = calibration or MeaningCalibration()
        compiled = []
        for lang, v in vocabularies.items():
            sure, ambiguous = _split(v.words, v.ambiguous)
            compiled.append(_Compiled(lang, sure, _compile(v.ignore), ambiguous, _compile(v.calm),
                                      _compile(v.urgent), _compile(v.contrast)))
        self._compiled = tuple(compiled)
        self.meaning = None
        if encoder is not None:
            from nlu.emergency_meaning import MeaningModel

            examples: dict[str, list[str]] = {}
            for v in vocabularies.values():
                for kind, sentences in v.examples.items():
                    examples.setdefault(kind, []).extend(sentences)
            ordinary = list(ordinary_examples)
            lookalikes = [s for v in vocabularies.values() for s in v.ordinary]
            if examples and (ordinary or lookalikes):
                self.meaning = MeaningModel(examples, ordinary, encoder, cache_dir=cache_dir, lookalikes=lookalikes,
                                            space=space)

    def by_words(self, text: str, languages: Sequence[str] | None = None) -> Alarm | None:
        """The first emergency the sentence names in one of these languages (the call's
        first), else None."""
        folded = fold(text)
        if not folded:
            return None
        order = list(languages) if languages else list(self.languages)
        asked = [c for c in self._compiled if not languages or c.language in languages]
        # The ignored phrases of every language asked become a gap, so words on either side
        # never join, and a look-alike in one language is never another's word ("poteau
        # incendie", ignored in French, has Italian's "incendi*").
        cleaned = folded
        for compiled in asked:
            cleaned = compiled.ignore.sub(" | ", cleaned) if compiled.ignore else cleaned
        for compiled in sorted(asked, key=lambda c: order.index(c.language) if c.language in order else 99):
            # An ambiguous word counts only when no other word of the language is there, but
            # names the kind when the other is a cry for help ("socorro, hay fuego": a fire).
            sure = _search(compiled.words, cleaned)
            maybe = _search(compiled.ambiguous, cleaned) if sure is None or sure[0] == GENERAL else None
            if sure is not None and maybe is not None and maybe[0] != GENERAL:
                return Alarm(maybe[0], "words", f"{sure[1]} + {maybe[1]}", compiled.language)
            if sure is not None:
                return Alarm(sure[0], "words", sure[1], compiled.language)
            if maybe is not None:
                return Alarm(maybe[0], "words", maybe[1], compiled.language, ambiguous=True)
        return None

    def frame(self, text: str, languages: Sequence[str] | None = None) -> Frame:
        """"urgent" when the sentence has a phrase of an event happening now in one of these
        languages, else "calm" when it has one of an event that is over or of an object's
        fate after the last word of contrast ("but"), else None (the ignored phrases
        blanked first)."""
        folded = fold(text)
        calm = False
        for compiled in self._compiled:
            if languages and compiled.language not in languages:
                continue
            cleaned = compiled.ignore.sub(" | ", folded) if compiled.ignore else folded
            if compiled.urgent is not None and compiled.urgent.search(cleaned):
                return "urgent"
            if compiled.calm is None:
                continue
            turns = [m.end() for m in compiled.contrast.finditer(cleaned)] if compiled.contrast else []
            calm = calm or bool(compiled.calm.search(cleaned, turns[-1] if turns else 0))
        return "calm" if calm else None

    def without_ignored(self, text: str, languages: Sequence[str] | None = None) -> str:
        """The sentence less the ordinary look-alikes and street names of these languages
        (folded), or as said when it has none: an ignored phrase names something ordinary
        for the meaning as for the words ("the fire hydrant in my street is leaking")."""
        folded = cleaned = fold(text)
        for compiled in self._compiled:
            if compiled.ignore is not None and (not languages or compiled.language in languages):
                cleaned = compiled.ignore.sub(" ", cleaned)
        return text if cleaned == folded else " ".join(cleaned.split())

    def meaning_score(self, text: str, languages: Sequence[str] | None = None) -> Scored | None:
        """The meaning's logit, the nearest emergency example's kind and cosine, and that
        cosine's margin over the nearest ordinary sentence's, for the sentence less its
        ignored phrases; None without an encoder or with nothing left."""
        if self.meaning is None:
            return None
        text = self.without_ignored(text, languages)
        if not fold(text):
            return None
        score, kind, cosine, ordinary = self.meaning.score(text)
        return score, kind, cosine, cosine - ordinary

    def by_meaning(self, text: str, languages: Sequence[str] | None = None) -> Alarm | None:
        """The meaning's verdict alone: an alarm when sure, a notice when doubtful."""
        scored = self.meaning_score(text, languages)
        return self._meaning_alarm(scored) if scored is not None else None

    def _meaning_alarm(self, scored: Scored, frame: Frame = None) -> Alarm | None:
        score, kind, cosine, margin = scored
        level = level_of(None, score, self.calibration, frame, margin)
        if level is None:
            return None
        return Alarm(kind, "meaning", _evidence(scored), None, score, level, frame=frame)

    def detect(self, text: str, languages: Sequence[str] | None = None) -> Alarm | None:
        """An Alarm (``level`` alarm or notice) when the sentence may speak of an emergency,
        else None."""
        if not isinstance(text, str) or not text.strip():
            return None
        words = self.by_words(text, languages)
        if self.meaning is None:
            return words
        scored = self.meaning_score(text, languages)
        frame = self.frame(text, languages)
        if words is None:
            return self._meaning_alarm(scored, frame) if scored is not None else None
        words = replace(words, frame=frame)
        if scored is None or level_of(words, scored[0], self.calibration, frame, scored[3]) == "notice":
            return replace(words, level="notice")
        return replace(words, by="words+meaning", evidence=f"{words.evidence}; {_evidence(scored)}", score=scored[0],
                       level="alarm")


def _evidence(scored: Scored) -> str:
    score, kind, cosine, margin = scored
    return f"{score:.2f} (nearest {kind} example {cosine:.2f}, {margin:+.2f} over the nearest ordinary)"


@dataclass(frozen=True)
class Measured:
    """Recall on the emergencies of a labelled set, false alarms on its ordinary sentences."""

    missed: list[str]  # emergencies with neither an alarm nor a notice
    noticed: list[str]  # emergencies with only a notice (the number said, the call goes on)
    false_alarms: list[str]  # ordinary sentences that raised an alarm
    false_notices: list[str]  # ordinary sentences answered after a notice
    emergencies: int
    ordinary: int

    @property
    def recall(self) -> float:
        """Emergencies that heard the emergency number: an alarm or a notice."""
        return 1 - len(self.missed) / self.emergencies if self.emergencies else 1.0

    @property
    def alarm_recall(self) -> float:
        """Emergencies that raised a full alarm."""
        heard = self.emergencies - len(self.missed) - len(self.noticed)
        return heard / self.emergencies if self.emergencies else 1.0

    @property
    def false_alarm_rate(self) -> float:
        return len(self.false_alarms) / self.ordinary if self.ordinary else 0.0

    @property
    def notice_rate(self) -> float:
        return len(self.false_notices) / self.ordinary if self.ordinary else 0.0


def measure(detector: EmergencyDetector, emergencies: Iterable[str], ordinary: Iterable[str],
            languages: Sequence[str] | None = None) -> Measured:
    heard_e = [(t, detector.detect(t, languages)) for t in emergencies]
    heard_o = [(t, detector.detect(t, languages)) for t in ordinary]
    return Measured(
        missed=[t for t, a in heard_e if a is None],
        noticed=[t for t, a in heard_e if a is not None and not a.sure],
        false_alarms=[t for t, a in heard_o if a is not None and a.sure],
        false_notices=[t for t, a in heard_o if a is not None and not a.sure],
        emergencies=len(heard_e),
        ordinary=len(heard_o),
    )
