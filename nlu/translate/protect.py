"""Keeps what must not be translated out of the engines' reach.

Street names, numbers and {placeholders} are swapped for opaque markers before
translating and put back afterwards. A marker the engine lost or mangled makes the
translation unusable (`restore` returns None) and the chain tries the next engine.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_PLACEHOLDER = re.compile(r"\{[^{}]*\}")
_NUMBER = re.compile(r"\d+(?:[.,:h]\d+)*")
# Markers: letters no engine knows as a word, kept in upper case (both apertium and
# argos pass unknown upper-case tokens through). The digit-free index is spelled in
# letters so the number protection does not catch it.
_LETTERS = "QWXZJKVY"


def _marker(i: int) -> str:
    digits = ""
    while True:
        digits = _LETTERS[i % len(_LETTERS)] + digits
        i //= len(_LETTERS)
        if i == 0:
            break
    return f"ZQX{digits}"


# Two placeholders side by side ("{number}{also}") give two markers side by side: a marker
# ends where the next one starts.
_MARKER = re.compile(r"ZQX[" + _LETTERS + r"]+?(?=ZQX|[^" + _LETTERS + r"]|$)", re.IGNORECASE)


def protect(text: str, terms: Sequence[str] = ()) -> tuple[str, dict[str, str]]:
    """Returns the text with markers and the marker -> original mapping."""
    mapping: dict[str, str] = {}

    def sub(match: re.Match[str]) -> str:
        key = _marker(len(mapping))
        mapping[key] = match.group(0)
        return key

    out = _PLACEHOLDER.sub(sub, text)
    # Longest terms first, so "Allée des Tilleuls Prolongée" wins over its prefix.
    for term in sorted({t for t in terms if t}, key=len, reverse=True):
        out = re.sub(r"(?<!\w)" + re.escape(term) + r"(?!\w)", sub, out, flags=re.IGNORECASE)
    out = _NUMBER.sub(sub, out)
    return out, mapping


def restore(text: str, mapping: dict[str, str]) -> str | None:
    """Puts the originals back; None when a marker went missing or was duplicated."""
    if not mapping:
        return text
    found = [m.upper() for m in _MARKER.findall(text)]
    if sorted(found) != sorted(mapping):
        return None
    return _MARKER.sub(lambda m: mapping[m.group(0).upper()], text)
