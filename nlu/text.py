"""Low-level text helpers shared by the nlu modules (no language knowledge here)."""

from __future__ import annotations

import re
import unicodedata

# Anything that is not a letter or digit separates words: ASR output has little
# punctuation, but typed input (simulator, tests) and catalog examples do.
_NON_WORD = re.compile(r"[^0-9a-z]+")
# Control characters and other binary junk are dropped before anything else so a
# malformed transcript cannot reach the matchers.
_MAX_CHARS = 2000  # a phone utterance is a few hundred characters at most


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def clip(text: str) -> str:
    """Bounds the work done on hostile input (10 000 characters, binary)."""
    if not isinstance(text, str):
        return ""
    return text[:_MAX_CHARS]


def fold(text: str) -> str:
    """Lower case, no accents, only [a-z0-9] words separated by single spaces.

    Letters from other scripts (Cyrillic, CJK...) fold to nothing, so mixed-script
    input keeps only its Latin words.
    """
    text = strip_accents(clip(text).lower())
    # Ligatures NFKD does not split.
    text = text.replace("œ", "oe").replace("æ", "ae").replace("ß", "ss")
    return _NON_WORD.sub(" ", text).strip()


def words(text: str) -> list[str]:
    return text.split()


def wordset(text: str) -> frozenset[str]:
    """Word lists written as one string in the source, for readability."""
    return frozenset(text.split())
