"""Per-language speech formatter: writes numbers, ordinals, dates, times, house numbers and
phone numbers the way the voice should say them ("mardi 1er décembre à 19 h" ->
"mardi premier décembre à dix-neuf heures"). Voices read digits badly and inconsistently
("19 h" becomes "nineteen h"), so every spoken text passes through here first.

Rules run in order, most specific first (phone numbers before times before plain numbers).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from functools import partial

from babel import UnknownLocaleError
from babel.dates import format_date, get_month_names
from num2words import num2words

from voice.stt.base import base_language

_STREET = {
    "fr": r"rue|avenue|av\.|boulevard|bd|chemin|place|allée|impasse|route|quai|cours|square|passage",
    "en": r"street|st\.?|avenue|ave\.?|road|rd\.?|boulevard|blvd\.?|lane|ln\.?|drive|dr\.?|way|court|ct\.?|place|square",
    "es": r"calle|avenida|av\.|paseo|plaza|camino|carrera|bulevar|callejón",
    "it": r"via|viale|v\.le|piazza|p\.zza|corso|c\.so|vicolo|largo|strada|lungomare",
}
_HOUR_WORD = {"fr": ("heure", "heures"), "es": ("hora", "horas")}
_MINUTES_JOIN = {"fr": "", "es": "y", "it": "e"}  # "dix-neuf heures trente", "siete y media", "sette e trenta"
_DECIMAL_COMMA = ("fr", "es", "it")  # "3,50 €", "1 200,50"
_NUMBER_AFTER_STREET = ("es", "it")  # "Calle Mayor 12", "Via Roma 12"
_PERCENT = {"fr": "pour cent", "en": "percent", "es": "por ciento", "it": "per cento"}
_CURRENCY = {"€": {"fr": "euros", "en": "euros", "es": "euros", "it": "euro"},
             "$": {"fr": "dollars", "en": "dollars", "es": "dólares", "it": "dollari"}}


def _words(n: int | float, lang: str, to: str = "cardinal") -> str:
    try:
        return num2words(n, lang=lang, to=to)
    except (NotImplementedError, OverflowError, ValueError):
        return str(n)


def _digits(s: str, lang: str) -> str:
    return " ".join(_words(int(d), lang) for d in s)


def _phone(m: re.Match, lang: str) -> str:
    groups = re.findall(r"\d+", m.group(0))
    if lang == "fr" and all(len(g) == 2 for g in groups):
        # French numbers are read in pairs: "01 23" -> "zéro un, vingt-trois".
        spoken = [(_words(0, lang) + " " + _words(int(g[1]), lang)) if g[0] == "0" else _words(int(g), lang) for g in groups]
    else:
        spoken = [_digits(g, lang) for g in groups]
    return ", ".join(spoken)


def _time(m: re.Match, lang: str) -> str:
    h, mm = int(m.group("h")), int(m.group("m") or 0)
    if h > 24 or mm > 59:
        return m.group(0)
    if lang == "en":
        suffix = (m.group("ampm") or "").lower().replace(".", "")
        hour = _words(h, lang)
        if mm == 0:
            spoken = hour if suffix else f"{hour} o'clock" if h <= 12 else f"{hour} hundred"
        else:
            spoken = f"{hour} {'oh ' if mm < 10 else ''}{_words(mm, lang)}"
        return f"{spoken} {' '.join(suffix.upper())}" if suffix else spoken
    one, many = _HOUR_WORD.get(lang, ("", ""))
    hour = ("une" if lang == "fr" else "una") if h == 1 else _words(h, lang)
    spoken = f"{hour} {one if h == 1 else many}".strip()
    if mm:
        join = _MINUTES_JOIN.get(lang, "")
        spoken += f" {join} {_words(mm, lang)}" if join else f" {_words(mm, lang)}"
    return spoken


def _ordinal_fr(m: re.Match) -> str:
    n, suffix = int(m.group(1)), m.group(2).lower()
    if n == 1:
        return "première" if suffix in ("re", "ère") else "premier"
    return _words(n, "fr", "ordinal")


def _ordinal_es(m: re.Match) -> str:
    word = _words(int(m.group(1)), "es", "ordinal")
    suffix = m.group(2) or m.group(3)
    if suffix in ("ª", "ra", "da", "ta", "va", "na", "ma") and word.endswith("o"):
        return word[:-1] + "a"
    if suffix == "er" and word.endswith("o"):  # "1er piso" -> "primer piso"
        return word[:-1]
    return word


def _money_match(m: re.Match, lang: str, currency: str) -> str:
    return _money(m.group("a") or m.group("b"), lang, currency)


def _money(amount: str, lang: str, currency: str) -> str:
    """"3,50 €" -> "trois euros cinquante": units, currency, then cents, as people say it."""
    sep = "," if lang in _DECIMAL_COMMA else "."
    whole, _, cents = amount.rpartition(sep) if re.search(rf"\{sep}\d{{1,2}}$", amount) else (amount, "", "")
    units = int(re.sub(r"\D", "", whole) or 0)
    spoken = f"{_words(units, lang)} {currency}"
    if cents and int(cents):
        spoken += f" {_words(int(cents.ljust(2, '0')), lang)}"
    return spoken


def _iso_date(m: re.Match, lang: str) -> str:
    try:
        day = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return m.group(0)
    return format_date(day, "full", locale=lang).replace(",", "")


def _day_of_month(m: re.Match, lang: str) -> str:
    if lang == "en":  # "December 1" -> "December first"
        return f"{m.group('month')} {_words(int(m.group('day')), lang, 'ordinal')}"
    day = int(m.group("day"))
    if lang == "fr":
        return f"{'premier' if day == 1 else _words(day, lang)} {m.group('month')}"
    return f"{'primero' if day == 1 else _words(day, lang)} {m.group('sep') or ''}{m.group('month')}"


def _house(m: re.Match, lang: str) -> str:
    n = m.group("n")
    if lang == "en" and len(n) == 4 and n[2] != "0":
        spoken = _words(int(n), lang, "year")  # "1234 Main St" -> "twelve thirty-four"
    else:
        spoken = _words(int(n), lang)
    return f"{spoken}{m.group('rest')}"


def _number(m: re.Match, lang: str) -> str:
    text = m.group(0)
    if lang in _DECIMAL_COMMA:
        text = text.replace("\u202f", "").replace("\xa0", "").replace(" ", "").replace(".", "").replace(",", ".")
    else:
        text = text.replace(",", "")
    try:
        value = float(text) if "." in text else int(text)
    except ValueError:
        return m.group(0)
    return _words(value, lang)


def _rules(lang: str) -> list[tuple[re.Pattern, Callable[[re.Match], str]]]:
    months = "|".join(re.escape(x) for x in get_month_names("wide", locale=lang).values())
    rules: list[tuple[str, Callable[[re.Match], str]]] = [
        (r"\b(\d{4})-(\d{2})-(\d{2})\b", lambda m: _iso_date(m, lang)),
        # Phone numbers: 8+ digits in groups ("01 23 45 67 89", "555-123-4567", "(555) 123-4567").
        (r"(?<![\d,.])\+?\(?\d{2,4}\)?(?:[ .\-]\d{2,4}){2,5}(?![\d,])", lambda m: _phone(m, lang) if len(re.sub(r"\D", "", m.group(0))) >= 8 else m.group(0)),
    ]
    if lang == "en":
        rules.append((r"\b(?P<h>\d{1,2})(?::(?P<m>\d{2}))?\s*(?P<ampm>[ap]\.?m\.?)(?=\W|$)", lambda m: _time(m, lang)))
        rules.append((r"\b(?P<h>\d{1,2}):(?P<m>\d{2})\b(?P<ampm>)", lambda m: _time(m, lang)))
        rules.append((r"\b(\d+)(st|nd|rd|th)\b", lambda m: _words(int(m.group(1)), lang, "ordinal")))
        rules.append((rf"\b(?P<month>{months})\s+(?P<day>\d{{1,2}})\b", lambda m: _day_of_month(m, lang)))
    else:
        rules.append((r"\b(?P<h>\d{1,2})\s?(?:h|hrs?\.?)\s?(?P<m>\d{2})?(?![\w])", lambda m: _time(m, lang)))
        rules.append((r"\b(?P<h>\d{1,2}):(?P<m>\d{2})\b", lambda m: _time(m, lang)))
    if lang == "fr":
        rules.append((r"\b(\d+)(er|re|ère|e|ème|eme)\b", _ordinal_fr))
        rules.append((rf"\b(?P<day>\d{{1,2}})\s+(?P<month>{months})\b", lambda m: _day_of_month(m, lang)))
    if lang == "es":
        rules.append((r"\b(\d+)(?:\.?([ºª])|(er|ra|ro|do|da|to|ta|vo|va|no|na|mo|ma)\b)", _ordinal_es))
        rules.append((rf"\b(?P<day>\d{{1,2}})\s+(?P<sep>de\s+)?(?P<month>{months})\b", lambda m: _day_of_month(m, lang)))
    street = _STREET.get(lang)
    if lang in _NUMBER_AFTER_STREET:  # "Calle Mayor 12": the number follows the street name
        rules.append((rf"(?i)\b(?P<pre>(?:{street})\s[^\d,]{{1,40}}?\s)(?P<n>\d{{1,5}})\b(?P<rest>)", lambda m: m.group("pre") + _house(m, lang)))
    elif lang == "en":  # "1234 Main Street": up to three words of name before the street word
        rules.append((rf"(?i)\b(?P<n>\d{{1,5}})(?P<rest>(?:\s+[^\W\d]+\.?){{0,3}}\s+(?:{street})(?!\w))", lambda m: _house(m, lang)))
    elif street:
        rules.append((rf"(?i)\b(?P<n>\d{{1,5}})(?P<rest>(?:\s+(?:bis|ter))?,?\s+(?:{street})(?!\w))", lambda m: _house(m, lang)))
    amount = r"\d{1,3}(?:[.,\u202f\xa0 ]\d{3})*(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?"
    for symbol, names in _CURRENCY.items():
        word = names.get(lang, names["en"])
        sym = re.escape(symbol)
        rules.append((rf"(?P<a>{amount})\s?{sym}|{sym}\s?(?P<b>{amount})", partial(_money_match, lang=lang, currency=word)))
    if lang in _PERCENT:
        rules.append((r"(\d)\s?%", lambda m: f"{m.group(1)} {_PERCENT[lang]}"))
    # Plain numbers last, with the language's separators ("1 200,50" in French).
    number = r"\d{1,3}(?:[.\u202f\xa0 ]\d{3})+(?:,\d+)?|\d+(?:,\d+)?" if lang in _DECIMAL_COMMA else r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
    rules.append((rf"(?<![\w]){number}(?![\w])", lambda m: _number(m, lang)))
    return [(re.compile(p), f) for p, f in rules]


_CACHE: dict[str, list[tuple[re.Pattern, Callable[[re.Match], str]]]] = {}


def format_for_speech(text: str, language: str) -> str:
    """Return ``text`` with every number-like token written as words for ``language``.

    Languages without rules get plain numbers spelled by num2words when it knows them.
    """
    lang = base_language(language)
    if lang not in _CACHE:
        try:
            _CACHE[lang] = _rules(lang)
        except (UnknownLocaleError, ValueError):  # babel does not know the locale: numbers only
            _CACHE[lang] = [(re.compile(r"\d+"), lambda m: _words(int(m.group(0)), lang))]
    for pattern, replace in _CACHE[lang]:
        text = pattern.sub(replace, text)
    return re.sub(r"\s{2,}", " ", text).strip()
