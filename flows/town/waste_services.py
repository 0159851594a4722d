"""A town's waste services as its data defines them (collections.yaml): the kinds of waste,
the services (rounds) with their zones, each zone collected by rules or by its own
published calendar, the recycling centre and bulky items.

A street belongs to one zone per service (a refuse round and a garden round); streets.csv
has a column per service. A town with one service may write it at the top level of the
file (`zones:` with `schedules:` or `calendars:`); its column in streets.csv is `zone`.

    kinds: {household: {names: {en: "household waste"}, bin: {en: "black bin"}}, …}
    services:
      refuse:
        zones: {MON-G1: {name: "Monday G1"}, …}
        titles: {"Black Bin Day": household, "Green Bin + Glass Box Day": [recycling, glass]}
        calendars:
          MON-G1: {file: ical/monday_g1.ics, source: "…", verified: 2026-01-31}
      garden:
        zones: …
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from flows.town.collections import (
    HOLIDAY_RULES,
    HORIZON_DAYS,
    Bulky,
    Collection,
    RecyclingCentre,
    RuleCollections,
    RuleZone,
    parse_schedule,
)
from flows.town.common import Problems, origin_of
from flows.town.hours import Holidays, parse_hours
from flows.town.ics import KindMap, ZoneCalendar, kind_map, read_calendar
from flows.town.kinds import Place, WasteKind, load_kinds
from staff_files.problems import Problem
from staff_files.yaml_lines import LineDict, load_yaml_file

SINGLE_SERVICE = "zone"  # the service of a file without services:, and its column in streets.csv


@dataclass(frozen=True)
class Zone:
    service: str
    id: str
    names: dict[str, str]
    source: Any  # RuleZone | ZoneCalendar: between(start, end), kinds_collected(), last_day()
    line: int | None = None

    def name(self, lang: str, main: str) -> str:
        """In the caller's language, else the main one, else as written once; the id only
        when the data names the zone in no language at all."""
        return (self.names.get(lang) or self.names.get(main) or self.names.get("*")
                or next(iter(self.names.values()), "") or self.id)


@dataclass
class Service:
    id: str
    zones: dict[str, Zone] = field(default_factory=dict)


@dataclass
class CollectionData:
    kinds: dict[str, WasteKind]
    services: dict[str, Service]
    bulky: Bulky | None = None
    centre: RecyclingCentre | None = None

    def zone(self, service: str, zone_id: str) -> Zone | None:
        found = self.services.get(service)
        return found.zones.get(zone_id) if found else None

    def zone_ids(self) -> dict[str, set[str]]:
        return {sid: set(s.zones) for sid, s in self.services.items()}

    def _zones(self, zones: Mapping[str, str]) -> list[Zone]:
        return [z for sid, zid in zones.items() if (z := self.zone(sid, zid)) is not None and z.source is not None]

    def between(self, zones: Mapping[str, str], start: date, end: date, kind: str | None = None) -> list[Collection]:
        """Collections of an address (its zone in each service), in date order."""
        found = [c for z in self._zones(zones) for c in z.source.between(start, end) if kind is None or c.kind == kind]
        order = list(self.kinds)
        return sorted(found, key=lambda c: (c.day, order.index(c.kind) if c.kind in order else len(order)))

    def next_of_kind(self, zones: Mapping[str, str], kind: str, after: date) -> Collection | None:
        found = self.between(zones, after, after + timedelta(days=HORIZON_DAYS), kind)
        return found[0] if found else None

    def kinds_at(self, zones: Mapping[str, str]) -> list[str]:
        """The kerbside kinds collected at an address, in the order kinds are declared."""
        collected = {k for z in self._zones(zones) for k in z.source.kinds_collected()}
        return [k for k, kind in self.kinds.items() if k in collected and kind.kerbside]

    @property
    def glass_points(self) -> tuple[Place, ...]:
        glass = self.kinds.get("glass")
        return glass.points if glass else ()


def _zone_names(raw: Any, problems: Problems, line: int | None, service: str) -> dict[str, tuple[dict[str, str], int | None]]:
    zones: dict[str, tuple[dict[str, str], int | None]] = {}
    if not isinstance(raw, dict) or not raw:
        problems.add(line, f"service '{service}' declares no zones (zones: {{A: {{name: …}}}})")
        return zones
    for key, value in raw.items():
        where = raw.line_of(key) if hasattr(raw, "line_of") else line
        name = value.get("name", key) if isinstance(value, dict) else (value or key)
        names = {str(k): str(v) for k, v in name.items()} if isinstance(name, dict) else {"*": str(name)}
        zones[str(key)] = (names, where)
    return zones


def _calendars(block: Any, service: str, zones: dict[str, Any], kinds: set[str], base: Path,
               problems: Problems) -> dict[str, ZoneCalendar]:
    """`calendars: {A: {file: zone-a.ics, titles: {…}, source: …, verified: …}}`."""
    found: dict[str, ZoneCalendar] = {}
    entries = block["calendars"]
    where = block.line_of("calendars") if hasattr(block, "line_of") else None
    if not isinstance(entries, dict):
        problems.add(where, "calendars must map each zone to {file: …, source: …, verified: …}")
        return found
    shared_titles = kind_map(block.get("titles"), kinds, problems, _at(block, "titles"), f"service '{service}': titles")
    shared_cats = kind_map(block.get("categories"), kinds, problems, _at(block, "categories"),
                           f"service '{service}': categories")
    for zone, entry in entries.items():
        line = entries.line_of(zone) if hasattr(entries, "line_of") else where
        if str(zone) not in zones:
            problems.add(line, f"calendar for zone '{zone}', which is not declared under zones: of service '{service}'")
            continue
        entry = entry if isinstance(entry, dict) else {"file": entry}
        if not entry.get("file"):
            problems.add(line, f"the calendar of zone '{zone}' names no file (file: …ics)")
            continue
        titles = shared_titles | kind_map(entry.get("titles"), kinds, problems, line, f"calendar of zone '{zone}': titles")
        cats = shared_cats | kind_map(entry.get("categories"), kinds, problems, line,
                                      f"calendar of zone '{zone}': categories")
        file = base / str(entry["file"])
        origin = origin_of(entry, problems, line, f"calendar of zone '{zone}'")
        file_problems = Problems(file)
        calendar, text = read_calendar(file, file_problems)
        if calendar is not None:
            zc = ZoneCalendar(service, str(zone), calendar, origin, file.name, KindMap(titles, cats, frozenset(kinds)))
            zc.check(text, file_problems)
            found[str(zone)] = zc
        problems.extend(file_problems.items)
    for zone in zones:
        if zone not in entries:
            problems.add(where, f"zone '{zone}' of service '{service}' has no calendar")
    return found


def _at(block: Any, key: str) -> int | None:
    return block.line_of(key) if hasattr(block, "line_of") else None


def _service(service: str, block: Any, kinds: dict[str, WasteKind], holidays: Holidays | None, base: Path,
             problems: Problems, line: int | None) -> Service:
    names = _zone_names(block.get("zones"), problems, _at(block, "zones") or line, service)
    result = Service(service)
    if block.get("calendars") and block.get("schedules"):
        problems.add(_at(block, "schedules"), f"service '{service}' has both schedules: and calendars:; keep one")
    sources: dict[str, Any] = {}
    if block.get("calendars"):
        sources = _calendars(block, service, names, set(kinds), base, problems)
    else:
        raw = block.get("schedules") or []
        schedules = []
        lines = getattr(raw, "item_lines", [_at(block, "schedules") or line] * len(raw))
        for item, item_line in zip(raw, lines, strict=False):
            schedule = parse_schedule(item, item_line, names, set(kinds), problems)
            if schedule:
                schedules.append(schedule)
        seen: set[str] = set()
        for s in schedules:
            if s.id in seen:
                problems.add(s.line, f"schedule id '{s.id}' is used twice")
            seen.add(s.id)
        rule = str(block.get("holiday_rule", "shift_after_holiday"))
        if rule not in HOLIDAY_RULES:
            problems.add(_at(block, "holiday_rule"), f"holiday_rule must be one of {', '.join(HOLIDAY_RULES)}")
        rules = RuleCollections({z: z for z in names}, schedules, rule, holidays, service)
        for zone in names:
            if not any(zone in s.zones for s in schedules):
                problems.add(names[zone][1], f"zone '{zone}' of service '{service}' has no collection schedule")
            else:
                sources[zone] = RuleZone(rules, zone)
    for zone, (zone_names, zone_line) in names.items():
        result.zones[zone] = Zone(service, zone, zone_names, sources.get(zone), zone_line)
    return result


def load_collections(path: Path, holidays: Holidays | None,
                     languages: list[str] | None = None) -> tuple[CollectionData, list[Problem]]:
    problems = Problems(path)
    data, duplicates = load_yaml_file(path)
    problems.extend(duplicates)
    if not isinstance(data, LineDict):  # every mapping the YAML reader returns is one
        problems.add(None, "collections.yaml must be a mapping with kinds:, zones:…")
        return CollectionData({}, {}), problems.items
    kinds = load_kinds(data, problems, languages or [])
    if "glass_points" in data:
        problems.add(data.line_of("glass_points"), "glass_points: belong to the glass kind now: move them under "
                                                   "kinds: glass: points: (with collected: drop_off)")
    services: dict[str, Service] = {}
    raw = data.get("services")
    if raw is None:
        services[SINGLE_SERVICE] = _service(SINGLE_SERVICE, data, kinds, holidays, path.parent, problems, None)
    elif not isinstance(raw, dict) or not raw:
        problems.add(data.line_of("services"), "services must map each service (refuse, garden…) to its zones and calendars")
    else:
        for sid, block in raw.items():
            line = raw.line_of(sid) if hasattr(raw, "line_of") else None
            if not isinstance(block, dict):
                problems.add(line, f"service '{sid}' must be a block with zones: and calendars: (or schedules:)")
                continue
            services[str(sid)] = _service(str(sid), block, kinds, holidays, path.parent, problems, line)
    bulky = None
    if isinstance(data.get("bulky"), dict):
        b = data["bulky"]
        bulky = Bulky(str(b.get("line", "main")), origin_of(b, problems, data.line_of("bulky"), "bulky"))
    centre = None
    if isinstance(data.get("recycling_centre"), dict):
        c = data["recycling_centre"]
        where = data.line_of("recycling_centre")
        centre = RecyclingCentre(str(c.get("name", "")), str(c.get("address", "")),
                                 parse_hours(c, holidays, problems, where, "recycling_centre"),
                                 origin_of(c, problems, where, "recycling_centre"))
    return CollectionData(kinds, services, bulky, centre), problems.items
