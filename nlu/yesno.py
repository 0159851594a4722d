"""Yes / no, and a greeting said alone, from what the caller said (the keypad 1/2 is the
engine's business): the short answers that are not a request."""

from __future__ import annotations

from collections.abc import Sequence

from rapidfuzz import fuzz

from nlu.normalize import normalize

# A one-word answer the recogniser garbled ("yess", "ouai") still counts from here.
_FUZZY_CUTOFF = 85.0


def _phrases(words: Sequence[str], lang: str) -> list[str]:
    out = {normalize(str(w), lang) for w in words}
    return sorted((p for p in out if p), key=len, reverse=True)


def _consume(text: str, phrases: list[str]) -> tuple[str, int]:
    """Removes whole-word occurrences of the phrases, longest first, and counts them."""
    padded = f" {text} "
    count = 0
    for p in phrases:
        needle = f" {p} "
        while needle in padded:
            padded = padded.replace(needle, " ", 1)
            count += 1
    return padded.strip(), count


def parse_yes_no(
    text: str, lang: str, yes_words: Sequence[str], no_words: Sequence[str]
) -> bool | None:
    """True for yes, False for no, None when neither or both were said."""
    norm = normalize(text, lang) if isinstance(text, str) else ""
    if not norm:
        return None
    yes, no = _phrases(yes_words, lang), _phrases(no_words, lang)
    # Longest phrases first across both lists, so "no thank you" is consumed before
    # a yes phrase inside it could be, and "ce n est pas ca" before "c est ca".
    rest = norm
    counts = {True: 0, False: 0}
    for phrase, value in sorted(
        [(p, True) for p in yes] + [(p, False) for p in no], key=lambda pv: -len(pv[0])
    ):
        rest, n = _consume(rest, [phrase])
        counts[value] += n
    if counts[True] and not counts[False]:
        return True
    if counts[False] and not counts[True]:
        return False
    if counts[True] or counts[False]:
        return None  # "yes no", "oui non": the caller hesitated, ask again
    # Nothing exact: a short, garbled answer ("yess", "nop").
    if len(norm.split()) <= 2:
        best_yes = max((fuzz.ratio(norm, p) for p in yes), default=0.0)
        best_no = max((fuzz.ratio(norm, p) for p in no), default=0.0)
        if max(best_yes, best_no) >= _FUZZY_CUTOFF and best_yes != best_no:
            return best_yes > best_no
    return None


def greeting_only(text: str, lang: str, greetings: Sequence[str]) -> bool:
    """Only a greeting ("bonjour", "allô oui bonjour madame", "buenas tardes"): nothing
    asked yet. A greeting before a request ("hello, when is the bin collected?") is not."""
    norm = normalize(text, lang) if isinstance(text, str) else ""
    if not norm:
        return False
    rest, count = _consume(norm, _phrases(greetings, lang))
    return count > 0 and not rest
