"""Numbers and digit strings spoken by a caller."""

from __future__ import annotations

import re

from nlu.normalize import normalize

_INT = re.compile(r"\d+")
# A spoken digit string is rarely longer than a phone number with its prefix.
MAX_DIGITS = 20


def _numbers(text: str, lang: str) -> list[str]:
    if not isinstance(text, str):
        return []
    # threshold 0: "two" alone is a number here, unlike in free text.
    return _INT.findall(normalize(text, lang, number_threshold=0))


def parse_number(text: str, lang: str) -> int | None:
    """One number: "douze" -> 12, "12" -> 12; digits spoken one by one ("one two
    three") join into 123. None when there is no number or too many digits."""
    parts = _numbers(text, lang)
    if not parts:
        return None
    if len(parts) == 1:
        value = parts[0]
    elif all(len(p) == 1 for p in parts):
        value = "".join(parts)  # spoken digit by digit
    else:
        return None  # "twelve and thirty": two numbers, not one
    if len(value) > MAX_DIGITS:
        return None
    return int(value)


# Words a caller may put before a key said as a number ("number one", "el dos", "la touche 3").
_KEY_WORDS = frozenset({"the", "number", "press", "key", "el", "la", "le", "il", "lo", "numero", "tecla", "touche",
                        "tasto", "option", "opcion", "opzione"})


def lone_number(text: str, lang: str) -> int | None:
    """A number said alone, as a caller says a key: "one", "el dos", "deux", "number 3";
    None when the sentence says more ("one sofa", "I'm done")."""
    if not isinstance(text, str):
        return None
    words = normalize(text, lang, number_threshold=0).split()
    numbers = [w for w in words if w.isdigit()]
    if len(numbers) != 1 or len(words) > 2 or any(not w.isdigit() and w not in _KEY_WORDS for w in words):
        return None
    return int(numbers[0]) if len(numbers[0]) <= MAX_DIGITS else None


def parse_digits(text: str, lang: str) -> str | None:
    """A digit string spoken as digits or numbers, keeping leading zeros:
    "zero six twelve" -> "0612". None when nothing numeric was said."""
    digits = "".join(_numbers(text, lang))
    if not digits or len(digits) > MAX_DIGITS:
        return None
    return digits
