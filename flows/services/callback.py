"""After hours: when the human line opens again, and the caller's callback request or
message, stored for staff as a StaffRequest."""

from __future__ import annotations

import phonenumbers

from flows.handlers import HandlerContext, HandlerResult, handler
from flows.services.common import local_now, slot_text, text
from flows.session import StaffRequest
from translations.formatting import format_day, format_time


@handler("human.status")
def status(ctx: HandlerContext) -> HandlerResult:
    """The line's name and when it next opens. Outcomes: ok, none (no known opening)."""
    try:
        line = ctx.town.human_line("main")
    except KeyError:
        return HandlerResult("none")
    now = local_now(ctx)
    nxt = line.next_opening(now)
    slots = {"line_name": line.name_in(ctx.lang), "opening": ""}
    if nxt is None:
        return HandlerResult("none", slots)
    if nxt.date() == now.date():
        day = text(ctx, "callback.today")
    else:
        day = text(ctx, "callback.on_day", day=format_day(nxt, ctx.lang))
    slots["opening"] = text(ctx, "callback.opening", day=day, time=format_time(nxt, ctx.lang))
    return HandlerResult("ok", slots)


def _country(ctx: HandlerContext) -> str:
    return str(getattr(ctx.town, "country", "") or "FR")


@handler("callback.request")
def request(ctx: HandlerContext) -> HandlerResult:
    """Stores a callback request for the number the caller typed and confirmed.
    Outcomes: ok, invalid (not a phone number: ask again)."""
    value = ctx.slots.get("callback_number") or {}
    digits = str(value.get("digits", "")) if isinstance(value, dict) else str(value)
    try:
        parsed = phonenumbers.parse(digits, _country(ctx))
        valid = phonenumbers.is_valid_number(parsed)
    except phonenumbers.NumberParseException:
        valid = False
    if not valid:
        return HandlerResult("invalid", {"callback_number": None})
    number = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    details = {
        "number": number,
        "language": ctx.lang,
        "reason": str(ctx.slots.get("transfer_reason") or ""),
        "requested_at": local_now(ctx).isoformat(),
    }
    return HandlerResult("ok", requests=[StaffRequest("callback", details)])


@handler("callback.message")
def message(ctx: HandlerContext) -> HandlerResult:
    """Stores the caller's message for staff. Outcomes: ok, none (nothing was said)."""
    said = slot_text(ctx.slots.get("message")).strip()
    if not said:
        return HandlerResult("none")
    details = {
        "message": said,
        "language": ctx.lang,
        "reason": str(ctx.slots.get("transfer_reason") or ""),
        "left_at": local_now(ctx).isoformat(),
    }
    return HandlerResult("ok", requests=[StaffRequest("message", details)])
