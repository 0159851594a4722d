"""iCalendar files as town data: reading them with their problems, and collection calendars.

A city that publishes its collection calendar as iCalendar (one file per zone) can use it
instead of rules: collections.yaml then lists `calendars:` and no `schedules:`. Events name
their waste kinds in CATEGORIES (several kinds in one event are allowed) or, failing that,
in SUMMARY words; RRULE, EXDATE and RECURRENCE-ID overrides (a moved day) are honoured, and
a cancelled occurrence (STATUS:CANCELLED) is no collection.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import icalendar
import recurring_ical_events

from flows.town.collections import HORIZON_DAYS, KINDS, Collection
from flows.town.common import Origin, Problems

# Words of SUMMARY lines when CATEGORIES are missing (French and English calendars).
KIND_WORDS = {
    "household": ("household", "ordures", "ménagères", "menageres", "residual", "general"),
    "recycling": ("recycling", "recyclables", "tri", "emballages", "jaune", "yellow"),
    "green": ("green", "garden", "verts", "végétaux", "vegetaux", "jardin"),
}


def read_calendar(path: Path, problems: Problems) -> icalendar.Calendar | None:
    """Parses an ICS file; a problem names the line that is wrong where it can be found."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        problems.add(None, "this calendar file does not exist")
        return None
    except UnicodeDecodeError:
        problems.add(None, "this calendar is not UTF-8 text")
        return None
    if not text.lstrip().startswith("BEGIN:VCALENDAR"):
        problems.add(1, "this is not an iCalendar file: it must start with BEGIN:VCALENDAR")
        return None
    try:
        calendar = icalendar.Calendar.from_ical(text)
    except (ValueError, IndexError, KeyError) as exc:
        detail = str(exc).split("\n")[0]
        problems.add(_bad_line(text, str(exc)),
                     f"this calendar cannot be read ({detail}); check that every BEGIN: has its END: "
                     "and that the file ends with END:VCALENDAR")
        return None
    for event in calendar.walk("VEVENT"):
        errors = getattr(event, "errors", [])
        for prop, message in errors:
            problems.add(_line_of(text, str(prop), event), f"{prop}: {message}")
        if "DTSTART" not in event:
            problems.add(_line_of(text, "UID", event), "an event has no DTSTART (start day)")
    if problems.items:
        return None
    try:  # RRULE mistakes surface only when occurrences are computed
        recurring_ical_events.of(calendar).between(date(2000, 1, 1), date(2000, 1, 2))
    except Exception as exc:  # the library raises several kinds; all mean a bad rule
        problems.add(None, f"the repeating events cannot be computed: {exc}")
        return None
    return calendar


def _bad_line(text: str, message: str) -> int | None:
    quoted = re.findall(r"'([^']{3,})'", message)
    for needle in quoted:
        for i, line in enumerate(text.splitlines(), start=1):
            if needle in line:
                return i
    return None


def _line_of(text: str, prop: str, event: Any) -> int | None:
    uid = str(event.get("UID", ""))
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if uid and uid in line), 0)
    for i in range(start, len(lines)):
        if lines[i].upper().startswith(prop.upper()):
            return i + 1
    return start + 1 if start else None


def event_kinds(event: Any) -> list[str]:
    """The waste kinds of an event, from CATEGORIES (or SUMMARY words)."""
    words: list[str] = []
    categories = event.get("CATEGORIES")
    for item in categories if isinstance(categories, list) else [categories] if categories else []:
        words += [str(c).strip().lower() for c in getattr(item, "cats", [item])]
    kinds = [w for w in words if w in KINDS]
    if kinds:
        return kinds
    summary = str(event.get("SUMMARY", "")).lower()
    return [k for k, ws in KIND_WORDS.items() if any(w in summary for w in ws)]


def _day(value: Any) -> date:
    return value.date() if isinstance(value, datetime) else value


@dataclass(frozen=True)
class ZoneCalendar:
    zone: str
    calendar: icalendar.Calendar
    origin: Origin
    file: str


class IcsCollections:
    """Collections read from published calendars, one per zone."""

    def __init__(self, calendars: dict[str, ZoneCalendar]):
        self.calendars = calendars

    def between(self, zone: str, start: date, end: date, kind: str | None = None) -> list[Collection]:
        zc = self.calendars.get(zone)
        if zc is None:
            return []
        found = []
        for event in recurring_ical_events.of(zc.calendar).between(start, end + timedelta(days=1)):
            if str(event.get("STATUS", "")).upper() == "CANCELLED":
                continue
            day = _day(event["DTSTART"].dt)
            recurrence = event.get("RECURRENCE-ID")
            planned = _day(recurrence.dt) if recurrence is not None else day
            uid = str(event.get("UID", "event"))
            for k in event_kinds(event):
                if kind is None or k == kind:
                    found.append(Collection(k, zone, day, planned, f"{zc.file}#{uid}", zc.origin))
        return sorted(found, key=lambda c: (c.day, c.kind))

    def kinds_for(self, zone: str) -> list[str]:
        zc = self.calendars.get(zone)
        if zc is None:
            return []
        kinds = {k for e in zc.calendar.walk("VEVENT") for k in event_kinds(e)}
        return [k for k in KINDS if k in kinds]

    def next_of_kind(self, zone: str, kind: str, after: date) -> Collection | None:
        found = self.between(zone, after, after + timedelta(days=HORIZON_DAYS), kind)
        return found[0] if found else None
