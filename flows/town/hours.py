"""Public holidays and weekly opening hours (the human line, the recycling centre)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any

import holidays as holidays_lib

from flows.town.common import Problems, parse_date, parse_time, parse_weekday


class Holidays:
    """The public holidays of a country (and region), from the `holidays` library."""

    def __init__(self, country: str, subdivision: str | None = None):
        self.country = country
        self.subdivision = subdivision
        # Fail at load, not during a call, on an unknown country code.
        holidays_lib.country_holidays(country, subdiv=subdivision, years=[2026])

    @lru_cache(maxsize=64)  # noqa: B019  (a handful of towns, each loaded once)
    def _year(self, year: int) -> dict[date, str]:
        return dict(holidays_lib.country_holidays(self.country, subdiv=self.subdivision, years=[year]))

    def is_holiday(self, day: date) -> bool:
        return day in self._year(day.year)

    def name(self, day: date) -> str | None:
        return self._year(day.year).get(day)


Span = tuple[time, time]


@dataclass(frozen=True)
class WeeklyHours:
    """Opening spans for each weekday (0 = Monday); closed on public holidays if said so,
    and on the town's own closing days (`closed_days`: a bridge day, the 24th of December)."""

    spans: tuple[tuple[Span, ...], ...]  # 7 entries
    closed_on_holidays: bool
    holidays: Holidays | None
    closed_days: frozenset[date] = frozenset()

    def spans_on(self, day: date) -> tuple[Span, ...]:
        if day in self.closed_days:
            return ()
        if self.closed_on_holidays and self.holidays and self.holidays.is_holiday(day):
            return ()
        return self.spans[day.weekday()]

    def is_open(self, now: datetime) -> bool:
        moment = now.time()
        return any(start <= moment < end for start, end in self.spans_on(now.date()))

    def next_opening(self, now: datetime) -> datetime | None:
        """The next time it opens after `now` (now itself if it is open), within 3 weeks."""
        if self.is_open(now):
            return now
        for offset in range(0, 22):
            day = now.date() + timedelta(days=offset)
            for start, _end in self.spans_on(day):
                at = datetime.combine(day, start, tzinfo=now.tzinfo)
                if at > now:
                    return at
        return None


DAY_GROUPS = {"mon-fri": range(0, 5), "mon-sat": range(0, 6), "mon-sun": range(0, 7), "sat-sun": range(5, 7)}


def parse_hours(data: Any, holidays: Holidays | None, problems: Problems, line: int | None,
                what: str) -> WeeklyHours:
    """`hours: {mon-fri: ["08:30-12:00", "13:30-17:00"], saturday: [...]}`."""
    days: list[list[Span]] = [[] for _ in range(7)]
    hours = data.get("hours") if isinstance(data, dict) else None
    if not isinstance(hours, dict) or not hours:
        problems.add(line, f"{what}: 'hours' must list opening hours by day, e.g. mon-fri: [\"08:30-12:00\"]")
        hours = {}
    key_line = getattr(hours, "line_of", lambda _k: line)
    for key, spans in hours.items():
        where = key_line(key)
        group: Sequence[int] | None = DAY_GROUPS.get(str(key).lower())
        if group is None:
            weekday = parse_weekday(key, problems, where, f"{what}: hours")
            group = [] if weekday is None else [weekday]
        if not isinstance(spans, list):
            problems.add(where, f"{what}: hours for {key} must be a list like [\"09:00-12:00\"]")
            continue
        for span in spans:
            parts = str(span).split("-")
            if len(parts) != 2:
                problems.add(where, f"{what}: '{span}' must be a span like 09:00-12:00")
                continue
            start = parse_time(parts[0], problems, where, what)
            end = parse_time(parts[1], problems, where, what)
            if start and end:
                if start >= end:
                    problems.add(where, f"{what}: '{span}' ends before it starts")
                    continue
                for d in group:
                    days[d].append((start, end))
    closed = bool(data.get("closed_on_public_holidays", True)) if isinstance(data, dict) else True
    raw_days = data.get("closed_days") if isinstance(data, dict) else None
    closed_days: set[date] = set()
    if raw_days not in (None, ""):
        where = getattr(data, "line_of", lambda _k: line)("closed_days")
        if not isinstance(raw_days, list):
            problems.add(where, f"{what}: closed_days must be a list of dates like [2026-12-24, 2026-12-31]")
        else:
            for value in raw_days:
                day = parse_date(value, problems, where, f"{what}: closed_days")
                if day:
                    closed_days.add(day)
    return WeeklyHours(tuple(tuple(sorted(d)) for d in days), closed, holidays, frozenset(closed_days))


@dataclass(frozen=True)
class HumanLine:
    """A line where a person answers (the town hall's reception)."""

    id: str
    name: str
    number: str  # E.164, what the transfer dials
    display: str  # as written in town.yaml, for people
    hours: WeeklyHours
    names: dict[str, str] | None = None  # the name in each language, when town.yaml gives them

    def name_in(self, lang: str) -> str:
        return (self.names or {}).get(lang) or self.name

    def is_open(self, now: datetime) -> bool:
        return self.hours.is_open(now)

    def next_opening(self, now: datetime) -> datetime | None:
        return self.hours.next_opening(now)
