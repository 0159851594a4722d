"""The town's sorting guide (data/sorting.yaml): which service takes which object.

A clerk writes one line per object: its names in each language (the first is said back to
the caller), where it goes (one of the guide's services), and, when it differs from the
file's, its own source and verification date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flows.town.common import Origin, Problems, parse_date
from staff_files.yaml_lines import load_yaml_file

_ID = re.compile(r"^[a-z0-9_]+$")
_LANG = re.compile(r"^[a-z]{2}$")  # an item's names in one language (fr:, it:)


@dataclass(frozen=True)
class SortingItem:
    id: str
    goes: str
    names: dict[str, tuple[str, ...]]
    origin: Origin

    def name(self, lang: str, main: str) -> str:
        names = self.names.get(lang) or self.names.get(main) or (self.id,)
        return names[0]


@dataclass
class SortingGuide:
    services: dict[str, dict[str, str]] = field(default_factory=dict)
    items: dict[str, SortingItem] = field(default_factory=dict)

    def synonyms(self, lang: str) -> dict[str, tuple[str, ...]]:
        """Object id -> the names callers may use, for the `sorting_item` slot."""
        return {i.id: i.names[lang] for i in self.items.values() if i.names.get(lang)}

    def service_name(self, service: str, lang: str, main: str) -> str:
        names = self.services.get(service, {})
        return names.get(lang) or names.get(main) or service


def _line(data: Any, key: Any) -> int | None:
    return data.line_of(key) if hasattr(data, "line_of") else None


def load_sorting(path: Path, languages: list[str]) -> tuple[SortingGuide, list]:
    problems = Problems(path)
    data, duplicates = load_yaml_file(path)
    problems.extend(duplicates)
    guide = SortingGuide()
    if not isinstance(data, dict):
        problems.add(None, "the sorting guide must be a mapping with source, verified, services and items")
        return guide, problems.items
    source = str(data.get("source") or "")
    if not source:
        problems.add(_line(data, "source"), "the sorting guide needs a 'source' (the public document it comes from)")
    verified = parse_date(data.get("verified"), problems, _line(data, "verified"), "verified")
    services = data.get("services")
    if not isinstance(services, dict) or not services:
        problems.add(_line(data, "services"), "'services' must name each destination in every language")
        services = {}
    for service, names in services.items():
        where = _line(services, service)
        if not isinstance(names, dict):
            problems.add(where, f"service '{service}' must give its name per language ({{fr: …, en: …}})")
            continue
        missing = [lang for lang in languages if not str(names.get(lang) or "").strip()]
        if missing:
            problems.add(where, f"service '{service}' has no name in {', '.join(missing)}")
        guide.services[str(service)] = {str(k): str(v) for k, v in names.items()}
    items = data.get("items")
    if not isinstance(items, list) or not items:
        problems.add(_line(data, "items"), "'items' must list the objects of the guide")
        items = []
    for item in items:
        where = _line(item, "id")
        if not isinstance(item, dict):
            problems.add(None, "each item is a block with id, goes and its names per language")
            continue
        item_id = str(item.get("id") or "")
        if not _ID.match(item_id):
            problems.add(where, f"item id '{item_id}' must be lower case letters, digits and _")
            continue
        if item_id in guide.items:
            problems.add(where, f"item '{item_id}' is listed twice")
            continue
        goes = str(item.get("goes") or "")
        if goes not in guide.services:
            problems.add(_line(item, "goes") or where,
                         f"item '{item_id}' goes to '{goes}', which is not one of the services ({', '.join(guide.services)})")
        item_names: dict[str, tuple[str, ...]] = {}
        # Every language the file names is kept, not only the town's offered ones: a server
        # may offer one more (CIVICLINE_LANGUAGES) and its callers then name objects in it.
        given = [str(k) for k in item if _LANG.match(str(k)) and str(k) not in languages]
        for lang in [*languages, *given]:
            raw = item.get(lang)
            words = (raw,) if isinstance(raw, str) else tuple(raw or ())
            words = tuple(str(w).strip() for w in words if str(w).strip())
            if not words and lang in languages:
                problems.add(where, f"item '{item_id}' has no name in {lang}")
            if words or lang in languages:
                item_names[lang] = words
        own_date = item.get("verified")
        item_verified = parse_date(own_date, problems, where, f"item '{item_id}' verified") if own_date else verified
        origin = Origin(str(item.get("source") or source), item_verified)
        guide.items[item_id] = SortingItem(item_id, goes, item_names, origin)
    return guide, problems.items
