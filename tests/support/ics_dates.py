"""Collection days read straight from published ICS files, written apart from civicline's
reader (no icalendar, no recurring_ical_events), to check the answers independently.

It knows what the published bin calendars use: unfolded lines, all-day DTSTART, weekly
RRULEs (INTERVAL, UNTIL or COUNT, at most one BYDAY), EXDATE, and one-off events. A one-off
event within six days of a removed day of the same title (without "(Changed Collection)")
is that day's replacement.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

WEEKDAY = {"MO": 0, "TU": 1, "WE": 2, "TH": 3, "FR": 4, "SA": 5, "SU": 6}


@dataclass(frozen=True)
class Day:
    day: date
    title: str
    replaces: date | None = None  # the removed day a one-off event stands for


def _unfold(raw: bytes) -> list[str]:
    text = raw.decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")
    lines: list[str] = []
    for line in text.split("\n"):
        if line[:1] in (" ", "\t") and lines:
            lines[-1] += line[1:]
        elif line:
            lines.append(line)
    return lines


def _date(value: str) -> date:
    value = value.strip()[:8]
    return date(int(value[:4]), int(value[4:6]), int(value[6:8]))


def _events(path: Path) -> list[dict[str, list[str]]]:
    events, current = [], None
    for line in _unfold(path.read_bytes()):
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT" and current is not None:
            events.append(current)
            current = None
        elif current is not None and ":" in line:
            name, value = line.split(":", 1)
            current.setdefault(name.split(";")[0].upper(), []).append(value)
    return events


def _base(title: str) -> str:
    return title.replace("(Changed Collection)", "").strip()


def collection_days(path: Path) -> list[Day]:
    """Every collection day of one calendar file, in date order."""
    days: list[Day] = []
    removed: list[tuple[date, str]] = []
    one_offs: list[tuple[date, str]] = []
    for event in _events(path):
        title = event["SUMMARY"][0].strip()
        start = _date(event["DTSTART"][0])
        if "RRULE" not in event:
            one_offs.append((start, title))
            continue
        rule = dict(part.split("=", 1) for part in event["RRULE"][0].split(";"))
        assert rule["FREQ"] == "WEEKLY", f"{path.name}: only weekly rules are expected"
        step = timedelta(weeks=int(rule.get("INTERVAL", "1")))
        until = _date(rule["UNTIL"]) if "UNTIL" in rule else date.max
        count = int(rule.get("COUNT", "100000"))
        if "BYDAY" in rule:
            assert WEEKDAY[rule["BYDAY"]] == start.weekday(), f"{path.name}: BYDAY differs from DTSTART's day"
        excluded = {_date(v) for values in event.get("EXDATE", []) for v in values.split(",")}
        day, n = start, 0
        while day <= until and n < count:
            n += 1
            if day in excluded:
                removed.append((day, title))
            else:
                days.append(Day(day, title))
            day += step
    used: set[int] = set()
    for start, title in one_offs:
        near = [(abs((gone - start).days), i, gone) for i, (gone, gone_title) in enumerate(removed)
                if i not in used and _base(gone_title) == _base(title) and abs((gone - start).days) <= 6]
        if near:
            _distance, index, gone = min(near)
            used.add(index)
            days.append(Day(start, title, gone))
        else:
            days.append(Day(start, title))
    return sorted(days, key=lambda d: d.day)
