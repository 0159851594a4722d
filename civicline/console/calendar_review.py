"""Before a collection calendar or the collections data is published: what it would change
for callers. The candidate text is checked on a copy of the whole town (the same check as
saving), and from that copy come what the data check says of the calendars (one ending
soon, a zone left with no date, a name missing in an offered language) and the next collections of a few streets, one per zone
the file feeds, as the assistant would say them. Nothing is written: publishing is the
next, separate step (``files.save``, which checks again).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from civicline.console import files
from civicline.console.collections_preview import Preview, preview
from staff_files.problems import FlowError, Problem

STREETS = 6  # streets shown: one per zone the file feeds, at most this many
DAYS = 21  # the collections of the next three weeks


@dataclass
class Review:
    problems: list[Problem] = field(default_factory=list)  # publishing is refused while there are any
    note: str | None = None  # only the format could be checked
    notices: list[Any] = field(default_factory=list)  # the data check's warnings and errors about the calendars
    previews: list[Preview] = field(default_factory=list)
    collections: bool = False  # the file feeds the collections: previews are meaningful


def _calendar(zone: Any) -> str:
    """The name of a zone's calendar file (a zone read from rules has none)."""
    return str(getattr(zone.source, "file", "") or "")


def feeds_collections(town: Any, relative: str) -> bool:
    """Whether the collections are read from this file (relative to the town's folder): the
    collections data or a zone's calendar (named by its file name, as the data keeps it)."""
    data = getattr(town, "collections", None)
    if data is None:
        return False
    name = Path(relative).name
    return relative == "data/collections.yaml" or any(
        _calendar(zone) == name for service in data.services.values() for zone in service.zones.values())


def needs_review(town: Any, relative: str) -> bool:
    """A calendar, or the collections data: shown to staff before it is published."""
    return relative.lower().endswith(".ics") or feeds_collections(town, relative)


def sample_streets(town: Any, relative: str, limit: int = STREETS) -> list[str]:
    """One street per zone whose calendar is ``relative`` (every zone when the file is the
    collections data), the first by name, for at most ``limit`` zones."""
    data = getattr(town, "collections", None)
    streets = sorted((getattr(town, "streets", None) or {}).values(), key=lambda s: s.label.casefold())
    if data is None or not streets:
        return []
    zones = [(service.id, zone.id) for service in data.services.values() for zone in service.zones.values()]
    own = [z for z in zones if _calendar(data.zone(*z)) == Path(relative).name]
    chosen: list[str] = []
    for service, zone in (own or zones):
        street = next((s for s in streets if (s.zones_for(None) or {}).get(service) == zone), None)
        if street is not None and street.id not in chosen:
            chosen.append(street.id)
        if len(chosen) >= limit:
            break
    return chosen


def review(folder: Path, relative: str, text: str, check: Callable[[Path], tuple[list[Problem], str | None]],
           *, lang: str, start: date, max_age_days: int) -> Review:
    """What publishing ``text`` as ``relative`` (in the town's ``folder``) would give."""
    from flows.town import load_town
    from flows.town.freshness import freshness
    from flows.town.names import untranslated

    result = Review()

    def inspect(copy: Path) -> list[Problem]:
        problems, result.note = check(copy)
        if problems:
            return problems
        try:
            town = load_town(copy)
        except FlowError:  # only the format was checked (no town.yaml): nothing more to show
            return []
        result.collections = feeds_collections(town, relative)
        result.notices = [_relative(n, copy) for n in freshness(town, start, max_age_days) + untranslated(town)
                          if n.severity in ("error", "warning")]
        for street in sample_streets(town, relative):
            shown = preview(town, street, None, start, DAYS, lang)
            if shown is not None:
                result.previews.append(shown)
        return []

    result.problems = files.checked_copy(folder, relative, text, inspect)
    return result


def _relative(notice: Any, copy: Path) -> Any:
    from dataclasses import replace

    name = Path(notice.file)
    return replace(notice, file=str(name.relative_to(copy)) if name.is_relative_to(copy) else notice.file)
