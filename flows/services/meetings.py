"""Council meetings: the next meeting of each body, meetings this week or on a date;
cancelled and moved meetings are said as such."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from flows.handlers import HandlerContext, HandlerResult, handler
from flows.services.common import local_now, sentence, text
from translations.formatting import format_day, format_time

# The town data sets these handlers read.
MEETINGS_DATA = ("meetings",)


def _body_name(ctx: HandlerContext, meeting: Any) -> str:
    body = ctx.town.meetings.body(meeting.body)
    return body.name(ctx.lang, ctx.town.main_language) if body else meeting.title


def _line(ctx: HandlerContext, meeting: Any, today: date) -> str:
    values = {
        "body": _body_name(ctx, meeting),
        "day": format_day(meeting.start, ctx.lang, year=meeting.start.year != today.year),
        "time": format_time(meeting.start, ctx.lang),
        "place": meeting.location,
    }
    if meeting.cancelled:
        return text(ctx, "meetings.cancelled", **values)
    if meeting.moved_from is not None:
        moved = format_day(meeting.moved_from, ctx.lang, year=meeting.moved_from.year != today.year)
        return text(ctx, "meetings.moved", planned=moved, **values)
    return text(ctx, "meetings.line", **values)


def _source(ctx: HandlerContext, meeting: Any) -> Any:
    return ctx.town.source("meetings", meeting.record, meeting.origin)


def _answer(ctx: HandlerContext, meetings: list[Any], today: date, slot: str) -> HandlerResult:
    lines = []
    for i, meeting in enumerate(meetings):
        line = _line(ctx, meeting, today)
        before = meetings[i - 1] if i else None
        if (before is not None and meeting.location and before.location == meeting.location
                and not meeting.cancelled and meeting.moved_from is None and not before.cancelled):
            # The same room twice in a row is said once: "..., in the same place."
            line = text(ctx, "meetings.line_same_place", body=_body_name(ctx, meeting),
                        day=format_day(meeting.start, ctx.lang, year=meeting.start.year != today.year),
                        time=format_time(meeting.start, ctx.lang))
        lines.append(sentence(line))
    return HandlerResult("ok", {slot: " ".join(lines)}, provenance=[_source(ctx, m) for m in meetings])


# Words that name no body in particular ("the next meeting at the town hall").
_GENERIC = frozenset(
    ["meeting", "meetings", "session", "reunion", "reuniones", "reunions", "seance", "sesion", "town", "hall", "mairie", "ayuntamiento", "alcaldia", "next", "prochain", "prochaine", "proximo", "proxima"]
)


def _after(ctx: HandlerContext, now: datetime) -> datetime | None:
    """The start of the day after the one the caller named after "after", when later than now."""
    if not ctx.heard:
        return None
    from nlu.dates import parse_after

    day = parse_after(ctx.heard, ctx.lang, now)
    start = datetime.combine(day, time(0), tzinfo=now.tzinfo) if day is not None else None
    return start if start is not None and start > now else None


def _named_bodies(ctx: HandlerContext) -> set[str]:
    """The bodies the caller's sentence names by a word of their own ("council", "comisión
    de urbanismo"): a word no other body's name has."""
    if not ctx.heard:
        return set()
    from nlu.normalize import normalize
    from nlu.stopwords import stopwords

    stop = stopwords(ctx.lang)
    words = {b.id: {w for w in normalize(b.name(ctx.lang), ctx.lang).split() if w not in stop and w not in _GENERIC}
             for b in ctx.town.meetings.bodies}
    heard = set(normalize(ctx.heard, ctx.lang).split())
    named = set()
    for body_id, own in words.items():
        others = set().union(*(w for b, w in words.items() if b != body_id))
        if (own - others) & heard:
            named.add(body_id)
    return named


@handler("meetings.next", needs=MEETINGS_DATA)
def next_meetings(ctx: HandlerContext) -> HandlerResult:
    """The next meeting of each body, with the cancelled ones before it; of the bodies the
    caller named, when the sentence names some ("the next council meeting"), and after the
    day it names ("after Christmas", "après le 15 janvier"). Outcomes: ok, none."""
    now = local_now(ctx)
    since = _after(ctx, now) or now  # the search starts there; the answer is said from today
    found: list[Any] = []
    named = _named_bodies(ctx)
    for body in ctx.town.meetings.bodies:
        if named and body.id not in named:
            continue
        found += ctx.town.meetings.upcoming(body.id, since)
    notice = ""
    if named and not found:
        # The body asked about has nothing published: say so, then what the others have.
        bodies = [b for b in ctx.town.meetings.bodies if b.id in named]
        notice = " ".join(sentence(text(ctx, "meetings.none_for_body", body=b.name(ctx.lang, ctx.town.main_language))) for b in bodies)
        for body in ctx.town.meetings.bodies:
            found += ctx.town.meetings.upcoming(body.id, since)
    if not found:
        return HandlerResult("none")
    found.sort(key=lambda m: m.start)
    result = _answer(ctx, found, now.date(), "meetings")
    if notice:
        result.slots["meetings"] = f"{notice} {result.slots['meetings']}"
    return result


def _next_after(ctx: HandlerContext, start: datetime) -> dict[str, Any]:
    for meeting in ctx.town.meetings.between(start, start + timedelta(days=400)):
        if not meeting.cancelled:
            return {"next_meeting": sentence(_line(ctx, meeting, start.date()))}
    return {"next_meeting": ""}


def _range(ctx: HandlerContext, start: datetime, end: datetime, slot: str) -> HandlerResult:
    meetings = ctx.town.meetings.between(start, end)
    if not meetings:
        result = HandlerResult("none", _next_after(ctx, end))
        nxt = next((m for m in ctx.town.meetings.between(end, end + timedelta(days=400))
                    if not m.cancelled), None)
        if nxt is not None:
            result.provenance.append(_source(ctx, nxt))
        return result
    return _answer(ctx, meetings, local_now(ctx).date(), slot)


@handler("meetings.on_date", needs=MEETINGS_DATA)
def on_date(ctx: HandlerContext) -> HandlerResult:
    """Meetings on the date the caller gave (slot meeting_date: a day, or a month from its
    first day `date` to its last `until`). Outcomes: ok, none, error."""
    value = ctx.slots.get("meeting_date") or {}
    try:
        day = date.fromisoformat(str(value.get("date") if isinstance(value, dict) else value))
        last = date.fromisoformat(str(value["until"])) if isinstance(value, dict) and value.get("until") else day
    except ValueError:
        return HandlerResult("error")
    tz = ctx.town.timezone
    start = datetime.combine(day, time(0), tzinfo=tz)
    end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=tz)
    result = _range(ctx, start, end, "meetings")
    if last != day:
        month = str(value.get("text") or format_day(day, ctx.lang))
        when = text(ctx, "meetings.in_month", month=month)
    else:
        when = text(ctx, "meetings.on_day", day=format_day(day, ctx.lang))
    result.slots["meeting_when"] = when
    result.slots["meeting_when_start"] = when[:1].upper() + when[1:]
    return result


@handler("meetings.this_week", needs=MEETINGS_DATA)
def this_week(ctx: HandlerContext) -> HandlerResult:
    """Meetings from now to Sunday night. Outcomes: ok, none."""
    now = local_now(ctx)
    sunday = now.date() + timedelta(days=6 - now.weekday())
    end = datetime.combine(sunday + timedelta(days=1), time(0), tzinfo=now.tzinfo)
    return _range(ctx, now, end, "meetings")
