"""A collection calendar published as iCalendar, one file per zone, used instead of rules:
RRULE, EXDATE, a moved occurrence (RECURRENCE-ID), a cancelled one, several kinds in one
event (CATEGORIES naming the town's kinds), a title the data maps to a kind; and
malformed calendars refused with their file."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from flows.town import check_town, load_town
from staff_files.problems import DataError

ZONE_A = {"zone": "A"}

CALENDAR = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//test//collections//FR
BEGIN:VEVENT
UID:household-a@test
DTSTART;VALUE=DATE:20260105
SUMMARY:Ordures ménagères
CATEGORIES:household
RRULE:FREQ=WEEKLY;BYDAY=MO
EXDATE;VALUE=DATE:20260119
END:VEVENT
BEGIN:VEVENT
UID:household-a@test
RECURRENCE-ID;VALUE=DATE:20260126
DTSTART;VALUE=DATE:20260127
SUMMARY:Ordures ménagères (décalée)
CATEGORIES:household
END:VEVENT
BEGIN:VEVENT
UID:household-a@test
RECURRENCE-ID;VALUE=DATE:20260202
DTSTART;VALUE=DATE:20260202
SUMMARY:Ordures ménagères
CATEGORIES:household
STATUS:CANCELLED
END:VEVENT
BEGIN:VEVENT
UID:mixed-a@test
DTSTART;VALUE=DATE:20260108
SUMMARY:Tri sélectif et déchets verts
CATEGORIES:recycling,green
RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TH;COUNT=4
END:VEVENT
BEGIN:VEVENT
UID:summary-only-a@test
DTSTART;VALUE=DATE:20260110
SUMMARY:Collecte des emballages (bac jaune)
END:VEVENT
END:VCALENDAR
"""


@pytest.fixture
def ics_town(town_copy: Path) -> Path:
    data = town_copy / "data"
    (data / "zone-a.ics").write_text(CALENDAR, encoding="utf-8")
    for zone in "BC":
        (data / f"zone-{zone.lower()}.ics").write_text(CALENDAR.replace("-a@test", f"-{zone}@test"), encoding="utf-8")
    text = (data / "collections.yaml").read_text(encoding="utf-8")
    head, rest = text.split("schedules:", 1)
    tail = rest[rest.index("# Bulky"):]
    calendars = "titles: {\"Collecte des emballages (bac jaune)\": recycling}\ncalendars:\n" + "".join(
        f"  {z}: {{file: zone-{z.lower()}.ics, source: \"Calendrier publié, secteur {z}\", verified: 2026-01-02}}\n"
        for z in "ABC"
    )
    (data / "collections.yaml").write_text(head + calendars + "\n" + tail, encoding="utf-8")
    return town_copy


def test_calendar_replaces_the_rules(ics_town):
    town = load_town(ics_town)
    found = town.collections.between(ZONE_A, date(2026, 1, 1), date(2026, 2, 8))
    household = [c.day for c in found if c.kind == "household"]
    # Weekly on Mondays, 19 January removed (EXDATE), 26 moved to Tuesday 27,
    # 2 February cancelled.
    assert household == [date(2026, 1, 5), date(2026, 1, 12), date(2026, 1, 27)]
    moved = next(c for c in found if c.day == date(2026, 1, 27))
    assert moved.planned == date(2026, 1, 26)
    assert moved.origin.document == "Calendrier publié, secteur A"


def test_one_event_with_several_kinds(ics_town):
    town = load_town(ics_town)
    data = town.collections
    on_the_8th = {c.kind for c in data.between(ZONE_A, date(2026, 1, 8), date(2026, 1, 8))}
    assert on_the_8th == {"recycling", "green"}
    green = [c.day for c in data.between(ZONE_A, date(2026, 1, 1), date(2026, 3, 31), "green")]
    assert green == [date(2026, 1, 8), date(2026, 1, 22), date(2026, 2, 5), date(2026, 2, 19)]  # COUNT=4


def test_kinds_from_a_title_the_data_maps_when_no_categories(ics_town):
    town = load_town(ics_town)
    kinds = {c.kind for c in town.collections.between(ZONE_A, date(2026, 1, 10), date(2026, 1, 10))}
    assert kinds == {"recycling"}
    assert town.collections.kinds_at(ZONE_A) == ["household", "recycling", "green"]


def test_a_title_nothing_maps_is_a_problem_not_a_guess(ics_town):
    path = ics_town / "data" / "zone-a.ics"
    path.write_text(CALENDAR.replace("Collecte des emballages (bac jaune)", "Collecte des déchets verts"),
                    encoding="utf-8")
    [problem] = check_town(ics_town)
    assert problem.file == str(path) and "'Collecte des déchets verts' maps to no kind" in problem.message


def test_next_of_kind_skips_cancelled_and_excluded(ics_town):
    town = load_town(ics_town)
    data = town.collections
    assert data.next_of_kind(ZONE_A, "household", date(2026, 1, 13)).day == date(2026, 1, 27)
    assert data.next_of_kind(ZONE_A, "household", date(2026, 1, 28)).day == date(2026, 2, 9)


@pytest.mark.parametrize(
    ("content", "line"),
    [
        ("not a calendar at all\n", 1),
        (CALENDAR.replace("RRULE:FREQ=WEEKLY;BYDAY=MO", "RRULE:FREQ=SOMETIMES;BYDAY=MO"), None),
        (CALENDAR.replace("END:VCALENDAR\n", ""), None),
    ],
)
def test_a_malformed_calendar_is_refused_with_its_file(ics_town, content, line):
    bad = ics_town / "data" / "zone-b.ics"
    bad.write_text(content, encoding="utf-8")
    problems = check_town(ics_town)
    assert problems and all(p.file == str(bad) for p in problems)
    if line:
        assert problems[0].line == line
    with pytest.raises(DataError):
        load_town(ics_town)


def test_a_zone_without_calendar(ics_town):
    path = ics_town / "data" / "collections.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text("\n".join(x for x in text.splitlines() if not x.startswith("  C: {file")) + "\n", encoding="utf-8")
    assert any("zone 'C' of service 'zone' has no calendar" in p.message for p in check_town(ics_town))
