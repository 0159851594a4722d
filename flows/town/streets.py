"""Streets, their aliases and locality, and which zone of each waste service (refuse round,
garden round…) each house number is in.

`streets.csv` has one row per stretch of street: a street whose sides or number ranges
are in different zones has several rows with the same id (name, locality and aliases on
the first). An alias written "en: Church Street" is the name as callers of that language
translate it: heard at the address question, never enough alone to make a sentence name a
street. There is a column per service, named after it (`refuse`, `garden`), or `zone`
for a town with one service; an empty cell means the service does not reach that stretch.
Two streets with the same name must have different localities, which callers then hear.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from flows.town.common import Origin, Problems, origin_of, read_csv
from flows.town.waste_services import SINGLE_SERVICE
from staff_files.problems import Problem

SIDES = ("all", "odd", "even")
COLUMNS = ("id", "name", "locality", "aliases", "numbers", "side", "source", "verified")
# An alias in another language, as callers translate the name: "en: Church Street".
_TRANSLATED = re.compile(r"^([a-z]{2})\s*:\s*(\S.*)$")


@dataclass(frozen=True)
class Segment:
    first: int  # house numbers first..last (inclusive); last None = no upper end
    last: int | None
    side: str  # all | odd | even
    zones: Mapping[str, str]  # service -> zone
    origin: Origin
    line: int

    def covers(self, number: int) -> bool:
        if number < self.first or (self.last is not None and number > self.last):
            return False
        return self.side == "all" or (number % 2 == 1) == (self.side == "odd")

    def overlaps(self, other: Segment) -> bool:
        if self.side != "all" and other.side != "all" and self.side != other.side:
            return False
        low = max(self.first, other.first)
        highs = [h for h in (self.last, other.last) if h is not None]
        high = min(highs) if highs else None
        if high is not None and low > high:
            return False
        if self.side == "all" and other.side == "all":
            return True
        side = other.side if self.side == "all" else self.side
        # Two ranges overlap on one side only if they share a number of that parity.
        top = high if high is not None else low + 2
        return any((n % 2 == 1) == (side == "odd") for n in range(low, min(top, low + 2) + 1))


@dataclass(frozen=True)
class Street:
    id: str
    name: str
    aliases: tuple[str, ...]
    segments: tuple[Segment, ...]
    locality: str = ""
    # The name as callers of another language translate it ("en: Church Street"), by language.
    translated: tuple[tuple[str, str], ...] = ()

    @property
    def label(self) -> str:
        """How the street is said back: with its locality when it has one."""
        return f"{self.name}, {self.locality}" if self.locality else self.name

    @property
    def needs_number(self) -> bool:
        """True when the zones depend on the house number."""
        return len({tuple(sorted(s.zones.items())) for s in self.segments}) > 1

    def segment_for(self, number: int | None) -> Segment | None:
        if number is None:
            return self.segments[0] if not self.needs_number else None
        return next((s for s in self.segments if s.covers(number)), None)

    def zones_for(self, number: int | None) -> Mapping[str, str] | None:
        """The zone in each service of a house number; None when the number is needed but
        missing, or is outside every range of the street."""
        segment = self.segment_for(number)
        return segment.zones if segment else None


def _numbers(text: str, problems: Problems, line: int) -> tuple[int, int | None] | None:
    text = text.replace(" ", "")
    if not text:
        return (1, None)
    first, sep, last = text.partition("-")
    try:
        low = int(first) if first else 1
        high = int(last) if last else (None if sep else low)
    except ValueError:
        problems.add(line, f"numbers '{text}' must be a range like 1-60, 61- (61 and up) or empty (all)")
        return None
    if high is not None and high < low:
        problems.add(line, f"numbers '{text}': the range ends before it starts")
        return None
    return (low, high)


def _service_columns(header: set[str], services: Mapping[str, set[str]] | None, problems: Problems) -> list[str]:
    if services is None:
        return ["zone"] if "zone" in header else sorted(header - set(COLUMNS) - {"zone"})
    if list(services) == [SINGLE_SERVICE]:
        if "zone" not in header:
            problems.add(1, f"the header needs a 'zone' column (the columns are {', '.join(COLUMNS[:5])}, zone, "
                            "source, verified)")
        return ["zone"]
    missing = [s for s in services if s not in header]
    if missing:
        problems.add(1, f"the header has no column for the service(s) {', '.join(missing)}: add one column per "
                        f"service of collections.yaml ({', '.join(services)}) with the street's zone in it")
    return [s for s in services if s in header]


def _is_language(code: str) -> bool:
    from babel import Locale, UnknownLocaleError

    try:
        Locale.parse(code)
    except (UnknownLocaleError, ValueError):
        return False
    return True


def load_streets(path: Path, services: Mapping[str, set[str]] | None = None) -> tuple[dict[str, Street], list[Problem]]:
    """Streets by id and the problems found. `services`: each service's zones, from
    collections.yaml."""
    problems = Problems(path)
    rows = read_csv(path, problems)
    header = set(rows[0][1]) if rows else set()
    if rows and not {"id", "name"} <= header:
        problems.add(1, f"the header must have the columns {', '.join(COLUMNS)} and one per service (or zone); "
                        f"it has {', '.join(sorted(header))}")
        return {}, problems.items
    columns = _service_columns(header, services, problems) if rows else []
    names: dict[str, tuple[str, tuple[str, ...], str, int]] = {}
    translated: dict[str, tuple[tuple[str, str], ...]] = {}
    segments: dict[str, list[Segment]] = {}
    for line, row in rows:
        street_id = row.get("id", "")
        if not street_id:
            problems.add(line, "this row has no street id")
            continue
        if row.get("name"):
            if street_id in names:
                problems.add(line, f"street '{street_id}' is named twice; give the name on its first row only")
            written = [a.strip() for a in row.get("aliases", "").split("|") if a.strip()]
            aliases = tuple(a for a in written if not _TRANSLATED.match(a))
            translated[street_id] = tuple((m.group(1), m.group(2).strip()) for a in written
                                          if (m := _TRANSLATED.match(a)))
            for code, name in translated[street_id]:
                if not _is_language(code):
                    problems.add(line, f"'{code}: {name}' names street '{street_id}' in '{code}', which is no "
                                       f"language code: write the language's two letters (en: Church Street)")
            names[street_id] = (row["name"], aliases, row.get("locality", ""), line)
        elif street_id not in names:
            problems.add(line, f"the first row of street '{street_id}' must give its name")
            continue
        side = (row.get("side") or "all").lower()
        if side not in SIDES:
            problems.add(line, f"side '{side}' must be all, odd or even")
            continue
        zones: dict[str, str] = {}
        unknown = False  # an unknown zone is said once, not again as "no zone"
        for column in columns:
            zone = row.get(column, "")
            service = SINGLE_SERVICE if column == "zone" else column
            if not zone:
                continue
            known = (services or {}).get(service)
            if known is not None and zone not in known:
                problems.add(line, f"zone '{zone}' is unknown in column '{column}': collections.yaml knows "
                                   f"{', '.join(sorted(known))}")
                unknown = True
                continue
            zones[service] = zone
        if not zones:
            if not unknown:
                problems.add(line, f"street '{street_id}' has no zone: fill its {' or '.join(columns) or 'zone'} column")
            continue
        span = _numbers(row.get("numbers", ""), problems, line)
        if span is None:
            continue
        origin = origin_of(row, problems, line, f"street '{street_id}'")
        segment = Segment(span[0], span[1], side, zones, origin, line)
        for other in segments.get(street_id, []):
            if segment.overlaps(other):
                problems.add(line, f"the numbers of street '{street_id}' on this row overlap those on line {other.line}")
        segments.setdefault(street_id, []).append(segment)
    streets = {
        sid: Street(sid, names[sid][0], names[sid][1], tuple(segs), names[sid][2], translated.get(sid, ()))
        for sid, segs in segments.items()
        if sid in names
    }
    _same_names(streets, names, problems)
    return streets, problems.items


def _same_names(streets: Mapping[str, Street], names: Mapping[str, tuple[str, tuple[str, ...], str, int]],
                problems: Problems) -> None:
    """Two streets a caller cannot tell apart would be read back as two identical choices."""
    seen: dict[str, str] = {}
    for sid, street in streets.items():
        key = " ".join(street.label.casefold().split())
        if key in seen:
            problems.add(names[sid][3], f"streets '{seen[key]}' and '{sid}' are both called '{street.label}': callers "
                                        "could not tell them apart; fill the locality column (the village or "
                                        "district) of both")
        else:
            seen[key] = sid
