"""Redaction of personal data in text before it is stored.

Applied to what the caller said (after speech-to-text), to what the assistant said (it may
read back a callback number) and to summaries. Kinds, in the order they are applied (the
most specific first, so that a national ID is not half-taken for a phone number):

- e-mail addresses, written or spoken ("jean point dupont arobase mail point fr")
- national-ID-like numbers: French NIR (13 digits + 2-digit key), Spanish DNI/NIE, US SSN
- card-like numbers: 13 to 19 digits passing the Luhn check
- phone numbers, found by ``phonenumbers`` for the language's country and its neighbours
- number words read out as a long digit sequence ("zéro six douze trente-quatre ...",
  eight digits or more), with ``text2num``
- any other run of nine digits or more (account numbers, IDs nobody listed)

House numbers, postcodes, times and dates stay: they are shorter than any of the above.
A redaction is a bracketed tag ("[phone]") so that the turn still reads sensibly in an audit.
"""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers
from text_to_num import alpha2digit

# The country tried first for each language; the others follow, since a French speaker
# may well give a Spanish or American number.
_REGIONS = {"fr": "FR", "es": "ES", "en": "US"}
_ALL_REGIONS = ("FR", "ES", "US", "GB", "MX", "CA", "BE", "CH")

_SEP = r"[ .\-]?"
# The look-behinds anchor matches at the start of a word: without them a long run of letters
# is retried from every position, which takes seconds on a 20 000-character turn.
EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
SPOKEN_EMAIL = re.compile(
    r"(?<![\w.-])[\w.-]+(?:\s+(?:point|dot|punto)\s+[\w-]+)*\s+(?:arobase|at|arroba)\s+[\w-]+"
    r"(?:\s+(?:point|dot|punto)\s+[\w-]+)+",
    re.IGNORECASE,
)
# Recognisers also write the "at" run into the words ("anna.martinatgmail.com") or a
# written domain after a spoken "at" ("anna martin at gmail.com"). "arobase" and "arroba"
# are in no ordinary word, so any domain after them counts; "at" is in many ("weather.gov.uk",
# "data.gouv.fr"), so run into a word it counts only before a mail provider's name.
_TLD = r"(?:com|net|org|fr|es|eu|uk|us|mx|ca|be|ch|de|it|pt|info|gouv\.fr|co\.uk)"
_PROVIDERS = (
    r"(?:gmail|googlemail|hotmail|outlook|live|msn|yahoo|icloud|me|aol|orange|wanadoo|free|sfr|"
    r"neuf|laposte|bbox|gmx|proton|protonmail|yandex|telefonica|movistar)"
)
GLUED_EMAIL = re.compile(
    rf"(?<![\w.-])(?:[\w.-]+?(?:arobase|arroba)[\w-]+|[\w.-]{{2,}}?at{_PROVIDERS})"
    rf"(?:\.[\w-]+)*\.{_TLD}\b",
    re.IGNORECASE,
)
SPOKEN_AT_WRITTEN_DOMAIN = re.compile(
    rf"(?<![\w.-])[\w.-]+(?:\s+[\w.-]+)?\s+(?:at|arobase|arroba)\s+[\w-]+(?:\.[\w-]+)*\.{_TLD}\b",
    re.IGNORECASE,
)
NIR = re.compile(
    rf"\b[12]{_SEP}\d{{2}}{_SEP}\d{{2}}{_SEP}(?:\d{{2}}|2[ABab]){_SEP}\d{{3}}{_SEP}\d{{3}}"
    rf"(?:{_SEP}\d{{2}})?\b"
)
# The control letter is taken only when attached or after a dash, or in capitals after a
# space, so that "12345678 y" (Spanish "and") is left alone.
DNI = re.compile(r"\b\d{2}\.?\d{3}\.?\d{3}(?:-?[A-Za-z]| [A-Z])\b")
NIE = re.compile(r"\b[XYZxyz][- ]?\d{7}[- ]?[A-Za-z]\b")
SSN = re.compile(r"\b\d{3}[- ]\d{2}[- ]\d{4}\b")
CARD = re.compile(r"\b\d(?:[ \-]?\d){12,22}\b")
LONG_DIGITS = re.compile(r"(?<![\w+])\+?\d(?:[ .\-]?\d){8,}\b")

_DIGIT_WORDS = {
    "en": {
        "zero",
        "oh",
        "o",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "double",
        "triple",
    },
    "fr": {
        "zéro",
        "zero",
        "un",
        "une",
        "deux",
        "trois",
        "quatre",
        "cinq",
        "six",
        "sept",
        "huit",
        "neuf",
    },
    "es": {
        "cero",
        "uno",
        "una",
        "dos",
        "tres",
        "cuatro",
        "cinco",
        "seis",
        "siete",
        "ocho",
        "nueve",
        "doble",
    },
}
_JOINERS = {"and", "et", "y", "-"}
_TOKEN = re.compile(r"[^\s,;:!?()]+")


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _card(match: re.Match[str]) -> str:
    # Try the longest run of whole groups that passes Luhn: "4111 1111 1111 1111 12 25"
    # still yields the card even with an expiry date spoken after it.
    groups = re.split(r"[ \-]", match.group(0))
    for end in range(len(groups), 0, -1):
        digits = "".join(groups[:end])
        if 13 <= len(digits) <= 19 and luhn_ok(digits):
            rest = match.group(0)[len(" ".join(groups[:end])) :]
            return "[card]" + rest
    return match.group(0)


def _fewest_digits() -> int:
    """The fewest digits a number ``PhoneNumberMatcher`` accepts can have: a national number
    of one of our regions, or any country's code and national number."""
    util, meta_of = phonenumbers.phonenumberutil, phonenumbers.PhoneMetadata
    metadata = [(region, meta_of.metadata_for_region(region)) for region in util.SUPPORTED_REGIONS]
    metadata += [("", meta_of.metadata_for_nongeo_region(code)) for code in util.COUNTRY_CODES_FOR_NON_GEO_REGIONS]
    lengths = []
    for region, meta in metadata:
        desc = meta.general_desc if meta else None
        national = [n for n in desc.possible_length if n > 0] if desc and desc.possible_length else []
        if meta is None or not national:
            continue
        lengths.append(len(str(meta.country_code)) + min(national))
        if region in _ALL_REGIONS:
            lengths.append(min(national))
    return min(lengths)


_FEWEST_PHONE_DIGITS = _fewest_digits()
# Digits the matcher could read as one number: joined by at most four of its punctuation
# marks (``phonenumberutil._VALID_PUNCTUATION``: none is a letter or digit, but x and ー).
_DIGIT_RUN = re.compile(r"\d(?:(?:[^\w]|[xXー]){0,4}\d)*")


def _may_hold_phone(text: str) -> bool:
    """False when no run of digits in ``text`` is long enough for a phone number: the
    matcher, slow on the many short numbers of a menu ("appuyez sur 1"), would find none."""
    return any(sum(c.isdigit() for c in m.group(0)) >= _FEWEST_PHONE_DIGITS for m in _DIGIT_RUN.finditer(text))


def _phones(text: str, lang: str) -> str:
    if not _may_hold_phone(text):
        return text
    primary = _REGIONS.get(lang[:2].lower() if lang else "", "FR")
    for region in (primary, *[r for r in _ALL_REGIONS if r != primary]):
        spans = [(m.start, m.end) for m in phonenumbers.PhoneNumberMatcher(text, region)]
        for start, end in reversed(spans):
            text = text[:start] + "[phone]" + text[end:]
    return text


@lru_cache(maxsize=4096)
def _number_word(token: str, lang: str) -> bool:
    """Is the token a number written in words ("douze", "trente-quatre", "seventy")?"""
    if token in _DIGIT_WORDS.get(lang, ()):
        return True
    try:
        converted = alpha2digit(token, lang)
    except Exception:  # an unsupported language: only digit words above count
        return False
    return converted != token and bool(re.fullmatch(r"[\d\s.,]+", converted))


def _digit_count(words: list[str], lang: str) -> int:
    spoken: list[str] = []
    repeat = 1
    for word in words:
        if word in ("double", "doble", "triple"):
            repeat = 3 if word == "triple" else 2
            continue
        # "oh six one seven": English callers say "oh" for zero; separate words so that
        # "double five" counts as two digits and not as 55 written once.
        spoken.extend([("zero" if word in ("oh", "o") else word)] * repeat)
        repeat = 1
    try:
        converted = alpha2digit(" ".join(spoken), lang)
    except Exception:
        converted = " ".join(spoken)
    return sum(ch.isdigit() for ch in converted)


def _spoken_numbers(text: str, lang: str, min_digits: int = 8) -> str:
    lang = (lang or "en")[:2].lower()
    tokens = [(m.start(), m.end(), m.group(0).strip(".").lower()) for m in _TOKEN.finditer(text)]
    runs: list[tuple[int, int, list[str]]] = []
    current: list[tuple[int, int, str]] = []

    def close() -> None:
        while current and current[-1][2] in _JOINERS:
            current.pop()
        if current:
            runs.append((current[0][0], current[-1][1], [w for _, _, w in current]))
        current.clear()

    for start, end, word in tokens:
        numeric = word.isdigit() or _number_word(word, lang)
        if numeric or (current and word in _JOINERS):
            current.append((start, end, word))
        else:
            close()
    close()
    for start, end, words in reversed(runs):
        has_word = any(not w.isdigit() for w in words if w not in _JOINERS)
        if has_word and _digit_count(words, lang) >= min_digits:
            text = text[:start] + "[number]" + text[end:]
    return text


def redact(text: str | None, lang: str | None = None) -> str | None:
    """``text`` with personal data replaced by tags; ``lang`` is "fr", "en", "es"…"""
    if not text:
        return text
    lang = lang or "en"
    text = EMAIL.sub("[email]", text)
    text = SPOKEN_EMAIL.sub("[email]", text)
    text = SPOKEN_AT_WRITTEN_DOMAIN.sub("[email]", text)
    text = GLUED_EMAIL.sub("[email]", text)
    text = NIR.sub("[national-id]", text)
    text = NIE.sub("[national-id]", text)
    text = DNI.sub("[national-id]", text)
    text = SSN.sub("[national-id]", text)
    text = CARD.sub(_card, text)
    text = _phones(text, lang)
    text = _spoken_numbers(text, lang)
    return LONG_DIGITS.sub("[number]", text)
