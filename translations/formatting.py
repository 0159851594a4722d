"""Written-language formatting for answers: days, times, money and lists, per language.

Handlers build sentences with these; the voice layer later turns digits into words.
French says "mardi 1er décembre" and "19 h", English "Tuesday 1 December" and "7 p.m.",
Spanish "martes 1 de diciembre" and "19:00".
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time
from decimal import Decimal
from typing import Literal

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.lists import format_list as babel_list
from babel.numbers import format_currency, format_decimal

# Day patterns babel cannot guess from the locale alone (its "long" formats add the year).
DAY_PATTERNS = {"fr": "EEEE d MMMM", "en": "EEEE d MMMM", "es": "EEEE d 'de' MMMM", "it": "EEEE d MMMM"}


def _locale(lang: str) -> str:
    try:
        Locale.parse(lang)
        return lang
    except (ValueError, UnknownLocaleError):
        return "en"


def format_day(day: date | datetime, lang: str, *, year: bool = False) -> str:
    """Weekday and date: "mardi 1er décembre", "Tuesday 1 December", "martes 1 de diciembre"."""
    if isinstance(day, datetime):
        day = day.date()
    pattern = DAY_PATTERNS.get(lang, "EEEE d MMMM")
    if year:
        pattern += " 'de' y" if lang == "es" else " y"
    text = format_date(day, pattern, locale=_locale(lang))
    if lang == "fr" and day.day == 1:
        # French says "le 1er" (premier) but "le 2" (deux).
        words = text.split(" ")
        text = " ".join(["1er" if (w == "1" and i == 1) else w for i, w in enumerate(words)])
    return text


def format_date_long(day: date | datetime, lang: str) -> str:
    """A date without its weekday, with the year: "2 octobre 2026", "2 October 2026",
    "2 de octubre de 2026" (how a verification date is said)."""
    text = format_day(day, lang, year=True)
    return text.split(" ", 1)[1]


def format_time(moment: time | datetime, lang: str) -> str:
    """"19 h" / "18 h 30"; "7 p.m." / "6:30 p.m."; "19:00" / "18:30"."""
    if isinstance(moment, datetime):
        moment = moment.time()
    if lang == "fr":
        return f"{moment.hour} h" + (f" {moment.minute:02d}" if moment.minute else "")
    if lang == "en":
        hour = moment.hour % 12 or 12
        suffix = "a.m." if moment.hour < 12 else "p.m."
        if moment.hour == 12 and moment.minute == 0:
            return "noon"
        return f"{hour}:{moment.minute:02d} {suffix}" if moment.minute else f"{hour} {suffix}"
    return f"{moment.hour}:{moment.minute:02d}"


def format_money(amount: Decimal | int | float, currency: str, lang: str) -> str:
    """"15 €", "€15", "15 €"; cents only when there are some ("15,50 €")."""
    value = Decimal(str(amount))
    locale = _locale(lang)
    return _plain_spaces(_money(value, currency, locale))


def _plain_spaces(text: str) -> str:
    # babel puts no-break spaces in amounts; spoken text has no line to break, and plain
    # spaces keep the voice layer's word splitting simple.
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def _money(value: Decimal, currency: str, locale: str) -> str:
    pattern = Locale.parse(locale).currency_formats["standard"].pattern
    if value == value.to_integral_value():
        pattern = pattern.replace(".00", "")
        return format_currency(value, currency, format=pattern, locale=locale, currency_digits=False)
    return format_currency(value, currency, locale=locale)


def format_number(value: Decimal | int | float, lang: str) -> str:
    return _plain_spaces(format_decimal(value, locale=_locale(lang)))


ListStyle = Literal[
    "standard", "standard-short", "or", "or-short", "unit", "unit-short", "unit-narrow"
]


def format_list(items: Sequence[str], lang: str, style: ListStyle = "standard") -> str:
    """"A, B et C", "A, B and C", "A, B y C"."""
    items = [i for i in items if i]
    if not items:
        return ""
    text = babel_list(items, style=style, locale=_locale(lang))
    # babel's English uses the serial comma; the British style our English prompts use does not.
    return text.replace(", and ", " and ") if lang == "en" else text


def format_span(start: time, end: time, lang: str) -> str:
    """"de 9 h à 12 h", "from 9 a.m. to noon", "de 9:00 a 12:00"."""
    a, b = format_time(start, lang), format_time(end, lang)
    return {"fr": f"de {a} à {b}", "es": f"de {a} a {b}", "it": f"dalle {a} alle {b}"}.get(lang, f"from {a} to {b}")


_WEEK_WORDS = {
    "fr": {"range": "du {a} au {b}", "and": "et", "closed": "fermé le {days}", "holidays": "les jours fériés",
           "plural": False, "then": " ; "},  # French sets a space before a semicolon
    "es": {"range": "de {a} a {b}", "and": "y", "closed": "cerrado el {days}", "holidays": "los días festivos",
           "plural": False, "then": "; "},
    "en": {"range": "{a} to {b}", "and": "and", "closed": "closed on {days}", "holidays": "public holidays",
           "plural": True, "then": "; "},
    "it": {"range": "{a} {b}", "and": "e", "closed": "chiuso {days}", "holidays": "i giorni festivi",
           "plural": False, "then": "; "},
}


# Languages whose weekdays take an article that joins the word before it, by role: the first
# day of a range ("dal lunedì"), its last ("alla domenica"), a day alone ("il lunedì");
# masculine and feminine forms, and the days that are feminine.
_DAY_ARTICLES: dict[str, tuple[dict[str, tuple[str, str]], frozenset[str]]] = {
    "it": ({"from": ("dal", "dalla"), "to": ("al", "alla"), "on": ("il", "la")}, frozenset({"domenica"})),
}


def _day_with_article(name: str, role: str, lang: str) -> str:
    if lang not in _DAY_ARTICLES:
        return name
    forms, feminine = _DAY_ARTICLES[lang]
    return f"{forms[role][name in feminine]} {name}"


def _weekday(index: int, lang: str, plural: bool = False) -> str:
    name = format_date(date(2024, 1, 1 + index), "EEEE", locale=_locale(lang))  # 1 Jan 2024 was a Monday
    return name + "s" if plural else name


def format_week(spans: Sequence[Sequence[tuple[time, time]]], closed_on_holidays: bool, lang: str) -> str:
    """Opening hours for a week, as data gives them (7 lists of spans, Monday first):
    "Monday to Saturday, from 9 a.m. to noon and from 2 p.m. to 6 p.m.; closed on Sundays
    and public holidays"."""
    words = _WEEK_WORDS.get(lang, _WEEK_WORDS["en"])
    groups: list[tuple[int, int, tuple[tuple[time, time], ...]]] = []
    for i, day in enumerate(spans):
        key = tuple(day)
        if key and groups and groups[-1][2] == key and groups[-1][1] == i - 1:
            groups[-1] = (groups[-1][0], i, key)
        elif key:
            groups.append((i, i, key))
    parts = []
    for first, last, day_spans in groups:
        days = _weekday(first, lang) if first == last else str(words["range"]).format(
            a=_day_with_article(_weekday(first, lang), "from", lang),
            b=_day_with_article(_weekday(last, lang), "to", lang))
        if last == first + 1:
            days = format_list([_weekday(first, lang), _weekday(last, lang)], lang)
        hours = format_list([format_span(a, b, lang) for a, b in day_spans], lang)
        parts.append(f"{days}, {hours}")
    closed = [_day_with_article(_weekday(i, lang, bool(words["plural"])), "on", lang)
              for i, day in enumerate(spans) if not day]
    if closed_on_holidays:
        closed.append(str(words["holidays"]))
    then = str(words["then"])
    text = then.join(parts)
    if closed:
        text += then + str(words["closed"]).format(days=format_list(closed, lang))
    return text
