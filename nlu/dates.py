"""Dates a caller says, relative to the call's clock.

"demain", "mardi prochain", "next Tuesday", "el próximo martes", "le 14 janvier",
"today"; ranges ("this week", "cette semaine", "en janvier") come from `parse_date_range`.
Words are compared folded (no accents), after `normalize`.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from nlu.normalize import normalize
from nlu.text import fold

_WEEKDAYS = {
    "en": ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"],
    "fr": ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"],
    "es": ["lunes", "martes", "miercoles", "jueves", "viernes", "sabado", "domingo"],
    "it": ["lunedi", "martedi", "mercoledi", "giovedi", "venerdi", "sabato", "domenica"],
}
_MONTHS = {
    "en": "january february march april may june july august september october november december",
    "fr": "janvier fevrier mars avril mai juin juillet aout septembre octobre novembre decembre",
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre",
    "it": "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre dicembre",
}
# Day offsets; longest phrases are tried first ("apres demain" before "demain").
_RELATIVE = {
    "en": {"today": 0, "tonight": 0, "tomorrow": 1, "day after tomorrow": 2, "yesterday": -1},
    "fr": {
        "aujourd hui": 0,
        "ce soir": 0,
        "demain": 1,
        "apres demain": 2,
        "hier": -1,
        "aujourdhui": 0,
    },
    "es": {"hoy": 0, "esta noche": 0, "manana": 1, "pasado manana": 2, "ayer": -1},
    "it": {"oggi": 0, "stasera": 0, "domani": 1, "dopodomani": 2, "dopo domani": 2, "ieri": -1},
}
# Words before a month named alone ("en janvier", "in march", "a gennaio"): without one, a
# month's name is taken only as the whole answer ("may I…" names no month).
_IN_MONTH = {"en": {"in", "of", "during", "for"}, "fr": {"en", "de", "mois", "d", "pour"},
             "es": {"en", "de", "mes", "para"}, "it": {"a", "ad", "in", "di", "mese", "per"}}
_NEXT = {"en": {"next"}, "fr": {"prochain", "prochaine"}, "es": {"proximo", "proxima", "que viene"},
         "it": {"prossimo", "prossima"}}
_THIS_WEEK = {
    "en": ["this week"],
    "fr": ["cette semaine"],
    "es": ["esta semana"],
    "it": ["questa settimana"],
}
_NEXT_WEEK = {
    "en": ["next week"],
    "fr": ["semaine prochaine"],
    "es": ["semana que viene", "proxima semana", "semana proxima"],
    "it": ["settimana prossima", "prossima settimana"],
}


def _base(lang: str) -> str:
    return lang.split("-")[0].lower()


def _has(text: str, phrase: str) -> bool:
    return f" {phrase} " in f" {text} "


def weekday_names(lang: str) -> list[str]:
    """Monday first, folded."""
    if _base(lang) in _WEEKDAYS:
        return _WEEKDAYS[_base(lang)]
    from babel.dates import get_day_names  # other languages a city adds

    names = get_day_names("wide", locale=_base(lang))
    return [fold(names[i]) for i in range(7)]


def month_names(lang: str) -> list[str]:
    """January first, folded."""
    if _base(lang) in _MONTHS:
        return _MONTHS[_base(lang)].split()
    from babel.dates import get_month_names

    names = get_month_names("wide", locale=_base(lang))
    return [fold(names[i]) for i in range(1, 13)]


def _day_month(text: str, lang: str, today: date) -> date | None:
    """ "le 14 janvier", "january 14th", "el 14 de enero": the next such date."""
    months = month_names(lang)
    tokens = text.split()
    for i, tok in enumerate(tokens):
        if tok not in months:
            continue
        month = months.index(tok) + 1
        near = tokens[max(0, i - 3) : i] + tokens[i + 1 : i + 3]
        for cand in near:
            m = re.fullmatch(r"(\d{1,2})(?:st|nd|rd|th|er)?", cand)
            if m and 1 <= int(m.group(1)) <= 31:
                for year in (today.year, today.year + 1):
                    try:
                        d = date(year, month, int(m.group(1)))
                    except ValueError:
                        break
                    # A date already past this year is meant for next year.
                    if d >= today - timedelta(days=1):
                        return d
    return None


def _day_alone(text: str, today: date) -> date | None:
    """ "on the 15th", "le 1er": that day of this month, or of the next when it is past. A
    bare number is not taken: it is more often a house number or an hour."""
    for tok in text.split():
        m = re.fullmatch(r"(\d{1,2})(?:st|nd|rd|th|er)", tok)
        if not m or not 1 <= int(m.group(1)) <= 31:
            continue
        year, month = today.year, today.month
        for _ in range(3):  # the 31st may skip a month that has none
            try:
                d = date(year, month, int(m.group(1)))
            except ValueError:
                d = None
            if d is not None and d >= today:
                return d
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return None


def parse_date(text: str, lang: str, now: datetime) -> date | None:
    """One day, or None (also for ranges such as "this week")."""
    if not isinstance(text, str):
        return None
    norm = normalize(text, lang, number_threshold=0)
    today = now.date()
    base = _base(lang)
    if not norm:
        return None
    if any(_has(norm, p) for p in _THIS_WEEK.get(base, []) + _NEXT_WEEK.get(base, [])):
        return None
    for phrase, offset in sorted(_RELATIVE.get(base, {}).items(), key=lambda kv: -len(kv[0])):
        # "mañana" folds to "manana", which is also "morning"; "por la mañana" is not a day.
        if (
            base == "es"
            and phrase == "manana"
            and len(re.findall(r"\bmanana\b", norm))
            <= len(re.findall(r"\b(?:la|esta) manana\b", norm))
        ):
            continue
        if _has(norm, phrase):
            return today + timedelta(days=offset)
    found = _day_month(norm, lang, today) or _day_alone(norm, today)
    if found:
        return found
    weekdays = weekday_names(lang)
    for idx, name in enumerate(weekdays):
        if _has(norm, name):
            ahead = (idx - today.weekday()) % 7
            is_next = any(_has(norm, w) for w in _NEXT.get(base, set()))
            if ahead == 0 and is_next:
                ahead = 7  # "next Tuesday" said on a Tuesday
            return today + timedelta(days=ahead)
    return None


def names_a_day(text: str, lang: str) -> bool:
    """Whether the sentence names one day ("next Thursday", "tomorrow", "on the 15th"),
    whichever day it is: the reference day only decides which date that is."""
    return parse_date(text, lang, datetime(2026, 1, 5)) is not None


# Days callers name by their feast ("after Christmas"), as (month, day).
_FEASTS = {
    "en": {"christmas": (12, 25), "christmas day": (12, 25), "new year": (1, 1), "new year s day": (1, 1),
           "new years day": (1, 1)},
    "fr": {"noel": (12, 25), "nouvel an": (1, 1), "jour de l an": (1, 1), "fetes": (12, 31)},
    "es": {"navidad": (12, 25), "navidades": (12, 25), "ano nuevo": (1, 1), "fiestas": (12, 31), "reyes": (1, 6)},
    "it": {"natale": (12, 25), "capodanno": (1, 1), "feste": (12, 31), "befana": (1, 6)},
}
# "After …": the words that start a day or a month the caller means "from then on".
_AFTER = {"en": ("after",), "fr": ("apres",), "es": ("despues de", "despues del", "despues"),
          "it": ("dopo",)}


def parse_after(text: str, lang: str, now: datetime) -> date | None:
    """The first day after the day, the month or the feast said after "after" ("after
    Christmas", "après le 15 janvier", "después de enero", "dopo natale"), or None."""
    if not isinstance(text, str):
        return None
    from nlu.stopwords import stopwords, without_leading

    norm = f" {normalize(text, lang, number_threshold=0)} "
    base = _base(lang)
    # "après-demain", "the day after tomorrow", "dopo domani" name one day: no "after" in them.
    for phrase in _RELATIVE.get(base, {}):
        if any(f" {word} " in f" {phrase} " for word in _AFTER.get(base, ())):
            norm = norm.replace(f" {phrase} ", " | ")
    for word in _AFTER.get(base, ()):
        at = norm.find(f" {word} ")
        if at < 0:
            continue
        rest = without_leading(norm[at + len(word) + 2:], stopwords(lang))
        for feast, (month, day) in sorted(_FEASTS.get(base, {}).items(), key=lambda kv: -len(kv[0])):
            if rest == feast or rest.startswith(feast + " "):
                today = now.date()
                when = date(today.year, month, day)
                if when < today:
                    when = date(today.year + 1, month, day)
                return when + timedelta(days=1)
        day_said = parse_date(rest, lang, now)
        if day_said is not None:
            return day_said + timedelta(days=1)
        span = parse_month(rest, lang, now)
        if span is not None:
            return span[1] + timedelta(days=1)
    return None


def names_a_month(text: str, lang: str) -> bool:
    """Whether the sentence names a month without a day ("in january")."""
    return parse_month(text, lang, datetime(2026, 1, 5)) is not None


def parse_month(text: str, lang: str, now: datetime) -> tuple[date, date] | None:
    """A month named without a day ("en janvier", "in march", "a gennaio", "janvier"): its
    first and last day, this year or, when it is past, next year; the current month from
    today. None when a day is named too (that is `parse_date`)."""
    if not isinstance(text, str) or parse_date(text, lang, now) is not None:
        return None
    norm = normalize(text, lang, number_threshold=0)
    tokens = norm.split()
    months = month_names(lang)
    before = _IN_MONTH.get(_base(lang), set())
    for i, tok in enumerate(tokens):
        if tok not in months or not (len(tokens) == 1 or (i > 0 and tokens[i - 1] in before)):
            continue
        month, today = months.index(tok) + 1, now.date()
        year = today.year + (1 if month < today.month else 0)
        first = today if (year, month) == (today.year, today.month) else date(year, month, 1)
        following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
        return first, following - timedelta(days=1)
    return None


def parse_date_range(text: str, lang: str, now: datetime) -> tuple[date, date] | None:
    """ "this week" / "next week" as (first day, last day), Monday to Sunday; a single
    day as (day, day)."""
    if not isinstance(text, str):
        return None
    norm = normalize(text, lang, number_threshold=0)
    base = _base(lang)
    monday = now.date() - timedelta(days=now.weekday())
    if any(_has(norm, p) for p in _NEXT_WEEK.get(base, [])):
        start = monday + timedelta(days=7)
        return start, start + timedelta(days=6)
    if any(_has(norm, p) for p in _THIS_WEEK.get(base, [])):
        return now.date(), monday + timedelta(days=6)
    day = parse_date(text, lang, now)
    return (day, day) if day else parse_month(text, lang, now)
