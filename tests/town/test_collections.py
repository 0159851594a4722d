"""Collection schedules: weekly and fortnightly rules, the holiday shift (Christmas and
New Year 2026, Easter Monday), the green waste season, the recycling centre's hours."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest


def _rules(town):
    """The demo town's one service, computed from rules."""
    return town.collections.services["zone"].zones["A"].source.rules


def _days(town, zone, kind, start, end):
    return [c.day for c in _rules(town).between(zone, start, end, kind)]


def test_household_weekly_days_by_zone(town):
    weekdays = {"A": 1, "B": 2, "C": 0}  # Tuesday, Wednesday, Monday
    for zone, weekday in weekdays.items():
        days = _days(town, zone, "household", date(2026, 10, 5), date(2026, 10, 31))
        assert len(days) == 4
        assert all(d.weekday() == weekday for d in days)
        assert all((b - a).days == 7 for a, b in zip(days, days[1:], strict=False))


@pytest.mark.parametrize(("zone", "anchor"), [("A", date(2026, 1, 8)), ("B", date(2026, 1, 15)), ("C", date(2026, 1, 9))])
def test_recycling_every_second_week_from_its_anchor(town, zone, anchor):
    days = _days(town, zone, "recycling", date(2026, 9, 1), date(2026, 10, 31))
    assert days and all((d - anchor).days % 14 == 0 for d in days)
    assert all((b - a).days == 14 for a, b in zip(days, days[1:], strict=False))


def test_christmas_friday_moves_zone_c_recycling_to_saturday(town):
    found = _rules(town).between("C", date(2026, 12, 21), date(2026, 12, 27), "recycling")
    assert [c.day for c in found] == [date(2026, 12, 26)]
    assert found[0].planned == date(2026, 12, 25) and found[0].day.weekday() == 5
    assert found[0].holiday == date(2026, 12, 25)
    assert town.collections.next_of_kind({"zone": "C"}, "recycling", date(2026, 12, 21)).day == date(2026, 12, 26)


def test_collections_before_the_holiday_in_its_week_stay(town):
    # Zone A: household Tue 22 Dec and recycling Thu 24 Dec are before Friday's holiday.
    days = [(c.kind, c.day) for c in _rules(town).between("A", date(2026, 12, 21), date(2026, 12, 27))]
    assert ("household", date(2026, 12, 22)) in days
    assert ("recycling", date(2026, 12, 24)) in days


def test_new_year_friday_2027(town):
    # Zone B recycling falls on Thursday 31 December: before the holiday, unchanged.
    assert _days(town, "B", "recycling", date(2026, 12, 28), date(2027, 1, 3)) == [date(2026, 12, 31)]
    # Zone C recycling is not that week; its next one is Friday 8 January, unshifted.
    nxt = town.collections.next_of_kind({"zone": "C"}, "recycling", date(2026, 12, 27))
    assert nxt.day == date(2027, 1, 8) and nxt.planned == nxt.day
    # Zone C household on Monday 28 December is before the holiday.
    assert _days(town, "C", "household", date(2026, 12, 28), date(2027, 1, 3)) == [date(2026, 12, 28)]


def test_easter_monday_moves_the_whole_week(town):
    # 6 April 2026 is Easter Monday: every collection that week is one day later.
    week = _rules(town).between("A", date(2026, 4, 6), date(2026, 4, 12))
    moved = {(c.kind, c.planned): c.day for c in week}
    assert moved[("household", date(2026, 4, 7))] == date(2026, 4, 8)
    assert moved[("green", date(2026, 4, 6))] == date(2026, 4, 7)
    assert all(c.day == c.planned + timedelta(days=1) for c in week)


def test_green_waste_season_and_zones(town):
    assert "green" not in town.collections.kinds_at({"zone": "C"})
    assert _days(town, "C", "green", date(2026, 4, 1), date(2026, 11, 30)) == []
    in_season = _days(town, "B", "green", date(2026, 4, 1), date(2026, 11, 30))
    assert in_season[0] == date(2026, 4, 7)  # the first, 6 April, is Easter Monday
    assert in_season[-1] == date(2026, 11, 30)  # the season ends on 30 November
    assert all(d.month in range(4, 12) for d in in_season)
    # Nothing from December to March; the next one is the first fortnightly Monday of April.
    nxt = town.collections.next_of_kind({"zone": "A"}, "green", date(2026, 12, 1))
    assert nxt.day.year == 2027 and nxt.day.month == 4 and nxt.day.weekday() == 0
    assert (nxt.day - date(2026, 4, 6)).days % 14 == 0
    assert _days(town, "A", "green", date(2027, 3, 1), date(2027, 3, 31)) == []


def _at(town, *args):
    return datetime(*args, tzinfo=town.timezone)


def test_recycling_centre_hours(town):
    hours = town.collections.centre.hours
    assert hours.is_open(_at(town, 2026, 12, 5, 10, 0))  # Saturday morning
    assert not hours.is_open(_at(town, 2026, 12, 5, 13, 0))  # lunch
    assert not hours.is_open(_at(town, 2026, 12, 6, 10, 0))  # Sunday
    assert not hours.is_open(_at(town, 2026, 12, 25, 10, 0))  # Christmas, a Friday
    assert not hours.is_open(_at(town, 2026, 11, 11, 10, 0))  # Armistice, a Wednesday
    assert hours.next_opening(_at(town, 2026, 12, 24, 18, 30)) == _at(town, 2026, 12, 26, 9, 0)


def test_human_line_hours(town):
    line = town.human_line("main")
    assert line.number == "+33199001234" and line.name == "Accueil de la mairie"
    assert line.is_open(_at(town, 2026, 12, 1, 8, 30))
    assert not line.is_open(_at(town, 2026, 12, 1, 12, 30))
    assert line.is_open(_at(town, 2026, 12, 1, 16, 59))
    assert not line.is_open(_at(town, 2026, 12, 5, 10, 0))  # Saturday
    assert not line.is_open(_at(town, 2027, 1, 1, 10, 0))  # New Year's Day
    assert line.next_opening(_at(town, 2026, 12, 31, 17, 30)) == _at(town, 2027, 1, 4, 8, 30)
    with pytest.raises(KeyError):
        town.human_line("nope")


def _ending(town_copy, until: str, ids=("household-A", "recycling-A", "green-AB")):
    """The demo town with zone A's rules ending on `until` (the last day of their document)."""
    from support.townkit import replace_in

    path = town_copy / "data" / "collections.yaml"
    for sid in ids:
        replace_in(path, f"  - id: {sid}\n", f"  - id: {sid}\n    until: {until}\n")
    return path


def test_a_rule_that_ends_computes_no_day_after_it(town_copy):
    from flows.town import load_town

    _ending(town_copy, "2026-12-31")
    rules = load_town(town_copy).collections.services["zone"].zones["A"].source.rules
    days = [c.day for c in rules.between("A", date(2026, 12, 20), date(2027, 1, 31), "household")]
    assert days and max(days) <= date(2026, 12, 31)
    assert rules.last_day("A") == date(2026, 12, 31)
    assert rules.last_day("B") is None  # zone B's rules repeat for ever


def test_a_zone_whose_rules_have_ended_hears_no_date_with_the_source(town_copy, make_ctx):
    from flows.services.waste import next_collections
    from flows.town import load_town

    _ending(town_copy, "2026-12-31")
    town = load_town(town_copy)
    address = {"street_id": "rue-victor-hugo", "street": "Rue Victor Hugo", "number": 13, "text": "13 Rue Victor Hugo"}
    result = next_collections(make_ctx(datetime(2027, 1, 4, 9), "en", {"address": address}, town_=town))
    assert result.outcome == "no_dates", result
    assert result.slots["calendar_until"] == "Thursday 31 December 2026"
    assert "Calendrier des collectes 2026" in result.slots["calendar_source"]


def test_until_before_from_or_not_a_date_is_refused_with_its_line(town_copy):
    from flows.town import check_town

    path = _ending(town_copy, "2025-12-31", ids=("recycling-A",))
    problems = check_town(town_copy)
    assert any("until 2025-12-31 is before from 2026-01-08" in p.message and p.file.endswith("collections.yaml")
               for p in problems), [str(p) for p in problems]
    path.write_text(path.read_text(encoding="utf-8").replace("until: 2025-12-31", "until: soon"), encoding="utf-8")
    assert any("until" in p.message for p in check_town(town_copy))


def test_data_check_says_when_a_zone_s_rules_end(town_copy):
    from flows.town import load_town
    from flows.town.freshness import freshness

    _ending(town_copy, "2026-12-31")
    notices = freshness(load_town(town_copy), date(2027, 1, 4), 180)
    assert any(n.severity == "error" and "'A'" in n.message for n in notices), [n.message for n in notices]


def test_data_check_warns_before_a_zone_s_rules_end(town_copy):
    from flows.town import load_town
    from flows.town.freshness import WARN_WEEKS, freshness

    _ending(town_copy, "2026-12-31")
    today = date(2026, 12, 31) - timedelta(weeks=WARN_WEEKS) + timedelta(days=3)
    notices = freshness(load_town(town_copy), today, 180)
    assert any(n.severity == "warning" and "ends on 2026-12-31" in n.message for n in notices), [n.message for n in notices]
