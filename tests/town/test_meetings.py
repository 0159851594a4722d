"""Meetings from meetings.ics: the August gap, the moved January 2027 council, the
cancelled 9 December 2026 committee, the public meeting on the local urban plan."""

from __future__ import annotations

from datetime import date, datetime


def _at(town, *args):
    return datetime(*args, tzinfo=town.timezone)


def _council(town, start, end):
    return [m for m in town.meetings.between(start, end) if m.body == "council"]


def test_council_meets_on_the_first_monday_at_seven_except_august(town):
    meetings = _council(town, _at(town, 2026, 1, 1), _at(town, 2026, 12, 31))
    assert [m.start.month for m in meetings] == [1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12]
    for m in meetings:
        assert m.start.weekday() == 0 and m.start.day <= 7
        assert (m.start.hour, m.start.minute) == (19, 0)
        assert "Salle du Conseil" in m.location


def test_january_2027_council_is_moved_to_the_11th(town):
    [moved] = _council(town, _at(town, 2027, 1, 1), _at(town, 2027, 1, 31))
    assert moved.start == _at(town, 2027, 1, 11, 19, 0)
    assert moved.moved_from == _at(town, 2027, 1, 4, 19, 0)
    assert not moved.cancelled
    assert town.meetings.on_day(date(2027, 1, 4)) == []
    assert town.meetings.next_meeting("council", _at(town, 2026, 12, 8)) == moved


def test_committee_of_9_december_is_cancelled_and_flagged(town):
    [cancelled] = town.meetings.on_day(date(2026, 12, 9))
    assert cancelled.body == "planning_committee" and cancelled.cancelled
    upcoming = town.meetings.upcoming("planning_committee", _at(town, 2026, 12, 1))
    assert [m.cancelled for m in upcoming] == [True, False]
    assert upcoming[1].start == _at(town, 2027, 1, 13, 18, 0)  # second Wednesday of January
    assert town.meetings.next_meeting("planning_committee", _at(town, 2026, 12, 1)) == upcoming[1]


def test_committee_meets_on_the_second_wednesday_at_six(town):
    for m in town.meetings.between(_at(town, 2026, 1, 1), _at(town, 2026, 12, 31)):
        if m.body == "planning_committee":
            assert m.start.weekday() == 2 and 8 <= m.start.day <= 14 and m.start.hour == 18


def test_public_meeting_on_the_local_urban_plan(town):
    [plu] = [m for m in town.meetings.on_day(date(2027, 1, 14)) if m.body == "public_meeting"]
    assert plu.start == _at(town, 2027, 1, 14, 18, 30)
    assert plu.location == "Salle des fêtes"


def test_every_meeting_has_a_source(town):
    for m in town.meetings.between(_at(town, 2026, 11, 1), _at(town, 2027, 2, 1)):
        assert m.origin.document and m.origin.verified, m.record


def test_handler_says_the_moved_and_cancelled_meetings(make_ctx):
    from flows.services.meetings import next_meetings

    result = next_meetings(make_ctx(datetime(2026, 12, 8, 20, 0), "en"))
    text = result.slots["meetings"]
    assert "planning committee on Wednesday 9 December is cancelled" in text
    assert "moved to Monday 11 January 2027 at 7 p.m." in text and "instead of Monday 4 January 2027" in text
    assert {s.dataset for s in result.provenance} == {"meetings"}
    assert all(s.version == "2026-11-20" for s in result.provenance)


def test_handler_on_a_day_without_meeting_gives_the_next_one(make_ctx):
    from flows.services.meetings import on_date

    result = on_date(make_ctx(datetime(2026, 8, 1, 10), "fr", {"meeting_date": {"date": "2026-08-03"}}))
    assert result.outcome == "none"  # no council in August
    assert "12 août" in result.slots["next_meeting"]
