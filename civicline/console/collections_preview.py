"""The next collections of an address as the assistant would say them, for staff to check a
calendar they just uploaded: each day with its kind (in the staff's language), its round
and zone, the day it was planned when a holiday or the calendar moved it, and the document
it comes from. Read from the running town's data, so an upload shows at once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any


@dataclass(frozen=True)
class Row:
    day: date
    kind: str  # the kind's name in the staff's language
    zone: str  # the zone's name
    planned: date | None  # the usual day, when this one was moved
    holiday: date | None
    source: str


@dataclass(frozen=True)
class Preview:
    street: str  # as said back (with its locality)
    zones: dict[str, str]  # service -> zone name
    rows: list[Row]
    needs_number: bool = False
    no_zone: bool = False

    @property
    def several_services(self) -> bool:
        """Whether the zones are per service (refuse, garden…): a town with one service has
        only its internal name ("zone"), which says nothing to staff."""
        from flows.town.waste_services import SINGLE_SERVICE

        return set(self.zones) != {SINGLE_SERVICE}


def streets(town: Any) -> list[tuple[str, str]]:
    """(id, label) of the town's streets, by label."""
    found = getattr(town, "streets", None) or {}
    return sorted(((s.id, s.label) for s in found.values()), key=lambda s: s[1].casefold())


def preview(town: Any, street_id: str, number: int | None, start: date, days: int, lang: str) -> Preview | None:
    """None when the town has no such street or no collections data."""
    street = (getattr(town, "streets", None) or {}).get(street_id)
    data = getattr(town, "collections", None)
    if street is None or data is None:
        return None
    zones = street.zones_for(number)
    if zones is None:
        return Preview(street.label, {}, [], needs_number=number is None, no_zone=number is not None)
    main = town.main_language
    names = {}
    for service, zone_id in zones.items():
        zone = data.zone(service, zone_id)
        names[service] = zone.name(lang, main) if zone else zone_id
    rows = []
    for c in data.between(zones, start, start + timedelta(days=days)):
        kind = data.kinds.get(c.kind)
        rows.append(Row(
            day=c.day, kind=kind.name(lang, main) if kind else c.kind,
            zone=names.get(c.service) or c.zone, planned=c.planned if c.planned != c.day else None,
            holiday=c.holiday, source=c.origin.document,
        ))
    return Preview(street.label, names, rows)
