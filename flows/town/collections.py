"""Collection rules: weekly or every-N-weeks rules by zone, seasons and the holiday shift,
for a town that publishes rules rather than calendars (a service's `schedules:` in
collections.yaml), and the recycling centre and bulky items. A rule taken from a yearly
document may end (`until:`): no day is computed after it, and callers hear that no date is
published, as for a calendar that has ended.

The holiday rule (`holiday_rule: shift_after_holiday`): in a week (Monday–Sunday) with a
public holiday on a weekday, every collection on or after the holiday that week moves one
day later, so a Friday collection moves to Saturday. Two holidays in one week add up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flows.town.common import Origin, Problems, origin_of, parse_date, parse_weekday
from flows.town.hours import Holidays, WeeklyHours

HOLIDAY_RULES = ("shift_after_holiday", "none")
HORIZON_DAYS = 400  # look this far ahead for a next collection (covers a season's gap)


@dataclass(frozen=True)
class Collection:
    """One collection day. `planned` differs from `day` when a holiday moved it."""

    kind: str
    zone: str
    day: date
    planned: date
    schedule_id: str
    origin: Origin
    holiday: date | None = None  # the holiday that moved it
    service: str = ""  # the round it belongs to (refuse, garden…)


@dataclass(frozen=True)
class Season:
    start: tuple[int, int]  # (month, day)
    end: tuple[int, int]

    def contains(self, day: date) -> bool:
        return self.start <= (day.month, day.day) <= self.end


@dataclass(frozen=True)
class Schedule:
    id: str
    kind: str
    zones: tuple[str, ...]
    weekday: int
    every_weeks: int
    anchor: date | None  # a day the collection happens, for every_weeks > 1
    season: Season | None
    origin: Origin
    line: int
    until: date | None = None  # the last day the published rule covers; None: for ever

    def planned_days(self, start: date, end: date) -> list[date]:
        """Scheduled days in [start, end], before any holiday shift."""
        first = start + timedelta(days=(self.weekday - start.weekday()) % 7)
        days = []
        day = first
        if self.until is not None:
            end = min(end, self.until)
        while day <= end:
            on_cycle = self.anchor is None or ((day - self.anchor).days // 7) % self.every_weeks == 0
            if on_cycle and (self.anchor is None or day >= self.anchor) and (
                self.season is None or self.season.contains(day)
            ):
                days.append(day)
            day += timedelta(days=7)
        return days


@dataclass(frozen=True)
class RecyclingCentre:
    name: str
    address: str
    hours: WeeklyHours
    origin: Origin


@dataclass(frozen=True)
class Bulky:
    line: str  # the human line that takes appointments
    origin: Origin


class RuleCollections:
    """Collections computed from the rules in collections.yaml."""

    def __init__(self, zones: dict[str, str], schedules: list[Schedule], holiday_rule: str,
                 holidays: Holidays | None, service: str = ""):
        self.zones = zones
        self.service = service
        self.schedules = schedules
        self.holiday_rule = holiday_rule
        self.holidays = holidays

    def shift(self, day: date) -> tuple[date, date | None]:
        """Where the holiday rule moves a planned day, and the (last) holiday that moved it."""
        if self.holiday_rule != "shift_after_holiday" or self.holidays is None:
            return day, None
        monday = day - timedelta(days=day.weekday())
        moved_by = [monday + timedelta(days=i) for i in range(day.weekday() + 1)
                    if i < 5 and self.holidays.is_holiday(monday + timedelta(days=i))]
        if not moved_by:
            return day, None
        return day + timedelta(days=len(moved_by)), moved_by[-1]

    def between(self, zone: str, start: date, end: date, kind: str | None = None) -> list[Collection]:
        found: list[Collection] = []
        # Start a week early: a day planned before `start` may be shifted into the range.
        for schedule in self.schedules:
            if zone not in schedule.zones or (kind and schedule.kind != kind):
                continue
            for planned in schedule.planned_days(start - timedelta(days=7), end):
                day, holiday = self.shift(planned)
                if start <= day <= end:
                    found.append(Collection(schedule.kind, zone, day, planned, schedule.id, schedule.origin,
                                            holiday, self.service))
        return sorted(found, key=lambda c: (c.day, c.kind))

    def kinds_for(self, zone: str) -> set[str]:
        return {s.kind for s in self.schedules if zone in s.zones}

    def last_day(self, zone: str) -> date | None:
        """The last day a zone's rules cover, when every one of them says (``until:``);
        None while one repeats for ever."""
        ends = [s.until for s in self.schedules if zone in s.zones]
        if not ends or any(e is None for e in ends):
            return None
        return max(e for e in ends if e is not None)


class RuleZone:
    """One zone's collections computed from its service's rules."""

    def __init__(self, rules: RuleCollections, zone: str):
        self.rules = rules
        self.zone = zone

    def between(self, start: date, end: date) -> list[Collection]:
        return self.rules.between(self.zone, start, end)

    def kinds_collected(self) -> set[str]:
        return self.rules.kinds_for(self.zone)

    def last_day(self) -> date | None:
        return self.rules.last_day(self.zone)

    @property
    def origin(self) -> Origin | None:
        """Where the zone's rule that runs longest was published (said when none is left)."""
        mine = [s for s in self.rules.schedules if self.zone in s.zones]
        return max(mine, key=lambda s: s.until or date.max).origin if mine else None



def _season(data: Any, problems: Problems, line: int) -> Season | None:
    if data is None:
        return None
    try:
        start_month, start_day = (int(x) for x in str(data["start"]).split("-"))
        end_month, end_day = (int(x) for x in str(data["end"]).split("-"))
        date(2024, start_month, start_day), date(2024, end_month, end_day)  # noqa: B018  (checks they are real days)
        return Season((start_month, start_day), (end_month, end_day))
    except (KeyError, TypeError, ValueError):
        problems.add(line, "season must be {start: MM-DD, end: MM-DD}, e.g. {start: 04-01, end: 11-30}")
        return None


def parse_schedule(item: Any, line: int, zones: dict[str, Any], kinds: set[str],
                   problems: Problems) -> Schedule | None:
    """One rule of a service's `schedules:`."""
    if not isinstance(item, dict):
        problems.add(line, "each schedule must be a block with id, kind, zones, weekday…")
        return None

    def at(key: str) -> int:
        # The line of the field itself when it is written, else the schedule's first line.
        return item.line_of(key) if hasattr(item, "line_of") and key in item else line

    sid = str(item.get("id") or f"line-{line}")
    kind = str(item.get("kind"))
    if kind not in kinds:
        problems.add(at("kind"), f"schedule '{sid}': kind '{kind}' is not declared under kinds: "
                                 f"({', '.join(sorted(kinds))})")
    listed = item.get("zones")
    if not listed:
        problems.add(line, f"schedule '{sid}' has no zone: say which zones it serves (zones: [A])")
        listed = []
    for zone in listed:
        if str(zone) not in zones:
            problems.add(at("zones"), f"schedule '{sid}': zone '{zone}' is not declared under zones:")
    weekday = parse_weekday(item.get("weekday"), problems, at("weekday"), f"schedule '{sid}'")
    every = item.get("every_weeks", 1)
    if not isinstance(every, int) or every < 1:
        problems.add(at("every_weeks"), f"schedule '{sid}': every_weeks must be 1, 2, 3…")
        every = 1
    anchor = None
    if "from" in item:
        anchor = parse_date(item["from"], problems, at("from"), f"schedule '{sid}': from")
        if anchor and weekday is not None and anchor.weekday() != weekday:
            problems.add(at("from"), f"schedule '{sid}': from {anchor} is not a {item.get('weekday')}")
    elif every > 1:
        problems.add(line, f"schedule '{sid}': every {every} weeks needs a first day ('from: YYYY-MM-DD')")
    season = _season(item.get("season"), problems, at("season"))
    until = None
    if "until" in item:
        until = parse_date(item["until"], problems, at("until"), f"schedule '{sid}': until")
        if until and anchor and until < anchor:
            problems.add(at("until"), f"schedule '{sid}': until {until} is before from {anchor}")
    origin = origin_of(item, problems, at("verified"), f"schedule '{sid}'")
    if kind not in kinds or weekday is None or not listed:
        return None
    return Schedule(sid, kind, tuple(str(z) for z in listed), weekday, every, anchor, season, origin, line, until)
