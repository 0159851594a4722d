"""Waste collection: the caller's address to a zone, the next collection of each kind,
tomorrow's bin, glass drop-off points, the recycling centre's hours, bulky items."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flows.handlers import HandlerContext, HandlerResult, handler
from flows.provenance import Source
from flows.services.common import local_now, reads, sentence, slot_number, text
from flows.town.collections import KINDS as COLLECTED_KINDS
from translations.formatting import format_day, format_list, format_span, format_time

# A collection earlier today still counts before noon: trucks pass in the morning and a
# caller at 10:00 may still put the bin out; after noon the next one is the useful answer.
SAME_DAY_UNTIL_HOUR = 12


def _street_and_number(ctx: HandlerContext) -> tuple[Any, int | None, dict]:
    raw = ctx.slots.get("address")
    address = dict(raw) if isinstance(raw, dict) else {}
    street = ctx.town.street(str(address.get("street_id", ""))) if address else None
    number = address.get("number")
    if not isinstance(number, int) or isinstance(number, bool):
        number = None
    if number is None:
        extra = slot_number(ctx.slots.get("house_number"))
        number = int(extra) if extra is not None else None
    return street, number, address


def _address_slot(street: Any, number: int | None) -> dict[str, Any]:
    label = f"{number} {street.name}" if number is not None else street.name
    return {"street_id": street.id, "street": street.name, "number": number, "text": label}


@handler("waste.check_address")
def check_address(ctx: HandlerContext) -> HandlerResult:
    """Is the address in the street list and in a zone? Outcomes: ok (ask the caller to
    confirm), known (already confirmed in this call), needs_number, no_zone, not_found."""
    street, number, address = _street_and_number(ctx)
    if street is None:
        return HandlerResult("not_found")
    slots: dict[str, Any] = {"house_number": None}
    if number is None and street.needs_number:
        return HandlerResult("needs_number", {"street": street.name, **slots})
    updated = _address_slot(street, number)
    slots["address"] = updated
    zone = street.zone_for(number)
    if zone is None:
        return HandlerResult("no_zone", slots)
    slots["zone"] = zone
    if ctx.slots.get("address_confirmed") == updated["text"]:
        return HandlerResult("known", slots)
    return HandlerResult("ok", slots)


def _kind(ctx: HandlerContext, kind: str) -> str:
    return text(ctx, f"waste.kind_{kind}")


def _day(ctx: HandlerContext, day: date, today: date) -> str:
    if day == today:
        return text(ctx, "waste.today", day=format_day(day, ctx.lang))
    if day == today + timedelta(days=1):
        return text(ctx, "waste.tomorrow_day", day=format_day(day, ctx.lang))
    return format_day(day, ctx.lang, year=day.year != today.year)


def _collection_line(ctx: HandlerContext, collection: Any, today: date) -> str:
    day = _day(ctx, collection.day, today)
    if collection.day != collection.planned:
        planned = format_day(collection.planned, ctx.lang)
        key = "waste.line_holiday" if collection.holiday else "waste.line_moved"
        return text(ctx, key, kind=_kind(ctx, collection.kind), day=day, planned=planned)
    return text(ctx, "waste.line", kind=_kind(ctx, collection.kind), day=day)


def _source(ctx: HandlerContext, collection: Any) -> Source:
    return ctx.town.source("collections", f"{collection.schedule_id}@{collection.day.isoformat()}",
                           collection.origin)


def _street_source(ctx: HandlerContext, street: Any, number: int | None) -> Source:
    segment = street.segment_for(number)
    return ctx.town.source("streets", street.id, segment.origin)


def _chosen(ctx: HandlerContext, slot: str) -> str:
    """A slot a menu choice set ({"key": "green", ...} for a kind, {"text": ...} otherwise)."""
    value = ctx.slots.get(slot)
    if isinstance(value, dict):
        return str(value.get("key", value.get("text", "")))
    return "" if value is None else str(value)


@handler("waste.next_collections")
@reads(waste_kind=COLLECTED_KINDS, waste_day=("tomorrow",))
def next_collections(ctx: HandlerContext) -> HandlerResult:
    """The next collection of each kind at the confirmed address, holidays included, and
    what goes out tomorrow. When the caller chose one kind (slot waste_kind) or tomorrow
    (slot waste_day), only that is said, in the slot answer_one, with the outcome `one`.
    Outcomes: ok, one, needs_number, no_zone, not_found."""
    street, number, _address = _street_and_number(ctx)
    if street is None:
        return HandlerResult("not_found")
    zone = street.zone_for(number)
    if zone is None:
        return HandlerResult("needs_number" if number is None else "no_zone")
    now = local_now(ctx)
    today = now.date()
    start = today if now.hour < SAME_DAY_UNTIL_HOUR else today + timedelta(days=1)
    data = ctx.town.collections
    street_source = _street_source(ctx, street, number)
    lines, sources = [], []
    kinds = data.collections.kinds_for(zone)
    chosen = _chosen(ctx, "waste_kind")
    if chosen in kinds:
        only = [chosen]
    elif chosen == "green":
        only = []  # not collected in this zone: the answer says where to take it
    else:
        only, chosen = kinds, ""  # a kind the zone does not collect: every kind is said
    for kind in only:
        found = data.collections.next_of_kind(zone, kind, start)
        if found is None:
            continue
        lines.append(_collection_line(ctx, found, today))
        sources.append(_source(ctx, found))
    if "green" not in kinds and chosen in ("", "green"):
        lines.append(text(ctx, "waste.no_green"))
    tomorrow = today + timedelta(days=1)
    out = data.collections.between(zone, tomorrow, tomorrow)
    if out:
        kinds_out = format_list([_kind(ctx, c.kind) for c in out], ctx.lang)
        tomorrow_text = text(ctx, "waste.tomorrow_some", kinds=kinds_out)
    else:
        tomorrow_text = text(ctx, "waste.tomorrow_none")
    address = _address_slot(street, number)
    slots = {"address": address, "address_confirmed": address["text"], "zone": zone,
             "collections": text(ctx, "waste.separator").join(lines), "tomorrow": tomorrow_text}
    if _chosen(ctx, "waste_day") == "tomorrow":
        tomorrow_sources = [_source(ctx, c) for c in out]
        return HandlerResult("one", {**slots, "answer_one": tomorrow_text},
                             provenance=[street_source, *tomorrow_sources])
    if chosen and lines:
        return HandlerResult("one", {**slots, "answer_one": sentence(slots["collections"]) + "."},
                             provenance=[street_source, *sources])
    return HandlerResult("ok", slots, provenance=[street_source, *sources])


@handler("waste.glass")
def glass(ctx: HandlerContext) -> HandlerResult:
    """Glass drop-off points (no kerbside collection). Outcomes: ok, none."""
    points = ctx.town.collections.glass_points
    if not points:
        return HandlerResult("none")
    names = [_place(ctx, p.name, p.address) for p in points]
    return HandlerResult(
        "ok",
        {"glass_points": format_list(names, ctx.lang)},
        provenance=[ctx.town.source("collections", p.id, p.origin) for p in points],
    )


def _place(ctx: HandlerContext, name: str, address: str) -> str:
    """A point by its name and address, the name said once when the address repeats it
    ("Place de la Mairie, derrière l'hôtel de ville", not "Place de la Mairie, Place de…")."""
    if address.casefold().startswith(name.casefold()):
        return address
    return text(ctx, "waste.glass_point", name=name, address=address)


@handler("waste.recycling_centre")
def recycling_centre(ctx: HandlerContext) -> HandlerResult:
    """The recycling centre's hours today, or when it next opens. Outcomes: ok, none."""
    centre = ctx.town.collections.centre
    if centre is None:
        return HandlerResult("none")
    now = local_now(ctx)
    spans = centre.hours.spans_on(now.date())
    hours = format_list([format_span(a, b, ctx.lang) for a, b in spans], ctx.lang)
    later = [a for a, b in spans if now.time() < b]
    if centre.hours.is_open(now):
        status = text(ctx, "waste.centre_open_now", hours=hours)
    elif later:
        status = text(ctx, "waste.centre_open_today", hours=hours)
    else:
        nxt = centre.hours.next_opening(now)
        if nxt is None:
            status = text(ctx, "waste.centre_closed")
        else:
            key = "waste.centre_closed_today" if not spans else "waste.centre_closed_now"
            status = text(ctx, key, day=format_day(nxt, ctx.lang), time=format_time(nxt, ctx.lang))
    return HandlerResult(
        "ok",
        {"centre": centre.name, "centre_address": centre.address, "centre_status": status},
        provenance=[ctx.town.source("collections", "recycling_centre", centre.origin)],
    )


@handler("waste.bulky")
def bulky(ctx: HandlerContext) -> HandlerResult:
    """Bulky items are by appointment: the flow then offers a person or a callback."""
    info = ctx.town.collections.bulky
    if info is None:
        return HandlerResult("none")
    return HandlerResult("ok", provenance=[ctx.town.source("collections", "bulky", info.origin)])
