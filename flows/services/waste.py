"""Waste collection: the caller's address to its zone in each service, the next collection
of each kind in date order, tomorrow's bin, drop-off points, the recycling centre's hours,
bulky items. Kinds, bins, zone names and where things go come from the town's data."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flows.dialog.review_reasons import reason
from flows.handlers import HandlerContext, HandlerResult, handler
from flows.provenance import Source
from flows.services.common import local_now, reads, sentence, slot_number, text
from translations.formatting import format_day, format_list, format_span, format_time, format_week

# A collection earlier today still counts before noon: trucks pass in the morning and a
# caller at 10:00 may still put the bin out; after noon the next one is the useful answer.
SAME_DAY_UNTIL_HOUR = 12

# The town data sets these handlers read.
WASTE_DATA = ("streets", "collections")


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
    label = f"{number} {street.label}" if number is not None else street.label
    return {"street_id": street.id, "street": street.label, "number": number, "text": label}


def _main(ctx: HandlerContext) -> str:
    return str(getattr(ctx.town, "main_language", "") or ctx.lang)


def _zones_text(ctx: HandlerContext, zones: dict[str, str]) -> str:
    """The zones' names as the town calls them ("zone Centre et port"), never their ids."""
    data = ctx.town.collections
    names = []
    for service, zone_id in zones.items():
        zone = data.zone(service, zone_id)
        names.append(text(ctx, "waste.zone", name=zone.name(ctx.lang, _main(ctx)) if zone else zone_id))
    return format_list(names, ctx.lang)


@handler("waste.check_address", needs=WASTE_DATA)
def check_address(ctx: HandlerContext) -> HandlerResult:
    """Is the address in the street list and in a zone? Outcomes: ok (ask the caller to
    confirm), known (already confirmed in this call), needs_number, no_zone, not_found."""
    street, number, address = _street_and_number(ctx)
    if street is None:
        return HandlerResult("not_found")
    slots: dict[str, Any] = {"house_number": None}
    if number is None and street.needs_number:
        return HandlerResult("needs_number", {"street": street.label, **slots})
    updated = _address_slot(street, number)
    slots["address"] = updated
    zones = street.zones_for(number)
    if zones is None:
        return HandlerResult("no_zone", slots)
    slots["zones"] = _zones_text(ctx, dict(zones))
    if ctx.slots.get("address_confirmed") == updated["text"]:
        return HandlerResult("known", slots)
    return HandlerResult("ok", slots)


def _kind(ctx: HandlerContext, kind_id: str) -> str:
    """A kind as the town says it, with its bin when the data gives one."""
    kind = ctx.town.collections.kinds.get(kind_id)
    if kind is None:
        return kind_id
    name, bin_ = kind.name(ctx.lang, _main(ctx)), kind.bin(ctx.lang, _main(ctx))
    return text(ctx, "waste.kind_with_bin", kind=name, bin=bin_) if bin_ else name


def _day(ctx: HandlerContext, day: date, today: date) -> str:
    if day == today:
        return text(ctx, "waste.today", day=format_day(day, ctx.lang))
    if day == today + timedelta(days=1):
        return text(ctx, "waste.tomorrow_day", day=format_day(day, ctx.lang))
    return format_day(day, ctx.lang, year=day.year != today.year)


def _collection_line(ctx: HandlerContext, kinds: list[str], day: date, planned: date, holiday: Any,
                     today: date) -> str:
    named = format_list([_kind(ctx, k) for k in kinds], ctx.lang)
    said = _day(ctx, day, today)
    if day != planned:
        key = "waste.line_holiday" if holiday else "waste.line_moved"
        return text(ctx, key, kind=named, day=said, planned=format_day(planned, ctx.lang, year=planned.year != today.year))
    return text(ctx, "waste.line", kind=named, day=said)


def _lines(ctx: HandlerContext, found: list[Any], today: date) -> list[str]:
    """One line per day (and move), kinds collected together said together, in date order."""
    groups: dict[tuple[date, date, Any], list[str]] = {}
    for c in sorted(found, key=lambda c: c.day):
        groups.setdefault((c.day, c.planned, c.holiday), []).append(c.kind)
    return [_collection_line(ctx, kinds, day, planned, holiday, today)
            for (day, planned, holiday), kinds in groups.items()]


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


def town_kinds(town: Any) -> tuple[str, ...]:
    """The kinds a menu choice may set: those the town's data declares."""
    data = getattr(town, "collections", None)
    return tuple(data.kinds) if data is not None else ()


def _zone_sources(ctx: HandlerContext, zones: dict[str, str]) -> tuple[str, str]:
    """Where the zones' dates are published, and the last published day (for a caller
    whose zone has none left)."""
    data = ctx.town.collections
    documents, last = [], None
    for service, zone_id in zones.items():
        zone = data.zone(service, zone_id)
        if zone is None or zone.source is None:
            continue
        origin = getattr(zone.source, "origin", None)
        if origin is not None and origin.document:
            documents.append(origin.document)
        day = zone.source.last_day()
        last = day if last is None or (day and day > last) else last
    return format_list(list(dict.fromkeys(documents)), ctx.lang), format_day(last, ctx.lang, year=True) if last else ""


@handler("waste.next_collections", needs=WASTE_DATA)
@reads(waste_kind=town_kinds, waste_day=("tomorrow",))
def next_collections(ctx: HandlerContext) -> HandlerResult:
    """The next collection of each kind at the confirmed address, in date order, moves and
    holidays included, and what goes out tomorrow. When the caller chose one kind (slot
    waste_kind) or tomorrow (slot waste_day), only that is said, in the slot answer_one,
    with the outcome `one`. A zone with no published date left gives `no_dates`.
    Outcomes: ok, one, no_dates, needs_number, no_zone, not_found."""
    street, number, _address = _street_and_number(ctx)
    if street is None:
        return HandlerResult("not_found")
    found_zones = street.zones_for(number)
    if found_zones is None:
        return HandlerResult("needs_number" if number is None else "no_zone")
    zones = dict(found_zones)
    now = local_now(ctx)
    today = now.date()
    start = today if now.hour < SAME_DAY_UNTIL_HOUR else today + timedelta(days=1)
    data = ctx.town.collections
    street_source = _street_source(ctx, street, number)
    kinds = data.kinds_at(zones)
    chosen = _chosen(ctx, "waste_kind")
    if chosen in kinds:
        only = [chosen]
    elif chosen in data.kinds:
        only = []  # not collected at this address: the answer says where it goes
    else:
        only, chosen = kinds, ""  # no kind chosen: every kind collected here is said
    found = [c for k in only if (c := data.next_of_kind(zones, k, start)) is not None]
    lines = _lines(ctx, found, today)
    undated = [k for k in only if not any(c.kind == k for c in found)]
    if undated and found:
        lines.append(text(ctx, "waste.no_date_kind", kind=format_list([_kind(ctx, k) for k in undated], ctx.lang)))
    for kind in data.kinds.values():
        if kind.id not in kinds and chosen in ("", kind.id) and (chosen or kind.kerbside):
            elsewhere = kind.elsewhere_text(ctx.lang, _main(ctx))
            if elsewhere:
                lines.append(elsewhere)
    address = _address_slot(street, number)
    slots: dict[str, Any] = {"address": address, "address_confirmed": address["text"],
                             "zones": _zones_text(ctx, zones)}
    if only and not found:
        documents, until = _zone_sources(ctx, zones)
        return HandlerResult("no_dates", {**slots, "calendar_source": documents, "calendar_until": until},
                             provenance=[street_source], review=[reason("stale_record")])
    tomorrow = today + timedelta(days=1)
    out = data.between(zones, tomorrow, tomorrow)
    if out:
        kinds_out = format_list([_kind(ctx, k) for k in dict.fromkeys(c.kind for c in out)], ctx.lang)
        tomorrow_text = text(ctx, "waste.tomorrow_some", kinds=kinds_out)
    else:
        tomorrow_text = text(ctx, "waste.tomorrow_none")
    slots |= {"collections": text(ctx, "waste.separator").join(lines), "tomorrow": tomorrow_text}
    sources = list(dict.fromkeys(_source(ctx, c) for c in found))  # one event may carry two kinds
    if _chosen(ctx, "waste_day") == "tomorrow":
        return HandlerResult("one", {**slots, "answer_one": tomorrow_text},
                             provenance=[street_source, *[_source(ctx, c) for c in out]])
    if chosen and lines:
        return HandlerResult("one", {**slots, "answer_one": sentence(slots["collections"]) + "."},
                             provenance=[street_source, *sources])
    return HandlerResult("ok", slots, provenance=[street_source, *sources])


@handler("waste.glass", needs=WASTE_DATA)
def glass(ctx: HandlerContext) -> HandlerResult:
    """Where glass goes, as the town's data says. Outcomes: ok (drop-off points, in the slot
    glass_points), kerbside (collected at the door: the flow asks the address; the slot
    waste_kind is set to glass), none (the town's data has no glass)."""
    kind = ctx.town.collections.kinds.get("glass") if ctx.town.collections else None
    if kind is None:
        return HandlerResult("none")
    if kind.kerbside:
        return HandlerResult("kerbside", {"waste_kind": {"key": "glass", "text": _kind(ctx, "glass")}})
    if not kind.points:
        return HandlerResult("none")
    names = [_place(ctx, p.name, p.address) for p in kind.points]
    return HandlerResult(
        "ok",
        {"glass_points": format_list(names, ctx.lang)},
        provenance=[ctx.town.source("collections", p.id, p.origin) for p in kind.points],
    )


def _place(ctx: HandlerContext, name: str, address: str) -> str:
    """A point by its name and address, the name said once when the address repeats it
    ("Place de la Mairie, derrière l'hôtel de ville", not "Place de la Mairie, Place de…")."""
    if address.casefold().startswith(name.casefold()):
        return address
    return text(ctx, "waste.glass_point", name=name, address=address)


@handler("waste.recycling_centre", needs=WASTE_DATA)
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
        {"centre": centre.name, "centre_address": centre.address, "centre_status": status,
         "centre_hours": format_week(centre.hours.spans, centre.hours.closed_on_holidays, ctx.lang)},
        provenance=[ctx.town.source("collections", "recycling_centre", centre.origin)],
    )


@handler("waste.bulky", needs=WASTE_DATA)
def bulky(ctx: HandlerContext) -> HandlerResult:
    """Bulky items are by appointment: the flow then offers a person or a callback."""
    info = ctx.town.collections.bulky
    if info is None:
        return HandlerResult("none")
    try:
        line = ctx.town.human_line(info.line).name_in(ctx.lang)
    except KeyError:
        return HandlerResult("none")
    return HandlerResult("ok", {"bulky_line": line},
                         provenance=[ctx.town.source("collections", "bulky", info.origin)])
