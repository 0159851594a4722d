"""Streets, their aliases, and which collection zone each house number is in.

`streets.csv` has one row per stretch of street: a street whose sides or number ranges
are in different zones has several rows with the same id (name and aliases on the first).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flows.town.common import Origin, Problems, origin_of, read_csv

SIDES = ("all", "odd", "even")
COLUMNS = ("id", "name", "aliases", "numbers", "side", "zone", "source", "verified")


@dataclass(frozen=True)
class Segment:
    first: int  # house numbers first..last (inclusive); last None = no upper end
    last: int | None
    side: str  # all | odd | even
    zone: str
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

    @property
    def needs_number(self) -> bool:
        """True when the zone depends on the house number."""
        return len({s.zone for s in self.segments}) > 1

    def segment_for(self, number: int | None) -> Segment | None:
        if number is None:
            return self.segments[0] if not self.needs_number else None
        return next((s for s in self.segments if s.covers(number)), None)

    def zone_for(self, number: int | None) -> str | None:
        """The zone of a house number; None when the number is needed but missing, or is
        outside every range of the street."""
        segment = self.segment_for(number)
        return segment.zone if segment else None


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


def load_streets(path: Path, zones: set[str] | None = None) -> tuple[dict[str, Street], list]:
    """Streets by id and the problems found. `zones`: the zones the schedules know."""
    problems = Problems(path)
    rows = read_csv(path, problems)
    if rows and not {"id", "name", "zone"} <= set(rows[0][1]):
        problems.add(1, f"the header must have the columns {', '.join(COLUMNS)}")
        return {}, problems.items
    names: dict[str, tuple[str, tuple[str, ...]]] = {}
    segments: dict[str, list[Segment]] = {}
    for line, row in rows:
        street_id = row.get("id", "")
        if not street_id:
            problems.add(line, "this row has no street id")
            continue
        if row.get("name"):
            if street_id in names:
                problems.add(line, f"street '{street_id}' is named twice; give the name on its first row only")
            aliases = tuple(a.strip() for a in row.get("aliases", "").split("|") if a.strip())
            names[street_id] = (row["name"], aliases)
        elif street_id not in names:
            problems.add(line, f"the first row of street '{street_id}' must give its name")
            continue
        side = (row.get("side") or "all").lower()
        if side not in SIDES:
            problems.add(line, f"side '{side}' must be all, odd or even")
            continue
        zone = row.get("zone", "")
        if not zone:
            problems.add(line, f"street '{street_id}' has no zone")
            continue
        if zones is not None and zone not in zones:
            problems.add(line, f"zone '{zone}' is unknown: the collection schedules know {', '.join(sorted(zones))}")
            continue
        span = _numbers(row.get("numbers", ""), problems, line)
        if span is None:
            continue
        origin = origin_of(row, problems, line, f"street '{street_id}'")
        segment = Segment(span[0], span[1], side, zone, origin, line)
        for other in segments.get(street_id, []):
            if segment.overlaps(other):
                problems.add(line, f"the numbers of street '{street_id}' on this row overlap those on line {other.line}")
        segments.setdefault(street_id, []).append(segment)
    streets = {
        sid: Street(sid, names[sid][0], names[sid][1], tuple(segs))
        for sid, segs in segments.items()
        if sid in names
    }
    return streets, problems.items
