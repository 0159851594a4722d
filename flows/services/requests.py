"""Requests that reach the city's systems: a missed collection, a bulky-item pickup.

The flow has asked the address (with the waste flow's checks), the object and a callback
number, and the caller confirmed them; this handler hands the request to the runtime's desk
(flows.city_requests) and says what became of it. Without a desk (a flow test, a scenario
run with no records), the request goes to the staff's list as a message.
"""

from __future__ import annotations

import logging
import uuid

import phonenumbers

from flows.city_requests import SERVICES, CityRequest
from flows.handlers import HandlerContext, HandlerResult, handler
from flows.services.common import slot_text, text
from flows.session import StaffRequest

log = logging.getLogger(__name__)


def _phone(ctx: HandlerContext) -> str | None:
    value = ctx.slots.get("request_phone") or {}
    digits = str(value.get("digits", "")) if isinstance(value, dict) else str(value)
    try:
        parsed = phonenumbers.parse(digits, str(getattr(ctx.town, "country", "") or "FR").replace("UK", "GB"))
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _spelled(reference: str) -> str:
    """A reference read character by character, in groups the caller can write down."""
    chars = [c for c in reference if c.isalnum()]
    groups = ["".join(chars[i:i + 3]) for i in range(0, len(chars), 3)]
    return ", ".join(" ".join(group) for group in groups)


@handler("requests.service_missed")
def service_missed(ctx: HandlerContext) -> HandlerResult:
    """The request is a missed collection (the flow's branch says which)."""
    return HandlerResult("ok", {"request_service": "missed_collection"})


@handler("requests.service_bulky")
def service_bulky(ctx: HandlerContext) -> HandlerResult:
    """The request is a bulky-item pickup."""
    return HandlerResult("ok", {"request_service": "bulky_pickup"})


@handler("requests.prepare")
def prepare(ctx: HandlerContext) -> HandlerResult:
    """Checks the callback number and words the request for the caller to confirm
    ({request_summary}). Outcomes: ok, invalid (not a phone number: ask again)."""
    if _phone(ctx) is None:
        return HandlerResult("invalid", {"request_phone": None})
    service = slot_text(ctx.slots.get("request_service")) or "missed_collection"
    summary = text(ctx, f"requests.summary_{service}", request_object=slot_text(ctx.slots.get("request_object")),
                   address=slot_text(ctx.slots.get("address")))
    return HandlerResult("ok", {"request_summary": summary})


@handler("requests.file")
def file_request(ctx: HandlerContext) -> HandlerResult:
    """Files the confirmed request. Outcomes: ok (the city's system took it: its number is
    in {request_number}), pending (kept, it will be sent: our reference in
    {request_number}), staff (on the staff's list), invalid (the number: ask again)."""
    service = slot_text(ctx.slots.get("request_service"))
    if service not in SERVICES:
        log.error("requests.file: the flow set no request_service (one of %s)", ", ".join(SERVICES))
        return HandlerResult("error")
    phone = _phone(ctx)
    if phone is None:
        return HandlerResult("invalid", {"request_phone": None})
    town = getattr(ctx.town, "name", "") or ""
    address = slot_text(ctx.slots.get("address"))
    request = CityRequest(
        call_id=ctx.call_id,
        service=service,
        address=f"{address}, {town}" if town else address,
        description=slot_text(ctx.slots.get("request_object")).strip(),
        phone=phone,
        language=ctx.lang,
    )
    if ctx.desk is None:
        reference = uuid.uuid4().hex[:8].upper()
        details = {"message": f"{service} ({reference}): {request.description} at {request.address}",
                   "number": phone, "language": ctx.lang, "reason": "city_request"}
        return HandlerResult("staff", {"request_number": _spelled(reference)},
                             requests=[StaffRequest("message", details)])
    filed = ctx.desk.file(request)
    if filed.status == "filed" and filed.service_request_id:
        return HandlerResult("ok", {"request_number": _spelled(filed.service_request_id)})
    outcome = "staff" if filed.status == "for_staff" else "pending"
    return HandlerResult(outcome, {"request_number": _spelled(filed.reference)})
