"""The next meeting asked with a day named is a question about that day."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from civicline.callers_eval import first_sentence, what_was_heard
from civicline.config import load_config
from civicline.wiring import load_runtime
from flows.dialog import Engine
from flows.model import MenuNode
from nlu.dates import names_a_day

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 12, 1, 10, 15, tzinfo=ZoneInfo("Europe/Paris"))  # a Tuesday


@pytest.fixture(scope="module")
def runtime():
    return load_runtime(load_config(ROOT / "civicline.toml", env={"CIVICLINE_LANGUAGES": "fr,en,es,it"}))


@pytest.mark.parametrize(("lang", "said", "day"), [
    ("fr", "le conseil municipal il se reunit mardi prochain", "8 décembre"),
    ("fr", "est-ce qu'il y a un conseil municipal lundi prochain", "7 décembre"),
    ("en", "is there a council meeting next thursday", "3 December"),
])
def test_a_day_named_is_answered_for_that_day(runtime, lang, said, day):
    step = first_sentence(Engine(runtime), lang, said, NOW)
    assert what_was_heard(step) == "meetings.on_date"
    assert day in " ".join(str(getattr(a, "text", "")) for a in step.actions)


@pytest.mark.parametrize(("lang", "said", "heard"), [
    ("fr", "c'est quand le prochain conseil municipal", "meetings.next"),
    ("it", "quando e il prossimo consiglio comunale", "meetings.next"),
    ("fr", "le prochain conseil cette semaine", "meetings.week"),
])
def test_without_a_day_the_next_meeting_stays_the_next(runtime, lang, said, heard):
    assert what_was_heard(first_sentence(Engine(runtime), lang, said, NOW)) == heard


def test_a_menu_without_the_question_for_a_day_keeps_the_next_meeting(runtime):
    only = ["meetings.next", "meetings.week"]
    decision = runtime.understanding.decide("le conseil municipal il se reunit mardi prochain", "fr", only)
    assert decision.intent == "meetings.next"
    assert isinstance(runtime.flows.nodes["meetings.start"], MenuNode)


@pytest.mark.parametrize(("lang", "said", "named"), [
    ("fr", "jeudi prochain", True), ("it", "domani sera", True), ("en", "on the 15th", True),
    ("fr", "le prochain conseil", False), ("es", "esta semana", False),
])
def test_a_day_named_whatever_the_day_it_is(lang, said, named):
    assert names_a_day(said, lang) is named


@pytest.mark.parametrize(("said", "lang", "today", "day"), [
    ("on the 15th", "en", 1, "2026-12-15"), ("le 1er", "fr", 1, "2026-12-01"), ("on the 15th", "en", 20, "2027-01-15"),
    ("le 1er", "fr", 20, "2027-01-01"), ("the 31st", "en", 1, "2026-12-31"),
])
def test_a_day_of_the_month_alone_is_this_month_or_the_next(said, lang, today, day):
    from nlu.dates import parse_date

    assert str(parse_date(said, lang, NOW.replace(day=today))) == day


def test_a_bare_number_is_no_day():
    from nlu.dates import parse_date

    assert parse_date("au 12 rue du port", "fr", NOW) is None


@pytest.mark.parametrize(("said", "lang", "first", "last"), [
    ("en janvier", "fr", "2027-01-01", "2027-01-31"), ("janvier", "fr", "2027-01-01", "2027-01-31"),
    ("in december", "en", "2026-12-01", "2026-12-31"), ("a gennaio", "it", "2027-01-01", "2027-01-31"),
    ("en febrero", "es", "2027-02-01", "2027-02-28"), ("anything on in may", "en", "2027-05-01", "2027-05-31"),
])
def test_a_month_named_is_its_days_this_year_or_next(said, lang, first, last):
    from nlu.dates import parse_month

    assert tuple(map(str, parse_month(said, lang, NOW.replace(day=20)) or ())) == (
        first if first != "2026-12-01" else "2026-12-20", last)


@pytest.mark.parametrize(("said", "lang"), [("may i ask something", "en"), ("le 14 janvier", "fr"), ("mars attacks", "en")])
def test_no_month_without_its_preposition_or_with_a_day(said, lang):
    from nlu.dates import parse_month

    assert parse_month(said, lang, NOW) is None


@pytest.mark.parametrize(("lang", "said", "expected"), [
    ("fr", "il y a une reunion du conseil en janvier", ["En janvier 2027", "11 janvier 2027", "13 janvier 2027"]),
    ("es", "hay algun pleno en enero", ["En enero de 2027", "11 de enero de 2027"]),
    ("en", "any council meetings in january", ["In January 2027", "11 January 2027"]),
])
def test_a_month_named_at_the_first_sentence_is_answered_for_that_month(runtime, lang, said, expected):
    step = first_sentence(Engine(runtime), lang, said, NOW)
    text = " ".join(str(getattr(a, "text", "")) for a in step.actions)
    assert what_was_heard(step) == "meetings.on_date", text
    assert all(e in text for e in expected), text


@pytest.mark.parametrize(("said", "lang", "day"), [
    ("when is the next council meeting after christmas", "en", "2026-12-26"),
    ("le prochain conseil apres noel", "fr", "2026-12-26"), ("le prochain conseil après le 15 janvier", "fr", "2027-01-16"),
    ("el pleno despues de enero", "es", "2027-02-01"), ("il prossimo consiglio dopo capodanno", "it", "2027-01-02"),
    ("when is the next council meeting", "en", "None"), ("what happens after that", "en", "None"),
    # One day named with the word for "after" in it: not "after".
    ("le prochain conseil c'est apres demain", "fr", "None"), ("is it the day after tomorrow", "en", "None"),
    ("il consiglio dopo domani", "it", "None"),
])
def test_after_a_day_a_month_or_a_feast(said, lang, day):
    from nlu.dates import parse_after

    assert str(parse_after(said, lang, NOW)) == day


def test_a_meeting_found_after_new_year_is_still_said_from_today(runtime):
    """The search starts after the day named; the answer is said from today, so a meeting of
    next year keeps its year."""
    step = first_sentence(Engine(runtime), "en", "when is the next council meeting after new year", NOW)
    text = " ".join(str(getattr(a, "text", "")) for a in step.actions)
    assert what_was_heard(step) == "meetings.next" and "11 January 2027" in text, text
