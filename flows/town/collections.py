"""Collection schedules: weekly or every-N-weeks rules by zone, seasons, the holiday shift,
glass drop-off points, bulky items and the recycling centre (collections.yaml).

The holiday rule (`holiday_rule: shift_after_holiday`): in a week (Monday–Sunday) with a
public holiday on a weekday, every collection on or after the holiday that week moves one
day later, so a Friday collection moves to Saturday. Two holidays in one week add up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from flows.town.common import Origin, Problems, origin_of, parse_date, parse_weekday
from flows.town.hours import Holidays, WeeklyHours, parse_hours
from staff_files.problems import Problem
from staff_files.yaml_lines import LineDict, load_yaml_file

KINDS = ("household", "recycling", "green")  # kerbside kinds; glass and bulky are not collected
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

    def planned_days(self, start: date, end: date) -> list[date]:
        """Scheduled days in [start, end], before any holiday shift."""
        first = start + timedelta(days=(self.weekday - start.weekday()) % 7)
        days = []
        day = first
        while day <= end:
            on_cycle = self.anchor is None or ((day - self.anchor).days // 7) % self.every_weeks == 0
            if on_cycle and (self.anchor is None or day >= self.anchor) and (
                self.season is None or self.season.contains(day)
            ):
                days.append(day)
            day += timedelta(days=7)
        return days


@dataclass(frozen=True)
class Place:
    id: str
    name: str
    address: str
    origin: Origin


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
                 holidays: Holidays | None):
        self.zones = zones
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
        found = []
        # Start a week early: a day planned before `start` may be shifted into the range.
        for schedule in self.schedules:
            if zone not in schedule.zones or (kind and schedule.kind != kind):
                continue
            for planned in schedule.planned_days(start - timedelta(days=7), end):
                day, holiday = self.shift(planned)
                if start <= day <= end:
                    found.append(Collection(schedule.kind, zone, day, planned, schedule.id, schedule.origin, holiday))
        return sorted(found, key=lambda c: (c.day, c.kind))

    def kinds_for(self, zone: str) -> list[str]:
        return [k for k in KINDS if any(zone in s.zones and s.kind == k for s in self.schedules)]

    def next_of_kind(self, zone: str, kind: str, after: date) -> Collection | None:
        found = self.between(zone, after, after + timedelta(days=HORIZON_DAYS), kind)
        return found[0] if found else None


@dataclass(frozen=True)
class CollectionData:
    collections: Any  # RuleCollections or IcsCollections: between(), next_of_kind(), kinds_for()
    zones: dict[str, str]
    glass_points: tuple[Place, ...]
    bulky: Bulky | None
    centre: RecyclingCentre | None


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


def _schedule(item: Any, line: int, zones: dict[str, str], problems: Problems) -> Schedule | None:
    if not isinstance(item, dict):
        problems.add(line, "each schedule must be a block with id, kind, zones, weekday…")
        return None

    def at(key: str) -> int:
        # The line of the field itself when it is written, else the schedule's first line.
        return item.line_of(key) if hasattr(item, "line_of") and key in item else line

    sid = str(item.get("id") or f"line-{line}")
    kind = item.get("kind")
    if kind not in KINDS:
        problems.add(at("kind"), f"schedule '{sid}': kind '{kind}' must be one of {', '.join(KINDS)}")
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
    origin = origin_of(item, problems, at("verified"), f"schedule '{sid}'")
    if kind not in KINDS or weekday is None or not listed:
        return None
    return Schedule(sid, kind, tuple(str(z) for z in listed), weekday, every, anchor, season, origin, line)


def load_collections(path: Path, holidays: Holidays | None) -> tuple[CollectionData, list[Problem]]:
    problems = Problems(path)
    data, duplicates = load_yaml_file(path)
    problems.extend(duplicates)
    if not isinstance(data, LineDict):
        problems.add(None, "collections.yaml must be a mapping with zones:, schedules:…")
        return CollectionData(None, {}, (), None, None), problems.items
    zones = {str(k): str((v or {}).get("name", k)) if isinstance(v, dict) else str(v or k)
             for k, v in (data.get("zones") or {}).items()}
    if not zones:
        problems.add(data.line_of("zones"), "no zones are declared (zones: {A: {name: …}})")
    if data.get("calendars"):
        collections: Any = _calendars(data, path, zones, problems)
        raw: list[Any] = []
    else:
        collections = None
        raw = data.get("schedules") or []
    schedules = []
    lines = getattr(raw, "item_lines", [data.line_of("schedules")] * len(raw))
    for item, line in zip(raw, lines, strict=False):
        schedule = _schedule(item, line, zones, problems)
        if schedule:
            schedules.append(schedule)
    ids = [s.id for s in schedules]
    for s in schedules:
        if ids.count(s.id) > 1 and s is not next(x for x in schedules if x.id == s.id):
            problems.add(s.line, f"schedule id '{s.id}' is used twice")
    for zone in zones if collections is None else ():
        if not any(zone in s.zones for s in schedules):
            problems.add(data.line_of("zones"), f"zone '{zone}' has no collection schedule")
    rule = str(data.get("holiday_rule", "shift_after_holiday"))
    if rule not in HOLIDAY_RULES:
        problems.add(data.line_of("holiday_rule"), f"holiday_rule must be one of {', '.join(HOLIDAY_RULES)}")
    glass = []
    raw_glass = data.get("glass_points") or []
    for item, line in zip(raw_glass, getattr(raw_glass, "item_lines", []), strict=False):
        gid = str(item.get("id") or f"glass-{line}")
        glass.append(Place(gid, str(item.get("name", "")), str(item.get("address", "")),
                           origin_of(item, problems, line, f"glass point '{gid}'")))
    bulky = None
    if isinstance(data.get("bulky"), dict):
        b = data["bulky"]
        bulky = Bulky(str(b.get("line", "main")), origin_of(b, problems, data.line_of("bulky"), "bulky"))
    centre = None
    if isinstance(data.get("recycling_centre"), dict):
        c = data["recycling_centre"]
        where = data.line_of("recycling_centre")
        centre = RecyclingCentre(str(c.get("name", "")), str(c.get("address", "")),
                                 parse_hours(c, holidays, problems, where, "recycling_centre"),
                                 origin_of(c, problems, where, "recycling_centre"))
    if collections is None:
        collections = RuleCollections(zones, schedules, rule, holidays)
    return CollectionData(collections, zones, tuple(glass), bulky, centre), problems.items


def _calendars(data: Any, path: Path, zones: dict[str, str], problems: Problems) -> Any:
    """`calendars: {A: {file: zone-a.ics, source: …, verified: …}}`: one published calendar per zone."""
    from flows.town.ics import IcsCollections, ZoneCalendar, read_calendar

    found = {}
    entries = data["calendars"]
    where = data.line_of("calendars")
    if not isinstance(entries, dict):
        problems.add(where, "calendars must map each zone to {file: …, source: …, verified: …}")
        return IcsCollections({})
    for zone, entry in entries.items():
        line = entries.line_of(zone) if hasattr(entries, "line_of") else where
        if str(zone) not in zones:
            problems.add(line, f"calendar for zone '{zone}', which is not declared under zones:")
            continue
        entry = entry if isinstance(entry, dict) else {"file": entry}
        file = path.parent / str(entry.get("file", ""))
        origin = origin_of(entry, problems, line, f"calendar of zone {zone}")
        file_problems = Problems(file)
        calendar = read_calendar(file, file_problems)
        problems.extend(file_problems.items)
        if calendar is not None:
            found[str(zone)] = ZoneCalendar(str(zone), calendar, origin, file.name)
    for zone in zones:
        if zone not in entries:
            problems.add(where, f"zone '{zone}' has no calendar")
    return IcsCollections(found)
