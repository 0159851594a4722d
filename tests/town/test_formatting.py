"""Written formatting for answers in French, English and Spanish."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal

import pytest

from translations.formatting import (
    format_date_long,
    format_day,
    format_list,
    format_money,
    format_span,
    format_time,
)


@pytest.mark.parametrize(
    ("lang", "first", "other"),
    [
        ("fr", "mardi 1er décembre", "samedi 26 décembre"),
        ("en", "Tuesday 1 December", "Saturday 26 December"),
        ("es", "martes 1 de diciembre", "sábado 26 de diciembre"),
    ],
)
def test_days(lang, first, other):
    assert format_day(date(2026, 12, 1), lang) == first
    assert format_day(date(2026, 12, 26), lang) == other


def test_days_with_year_and_verification_dates():
    assert format_day(date(2027, 1, 11), "fr", year=True) == "lundi 11 janvier 2027"
    assert format_date_long(date(2026, 10, 2), "en") == "2 October 2026"
    assert format_date_long(date(2025, 9, 15), "es") == "15 de septiembre de 2025"


@pytest.mark.parametrize(
    ("lang", "seven", "half_six", "noon"),
    [("fr", "19 h", "18 h 30", "12 h"), ("en", "7 p.m.", "6:30 p.m.", "noon"), ("es", "19:00", "18:30", "12:00")],
)
def test_times(lang, seven, half_six, noon):
    assert format_time(time(19), lang) == seven
    assert format_time(time(18, 30), lang) == half_six
    assert format_time(time(12), lang) == noon


def test_money_lists_spans():
    assert format_money(15, "EUR", "fr") == "15 €"
    assert format_money(15, "EUR", "en") == "€15"
    assert format_money(Decimal("15.5"), "EUR", "es") == "15,50 €"
    assert format_list(["A", "B", "C"], "fr") == "A, B et C"
    assert format_list(["A", "B", "C"], "en") == "A, B and C"
    assert format_list(["A", "B", "C"], "es") == "A, B y C"
    assert format_span(time(9), time(12), "fr") == "de 9 h à 12 h"


def test_italian_weekdays_take_their_article():
    """"la domenica" is feminine: "chiuso il domenica" was said before."""
    from datetime import time

    from translations.formatting import format_week

    day = [(time(9), time(12))]
    assert format_week([day] * 6 + [[]], True, "it") == (
        "dal lunedì al sabato, dalle 9:00 alle 12:00; chiuso la domenica e i giorni festivi")
    assert format_week([[]] + [day] * 5 + [[]], False, "it").endswith("chiuso il lunedì e la domenica")
    assert format_week([[]] + [day] * 6, False, "it").startswith("dal martedì alla domenica")


def test_a_french_week_sets_a_space_before_its_semicolons():
    from translations.formatting import format_week

    day = [(time(9), time(12)), (time(14), time(18))]
    fr = format_week([day] * 6 + [[]], True, "fr")
    assert " ; fermé" in fr and "h; " not in fr, fr
    assert "; closed" in format_week([day] * 6 + [[]], True, "en")
