"""iCalendar files as town data: reading them exactly as published, and collection calendars.

Published files come as they are: CRLF or LF line ends, a UTF-8 byte-order mark, folded
lines; a file saved as Windows-1252 is refused with the line and character that show it.
A collection calendar maps its events to waste kinds explicitly, by title or category
(`titles:` / `categories:` in collections.yaml, or a CATEGORIES value that is a kind's id):
an event that maps to no kind is a problem, never a guess. A moved collection is
recognised in both published styles: an override with RECURRENCE-ID, and a removed day
(EXDATE) with a one-off replacement close to it (the Saturday before a bank holiday).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import icalendar
import recurring_ical_events

from flows.town.collections import Collection
from flows.town.common import Origin, Problems, read_text
from staff_files.problems import N_

# A replacement day this close to a removed day is taken as its move.
MOVE_WINDOW_DAYS = 6
NOT_A_CALENDAR = N_("this is not an iCalendar file: its first line is '%(first)s', and an iCalendar file starts "
                    "with BEGIN:VCALENDAR (was a web page or a PDF saved with .ics?)")
_VALUE_ERROR = re.compile(r"Expected (datetime|date|time|duration)|could not be parsed|Invalid", re.IGNORECASE)


def read_calendar(path: Path, problems: Problems) -> tuple[icalendar.Calendar | None, str]:
    """Parses an ICS file as published; each problem names its line (and column)."""
    text = read_text(path, problems, "calendar")
    if text is None:
        return None, ""
    first = next((line for line in text.splitlines() if line.strip()), "")
    if first.strip().upper() != "BEGIN:VCALENDAR":
        problems.say(1, NOT_A_CALENDAR, first=first[:40])
        return None, text
    try:
        calendar = icalendar.Calendar.from_ical(text)
    except (ValueError, IndexError, KeyError) as exc:
        detail = str(exc).split("\n")[0]
        line = _line_quoted(text, detail)
        if "END:" in detail or line is None:
            problems.add(line, f"this calendar cannot be read ({detail}): check that every BEGIN: has its "
                               "END: and that the file ends with END:VCALENDAR")
        else:
            problems.add(line, f"this line cannot be read: {_content_hint(text, line)}")
        return None, text
    starts = event_lines(text)
    for event, start in zip(calendar.walk("VEVENT"), starts, strict=False):
        for prop, message in getattr(event, "errors", []):
            if prop is None:  # a line the parser skipped: find it by the text it quotes
                line = _line_quoted(text, message) or start
                problems.add(line, f"this line cannot be read: {_content_hint(text, line)}")
                continue
            line = _prop_line(text, str(prop), start)
            problems.add(line, _value_hint(text, line, str(prop), message))
        if "DTSTART" not in event:
            problems.add(start, "this event has no DTSTART (its day): add e.g. DTSTART;VALUE=DATE:20260105")
    if problems.items:
        return None, text
    try:  # RRULE mistakes surface only when occurrences are computed
        recurring_ical_events.of(calendar).between(date(2000, 1, 1), date(2000, 1, 2))
    except Exception as exc:  # the library raises several kinds; all mean a bad rule
        line = next((i for i, raw in enumerate(text.splitlines(), 1) if raw.upper().startswith("RRULE")), None)
        problems.add(line, f"the repeating rule (RRULE) cannot be computed: {exc}")
        return None, text
    return calendar, text


def event_lines(text: str) -> list[int]:
    """The line of each BEGIN:VEVENT, in the order the parser walks the events."""
    return [i for i, raw in enumerate(text.splitlines(), 1) if raw.strip().upper() == "BEGIN:VEVENT"]


def _line_quoted(text: str, message: str) -> int | None:
    for needle in re.findall(r"'([^']{3,})'", message):
        for i, line in enumerate(text.splitlines(), start=1):
            if needle.strip() and needle.strip() in line:
                return i
    return None


def _content_hint(text: str, line: int) -> str:
    raw = text.splitlines()[line - 1]
    if ":" not in raw:
        return (f"'{raw[:60]}' has no ':' between the property's name and its value "
                "(e.g. SUMMARY:Black Bin Day); a continued line must start with a space")
    return f"'{raw[:60]}' is not a valid iCalendar line (NAME;PARAM=…:value)"


def _prop_line(text: str, prop: str, start: int) -> int:
    lines = text.splitlines()
    for i in range(start - 1, len(lines)):
        if lines[i].upper().startswith(prop.upper()):
            return i + 1
        if lines[i].strip().upper() == "END:VEVENT":
            break
    return start


def _value_hint(text: str, line: int, prop: str, message: str) -> str:
    raw = text.splitlines()[line - 1]
    column = raw.find(":") + 2 if ":" in raw else 1
    value = raw.split(":", 1)[1] if ":" in raw else raw
    if prop.upper() in ("DTSTART", "DTEND", "EXDATE", "RECURRENCE-ID", "RDATE") and _VALUE_ERROR.search(message):
        return (f"column {column}: {prop} '{value}' is not an iCalendar date; write the day as YYYYMMDD "
                "(20260105), or YYYYMMDDTHHMMSS with a time (20260105T183000)")
    return f"column {column}: {prop} '{value}' cannot be read ({message})"


def _day(value: Any) -> date:
    return value.date() if isinstance(value, datetime) else value


def _start(event: Any) -> date:
    """An event's first day (icalendar types its properties as a union of every kind)."""
    return _day(event["DTSTART"].dt)


def _fold(text: str) -> str:
    return " ".join(str(text).split()).casefold()


@dataclass(frozen=True)
class KindMap:
    """How a calendar's events name waste kinds: by exact title, or by category."""

    titles: Mapping[str, tuple[str, ...]]
    categories: Mapping[str, tuple[str, ...]]
    kind_ids: frozenset[str]

    def kinds_of(self, event: Any) -> tuple[str, ...] | None:
        """The event's kinds, or None when nothing maps it."""
        kinds = self.titles.get(_fold(event.get("SUMMARY", "")))
        if kinds:
            return kinds
        found: list[str] = []
        raw = event.get("CATEGORIES")
        for item in raw if isinstance(raw, list) else [raw] if raw is not None else []:
            for cat in getattr(item, "cats", [item]):
                key = _fold(str(cat))
                found += self.categories.get(key, ((key,) if key in self.kind_ids else ()))
        return tuple(dict.fromkeys(found)) or None


def kind_map(value: Any, kinds: set[str], problems: Problems, line: int | None,
             what: str) -> dict[str, tuple[str, ...]]:
    """`titles: {"Black Bin Day": household, "Green Bin + Glass Box Day": [recycling, glass]}`
    (or the same for `categories:`), folded for matching."""
    mapping: dict[str, tuple[str, ...]] = {}
    if value is None:
        return mapping
    if not isinstance(value, dict):
        problems.add(line, f"{what} must map each event title to a kind, e.g. \"Black Bin Day\": household")
        return mapping
    for title, raw in value.items():
        where = value.line_of(title) if hasattr(value, "line_of") else line
        listed = raw if isinstance(raw, list) else [raw]
        unknown = [str(k) for k in listed if str(k) not in kinds]
        if unknown or not listed:
            problems.add(where, f"{what}: '{title}' maps to {', '.join(unknown) or 'nothing'}, which is not a kind "
                                f"declared under kinds: ({', '.join(sorted(kinds))})")
            continue
        mapping[_fold(title)] = tuple(str(k) for k in listed)
    return mapping


@dataclass
class ZoneCalendar:
    """One zone's published calendar, with how its events map to kinds."""

    service: str
    zone: str
    calendar: icalendar.Calendar
    origin: Origin
    file: str
    kinds: KindMap
    moved_from: dict[tuple[str, date], date] = field(default_factory=dict)

    def check(self, text: str, problems: Problems) -> None:
        """Every event must map to a kind; then the moves are worked out once."""
        starts = event_lines(text)
        unmapped: dict[str, int] = {}
        for event, line in zip(self.calendar.walk("VEVENT"), starts, strict=False):
            if str(event.get("STATUS", "")).upper() == "CANCELLED":
                continue
            if self.kinds.kinds_of(event) is None:
                unmapped.setdefault(str(event.get("SUMMARY", "")), line)
        for title, line in unmapped.items():
            problems.say(line, N_("the event '%(title)s' maps to no kind of waste: add it under titles: of this "
                                  "calendar in collections.yaml (e.g. \"%(title)s\": household)"), title=title)
        self.moved_from = self._moves()

    def _moves(self) -> dict[tuple[str, date], date]:
        """One-off events near a removed day of a repeating event of the same kind."""
        removed: list[tuple[date, frozenset[str]]] = []
        one_offs: list[tuple[str, date, frozenset[str]]] = []
        for event in self.calendar.walk("VEVENT"):
            kinds = frozenset(self.kinds.kinds_of(event) or ())
            if "RRULE" in event:
                exdates = event.get("EXDATE")
                for item in exdates if isinstance(exdates, list) else [exdates] if exdates is not None else []:
                    removed += [(_day(d.dt), kinds) for d in item.dts]
            elif "RECURRENCE-ID" not in event and "DTSTART" in event:
                one_offs.append((str(event.get("UID", "")), _start(event), kinds))
        moves: dict[tuple[str, date], date] = {}
        used: set[int] = set()
        for uid, day, kinds in sorted(one_offs, key=lambda x: x[1]):
            near = [(abs((gone - day).days), i, gone) for i, (gone, gone_kinds) in enumerate(removed)
                    if i not in used and kinds & gone_kinds and abs((gone - day).days) <= MOVE_WINDOW_DAYS]
            if near:
                _distance, index, gone = min(near)
                used.add(index)
                moves[(uid, day)] = gone
        return moves

    def between(self, start: date, end: date) -> list[Collection]:
        found = []
        for event in recurring_ical_events.of(self.calendar).between(start, end + timedelta(days=1)):
            if str(event.get("STATUS", "")).upper() == "CANCELLED":
                continue
            day = _start(event)
            if not start <= day <= end:
                continue
            uid = str(event.get("UID", "event"))
            # The library stamps every occurrence with a RECURRENCE-ID; one that differs
            # from the day is an override that moved it.
            recurrence = event.get("RECURRENCE-ID")
            planned = _day(recurrence.dt) if recurrence is not None else day
            if planned == day:
                planned = self.moved_from.get((uid, day), day)
            for kind in self.kinds.kinds_of(event) or ():
                found.append(Collection(kind, self.zone, day, planned, f"{self.file}#{uid}", self.origin,
                                        service=self.service))
        return found

    def kinds_collected(self) -> set[str]:
        return {k for e in self.calendar.walk("VEVENT") for k in (self.kinds.kinds_of(e) or ())}

    def last_day(self) -> date | None:
        """The last published collection day; None when a rule repeats for ever."""
        last: date | None = None
        for event in self.calendar.walk("VEVENT"):
            if "DTSTART" not in event:
                continue
            rule = event.get("RRULE")
            if rule is not None and not rule.get("UNTIL") and not rule.get("COUNT"):
                return None
            day = _start(event)
            if rule is not None:
                until = rule.get("UNTIL")
                if until:
                    day = _day(until[0])
                else:  # COUNT: compute them
                    days = [_start(e) for e in recurring_ical_events.of(self.calendar).between(
                        day, day + timedelta(days=3660)) if str(e.get("UID", "")) == str(event.get("UID", ""))]
                    day = max(days, default=day)
            last = day if last is None or day > last else last
        return last
