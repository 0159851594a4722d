"""Council meetings from the town's iCalendar file and the bodies that meet (bodies.yaml).

Cancelled meetings (STATUS:CANCELLED, usually an override of one occurrence) are kept and
flagged, so a caller hears that the meeting is cancelled rather than nothing; an override
whose start differs from its RECURRENCE-ID is a moved meeting and says where from.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import recurring_ical_events

from flows.town.common import Origin, Problems, origin_of
from flows.town.ics import read_calendar
from staff_files.problems import Problem
from staff_files.yaml_lines import load_yaml_file

HORIZON_DAYS = 400


@dataclass(frozen=True)
class Body:
    id: str
    match: str  # an event whose SUMMARY starts with this belongs to the body
    names: dict[str, str]  # language -> how the body is said
    origin: Origin

    def name(self, lang: str, main: str = "fr") -> str:
        return self.names.get(lang) or self.names.get(main) or self.match


@dataclass(frozen=True)
class Meeting:
    uid: str
    body: str  # a body id, or "" for an event no body claims
    title: str
    start: datetime
    end: datetime | None
    location: str
    cancelled: bool
    moved_from: datetime | None
    origin: Origin

    @property
    def record(self) -> str:
        return f"{self.uid}@{self.start.date().isoformat()}"


def _aware(value: Any, tz: ZoneInfo) -> datetime:
    if isinstance(value, datetime):
        return value.astimezone(tz) if value.tzinfo else value.replace(tzinfo=tz)
    return datetime.combine(value, time(0), tzinfo=tz)


class Meetings:
    def __init__(self, calendar: Any, bodies: list[Body], tz: ZoneInfo, document: str):
        self.calendar = calendar
        self.bodies = bodies
        self.tz = tz
        self.document = document

    def body(self, body_id: str) -> Body | None:
        return next((b for b in self.bodies if b.id == body_id), None)

    def _body_of(self, summary: str) -> Body | None:
        folded = summary.casefold().strip()
        return next((b for b in self.bodies if folded.startswith(b.match.casefold())), None)

    def between(self, start: datetime, end: datetime) -> list[Meeting]:
        """Meetings starting in [start, end), cancelled ones included (and flagged)."""
        if self.calendar is None:
            return []
        found = []
        for event in recurring_ical_events.of(self.calendar).between(start, end):
            begin = _aware(event["DTSTART"].dt, self.tz)
            if not start <= begin < end:
                continue
            summary = str(event.get("SUMMARY", ""))
            body = self._body_of(summary)
            recurrence = event.get("RECURRENCE-ID")
            planned = _aware(recurrence.dt, self.tz) if recurrence is not None else begin
            verified_raw = event.get("X-CIVICLINE-VERIFIED")
            origin = body.origin if body else Origin(self.document, None)
            if verified_raw or event.get("X-CIVICLINE-SOURCE"):
                try:
                    verified = date.fromisoformat(str(verified_raw)) if verified_raw else origin.verified
                except ValueError:
                    verified = origin.verified
                origin = Origin(str(event.get("X-CIVICLINE-SOURCE") or origin.document), verified)
            found.append(Meeting(
                uid=str(event.get("UID", "")),
                body=body.id if body else "",
                title=summary,
                start=begin,
                end=_aware(event["DTEND"].dt, self.tz) if "DTEND" in event else None,
                location=str(event.get("LOCATION", "")),
                cancelled=str(event.get("STATUS", "")).upper() == "CANCELLED",
                moved_from=planned if planned != begin else None,
                origin=origin,
            ))
        return sorted(found, key=lambda m: m.start)

    def on_day(self, day: date) -> list[Meeting]:
        start = datetime.combine(day, time(0), tzinfo=self.tz)
        return self.between(start, start + timedelta(days=1))

    def upcoming(self, body_id: str, now: datetime) -> list[Meeting]:
        """The body's meetings from now up to and including the next one that takes place
        (so cancelled ones on the way are there to be mentioned)."""
        result = []
        for meeting in self.between(now, now + timedelta(days=HORIZON_DAYS)):
            if meeting.body != body_id:
                continue
            result.append(meeting)
            if not meeting.cancelled:
                break
        return result

    def next_meeting(self, body_id: str, now: datetime) -> Meeting | None:
        found = [m for m in self.upcoming(body_id, now) if not m.cancelled]
        return found[0] if found else None


def load_meetings(calendar_path: Path, bodies_path: Path | None, tz: ZoneInfo) -> tuple[Meetings, list[Problem]]:
    problems = Problems(calendar_path)
    calendar, _text = read_calendar(calendar_path, problems)
    bodies: list[Body] = []
    body_problems = Problems(bodies_path or "bodies.yaml")
    if bodies_path is not None:
        data, duplicates = load_yaml_file(bodies_path)
        body_problems.extend(duplicates)
        raw = data.get("bodies") if isinstance(data, dict) else None
        if not isinstance(raw, list):
            body_problems.add(None, "bodies.yaml must have a list 'bodies:' (id, match, names, source, verified)")
            raw = []
        for item, line in zip(raw, getattr(raw, "item_lines", []), strict=False):
            if not isinstance(item, dict) or not item.get("id") or not item.get("match"):
                body_problems.add(line, "each body needs an id and a 'match' (how its events' titles start)")
                continue
            names = {str(k): str(v) for k, v in (item.get("names") or {}).items()}
            bodies.append(Body(str(item["id"]), str(item["match"]), names,
                               origin_of(item, body_problems, line, f"body '{item['id']}'")))
    return Meetings(calendar, bodies, tz, calendar_path.name), problems.items + body_problems.items
