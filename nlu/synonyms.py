"""Kinds by synonym (waste kinds, permit kinds): which key a caller's words name."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from rapidfuzz import fuzz

from nlu.normalize import normalize
from nlu.stopwords import stopwords, without_leading

THRESHOLD = 80.0
# A name of several words said in another number ("les bouteilles de vin" for "bouteille
# de vin", "le bottiglie di vino"): as sure as a name found inside the words said, below a
# name said word for word. A name of one word never counts by its stem: Snowball stems
# are short, and "leave" would name the leaves, the Italian "come" a "comò".
SAME_STEMS = 97.0
_HEAD = 3  # letters a stem shares with its word, to rule a name out before stemming
_SNOWBALL = {"fr": "french", "en": "english", "es": "spanish", "it": "italian", "de": "german",
             "pt": "portuguese", "nl": "dutch"}


@lru_cache(maxsize=16)
def _stemmer(lang: str) -> Any:
    import snowballstemmer

    name = _SNOWBALL.get(lang.split("-")[0].lower())
    return snowballstemmer.stemmer(name) if name else None


def _stemmed(words: Sequence[str], lang: str) -> tuple[str, ...]:
    stemmer = _stemmer(lang)
    if stemmer is None:
        return tuple(words)
    return tuple(stemmer.stemWords(list(words)))


@lru_cache(maxsize=8192)
def _name_stems(phrase: str, lang: str) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """A name of several content words: its stems, and their first letters (a stem keeps
    its word's first letters) to pass over a sentence without them at no cost. Town data
    and catalogs only: never a caller's words."""
    words = phrase.split()
    function_words = stopwords(lang)
    if sum(1 for w in words if w not in function_words) < 2:
        return None
    stems = _stemmed(words, lang)
    return stems, tuple(s[:_HEAD] for s in stems)


def _same_stems(words: Sequence[str], heads: set[str], stemmed: list[tuple[str, ...]], phrase: str,
                lang: str) -> bool:
    """The words of a name of several words said in another form, in order. `stemmed`: the
    sentence's stems, computed on the first name that needs them."""
    name = _name_stems(phrase, lang)
    if name is None:
        return False
    wanted, wanted_heads = name
    if not all(h in heads for h in wanted_heads):
        return False
    if not stemmed:
        stemmed.append(_stemmed(words, lang))
    stems, n = stemmed[0], len(wanted)
    return any(stems[i:i + n] == wanted for i in range(len(stems) - n + 1))


def _score(text: str, phrase: str, function_words: frozenset[str] | set[str] = frozenset()) -> float:
    """How well a phrase appears in the text: whole words, allowing recogniser errors."""
    if f" {phrase} " in f" {text} ":
        return 100.0
    if len(phrase) < 3:
        return 0.0  # a two-letter synonym must be said exactly
    if len(phrase) > len(text):
        # A name said alone, shorter than the name it stands for: the article before it
        # ("una licencia de obra" for "licencia de obra mayor") is no part of the name.
        said = without_leading(text, function_words) or text
        return 0.97 * max(fuzz.ratio(phrase, text), fuzz.ratio(phrase, said))
    # partial_ratio aligns the phrase on its best window in the text; a slightly
    # lower score than an exact hit, so exact synonyms win ties. A window that holds only
    # function words ("cans" on the "can" of "can I…") is no name said.
    found = fuzz.partial_ratio_alignment(phrase, text, score_cutoff=THRESHOLD / 0.97)
    if found is None:
        return 0.0
    if all(w in function_words for w in _words_around(text, found.dest_start, found.dest_end)):
        return 0.0
    return 0.97 * found.score


def _words_around(text: str, start: int, end: int) -> list[str]:
    """The whole words a window of the text touches."""
    while start > 0 and text[start - 1] != " ":
        start -= 1
    while end < len(text) and text[end] != " ":
        end += 1
    return text[start:end].split()


def match_synonym(
    text: str, lang: str, synonyms: Mapping[str, Sequence[str]]
) -> list[tuple[str, float]]:
    """Keys whose phrases appear in the text, best first, with scores 0..100."""
    norm = normalize(text, lang) if isinstance(text, str) else ""
    if not norm:
        return []
    scores: dict[str, float] = {}
    said: dict[str, list[str]] = {}  # each key's phrases said word for word
    function_words = stopwords(lang)
    words = norm.split()
    heads = {w[:k] for w in words for k in range(1, _HEAD + 1)}
    stemmed: list[tuple[str, ...]] = []
    for key, phrases in synonyms.items():
        best = 0.0
        for phrase in phrases:
            p = normalize(str(phrase), lang)
            # A name that is a function word alone ("can") is that word in nearly every
            # sentence ("can I put…"): only a longer name ("drink can", "cans") names the thing.
            if p and p not in function_words:
                score = _score(norm, p, function_words)
                if score < SAME_STEMS and _same_stems(words, heads, stemmed, p, lang):
                    score = SAME_STEMS
                best = max(best, score)
                if score == 100.0:
                    said.setdefault(key, []).append(p)
        if best >= THRESHOLD:
            scores[key] = round(best, 1)
    for key in _inside_longer_names(norm, said):
        scores.pop(key, None)
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))


def _inside_longer_names(text: str, said: Mapping[str, list[str]]) -> list[str]:
    """Keys named only by words that are part of a longer name of another key: "construire"
    (building works) inside "permis de construire" (a permit) names the permit alone, as a
    reader takes the longest name that fits."""
    inside = []
    for key, phrases in said.items():
        longer = sorted((p for other, ps in said.items() if other != key for p in ps if len(p) > min(map(len, phrases))),
                        key=len, reverse=True)
        rest = f" {text} "
        for p in longer:
            rest = rest.replace(f" {p} ", " | ")
        if not any(f" {p} " in rest for p in phrases):
            inside.append(key)
    return inside
