"""The calls list (with filters) and one call: turns, what was understood, what was said,
provenance, the transfer whisper and latency per turn."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import request

from civicline.console.core import (
    ConsoleError,
    _,
    _l,
    bp,
    civic,
    form_text,
    not_found,
    own_record,
    record_towns,
    render,
    require,
    state,
)
from records import browse
from records.schema import OUTCOMES


def town_tz() -> ZoneInfo:
    tz = getattr(civic().runtime.town, "timezone", None)
    return tz if isinstance(tz, ZoneInfo) else ZoneInfo(str(tz)) if tz else ZoneInfo("UTC")


FIRST_YEAR, LAST_YEAR = 2000, 2100  # beyond these a filter is a typo (and overflows)
MAX_PAGE = 100_000


def parse_day(name: str, value: str | None) -> date | None:
    if not value:
        return None
    label = {"from": _("From"), "to": _("To")}.get(name, name)
    try:
        day = date.fromisoformat(value[:32])
    except ValueError:
        raise ConsoleError(422, _l("'%(field)s' must be a date such as 2026-12-01 (got %(value)s).", field=label,
                                   value=repr(value[:32])), _l("Bad filter")) from None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ConsoleError(422, _l("'%(field)s' must be a date between %(first)s and %(last)s.", field=label,
                                   first=FIRST_YEAR, last=LAST_YEAR), _l("Bad filter"))
    return day


def day_start(day: date) -> datetime:
    """Midnight in the town's time zone: staff think in local days."""
    return datetime.combine(day, time(), tzinfo=town_tz()).astimezone(UTC)


def period(default_days: int = 7) -> tuple[date, date]:
    today = datetime.now(town_tz()).date()
    start = parse_day("from", request.args.get("from")) or today - timedelta(days=default_days - 1)
    end = parse_day("to", request.args.get("to")) or today
    if end < start:
        raise ConsoleError(422, _l("The end of the period is before its start."), _l("Bad filter"))
    return start, end


def languages() -> list[str]:
    return list(civic().runtime.languages)


def local(at: str | None) -> str:
    """A stored moment as the town's clock showed it, written the staff's way (seconds too:
    a call's turns are seconds apart)."""
    from civicline.console.i18n import town_time

    return town_time(at, "medium") if at else ""


@bp.get("/")
def home() -> Any:
    from flask import redirect, url_for

    return redirect(url_for("console.dashboard"))


@bp.get("/calls")
@require("editor")  # what callers said: the service desk's, not managers' (docs/privacy.md)
def calls() -> Any:
    start, end = period()
    lang = request.args.get("language") or None
    if lang and lang not in languages():
        raise ConsoleError(422, _l("Unknown language %(language)s.", language=repr(lang)), _l("Bad filter"))
    outcome = request.args.get("outcome") or None
    if outcome and outcome not in (*OUTCOMES, "in_progress"):
        raise ConsoleError(422, _l("Unknown outcome %(outcome)s.", outcome=repr(outcome)), _l("Bad filter"))
    trials = request.args.get("trials", "exclude")
    if trials not in ("exclude", "include", "only"):
        trials = "exclude"
    try:
        page = min(MAX_PAGE, max(1, int(request.args.get("page", "1")[:12])))
    except ValueError:
        page = 1
    text = (request.args.get("q") or "").strip()[:100] or None
    f = browse.CallFilter(day_start(start), day_start(end + timedelta(days=1)), lang, outcome, trials, text,
                          towns=record_towns())
    rows, total = browse.calls_page(state().store, f, page)
    for row in rows:
        row["local_start"] = local(row["started_at"])
    args = {k: v for k, v in request.args.items() if k != "page"}
    return render(
        "calls.html", title=_("Calls"), rows=rows, total=total, page=page, page_size=browse.PAGE,
        start=start, end=end, language=lang, outcome=outcome, trials=trials, q=text or "",
        languages=languages(), outcomes=OUTCOMES, args=args,
    )


@bp.get("/calls/<call_id>")
@require("editor")
def call_detail(call_id: str) -> Any:
    store = state().store
    row = browse.call(store, call_id[:64])
    if row is None:
        not_found(_l("This call"))
    own_record(row, _l("This call"))
    turns = browse.turns_of(store, call_id)
    for t in turns:
        t["local_at"] = local(t["at"])
    requests = browse.requests_of(store, call_id)
    row["local_start"], row["local_end"] = local(row["started_at"]), local(row["ended_at"])
    return render("call.html", title=_("Call of %(when)s", when=row["local_start"]), call=row, turns=turns, requests=requests,
                  live=live_conversation(call_id), sent=request.args.get("sent") == "1")


def live_conversation(call_id: str) -> Any:
    """The text conversation (SMS, chat) still in progress under this record, which staff can
    answer; None for a phone call, or once the conversation has ended."""
    from flask import current_app

    service = current_app.extensions.get("text_service")
    return service.conversations.by_id(call_id) if service is not None else None


@bp.post("/calls/<call_id>/reply")
@require("editor")
def call_reply(call_id: str) -> Any:
    """A person answers a resident who wrote in: by SMS, or on the chat page."""
    from flask import current_app, redirect, url_for

    from civicline.text.service import ConversationGone

    row = browse.call(state().store, call_id[:64])
    if row is None:
        not_found("This conversation")
    own_record(row, "This conversation")
    text = form_text("reply", limit=1000, required=True)
    try:
        current_app.extensions["text_service"].staff_reply(call_id[:64], text)
    except (ConversationGone, KeyError):
        raise ConsoleError(409, _l("This conversation has ended, so the resident's number or page is no longer "
                                   "known: nothing was sent. If they left a number in their messages, call them back."),
                           _l("Not sent")) from None
    except Exception as exc:  # the SMS provider refused it or could not be reached
        raise ConsoleError(502, _l("The SMS could not be sent: %(error)s. Nothing was recorded; try again later.",
                                   error=str(exc)), _l("Not sent")) from None
    return redirect(url_for("console.call_detail", call_id=call_id[:64], sent=1, _anchor="reply-title"))
