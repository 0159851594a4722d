"""A town: its settings (town.yaml), its data sets and its human lines, loaded once.

Everything a call needs from the town goes through :class:`Town`; replacing the town's
folder with another town's files changes the answers without changing any code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers

from flows.provenance import Source
from flows.town.common import Origin, Problems
from flows.town.emergency import EmergencyNumbers, load_emergency
from flows.town.hours import Holidays, HumanLine, parse_hours
from flows.town.meetings import Meetings, load_meetings
from flows.town.permits import PermitData, load_permits
from flows.town.sorting import SortingGuide, load_sorting
from flows.town.streets import Street, load_streets
from flows.town.waste_services import CollectionData, load_collections
from staff_files.problems import DataError, FlowError, Problem
from staff_files.yaml_lines import load_yaml_file

DATASETS = ("streets", "collections", "meetings", "permits", "sorting")
# Data sets that only make sense together: streets say which zone of the collections.
TOGETHER = {"streets": "collections", "collections": "streets"}
DEFAULT_MAX_AGE_DAYS = 180
# Country codes people write that the phone-number library knows by another name.
PHONE_REGIONS = {"UK": "GB", "EL": "GR"}


@dataclass
class Town:
    name: str
    path: Path
    timezone: ZoneInfo
    country: str
    main_language: str
    languages: list[str]
    max_age_days: int
    holidays: Holidays
    lines: dict[str, HumanLine]
    streets: dict[str, Street] = field(default_factory=dict)
    collections: CollectionData | None = None
    meetings: Meetings | None = None
    permits: PermitData | None = None
    sorting: SortingGuide | None = None
    versions: dict[str, str] = field(default_factory=dict)
    website: str = ""  # the town's own page, given as a link where residents read (SMS, chat)
    emergency: EmergencyNumbers = field(default_factory=EmergencyNumbers)
    # The town's Open311 GeoReport v2 endpoint: endpoint, jurisdiction_id, services (our
    # request kinds -> the city's service codes); empty: requests go on the staff's list.
    open311: dict[str, Any] = field(default_factory=dict)

    @property
    def flows_dir(self) -> Path:
        return self.path / "flows"

    @property
    def sentences_dir(self) -> Path:
        """The town's own sentences, one file per language, over the catalogs' ones."""
        return self.path / "sentences"

    def has(self, dataset: str) -> bool:
        """Does the town publish this data set (town.yaml `data:`)?"""
        return dataset in self.versions

    def human_line(self, name: str = "main") -> HumanLine:
        """Raises KeyError for a line town.yaml does not declare (the flow validator says so)."""
        return self.lines[name]

    def street(self, street_id: str) -> Street | None:
        return self.streets.get(street_id)

    def street_gazetteer(self) -> list[tuple[str, list[str]]]:
        """(street id, [how it is said back, name, aliases…]) for the address resolver: a
        street with a locality is said with it, so same-named streets read back apart."""
        return [(s.id, list(dict.fromkeys([s.label, s.name, *s.aliases]))) for s in self.streets.values()]

    def street_translations(self) -> list[tuple[str, list[str]]]:
        """(street id, [the name as callers translate it…]) for the address resolver, every
        language together: a caller may translate into a language other than the call's."""
        return [(s.id, list(dict.fromkeys(name for _, name in s.translated))) for s in self.streets.values()
                if s.translated]

    def waste_kind_synonyms(self, lang: str) -> dict[str, tuple[str, ...]]:
        """Words for the `waste_kind` slot: the town's kinds as its data names them."""
        if self.collections is None:
            return {}
        return {k: kind.synonyms(lang) for k, kind in self.collections.kinds.items() if kind.synonyms(lang)}

    def permit_kind_synonyms(self, lang: str) -> dict[str, tuple[str, ...]]:
        """Words for the `permit_kind` slot: the permits' names and the kinds of works."""
        return self.permits.synonyms(lang) if self.permits else {}

    def sorting_item_synonyms(self, lang: str) -> dict[str, tuple[str, ...]]:
        """Words for the `sorting_item` slot: the objects of the sorting guide."""
        return self.sorting.synonyms(lang) if self.sorting else {}

    def source(self, dataset: str, record: str, origin: Origin) -> Source:
        return origin.source(dataset, record, self.versions.get(dataset, ""))

    def verified_facts(self) -> list[Source]:
        """The records whose freshness decides what may be said (permits and their fees),
        for the staff's to-verify list."""
        facts: list[Source] = []
        for permit in (self.permits.permits.values() if self.permits else []):
            facts.append(self.source("permits", permit.id, permit.origin))
            if permit.fee is not None:
                facts.append(self.source("permits", f"{permit.id}.fee", Origin(permit.fee.document, permit.fee.verified)))
        return facts


def _line(data: Any, key: str) -> int | None:
    return data.line_of(key) if hasattr(data, "line_of") else None


def _human_lines(data: Any, holidays: Holidays, problems: Problems, country: str) -> dict[str, HumanLine]:
    lines: dict[str, HumanLine] = {}
    raw = data.get("human_lines")
    if not isinstance(raw, dict) or "main" not in raw:
        problems.add(_line(data, "human_lines"), "human_lines must declare at least the 'main' line (name, number, hours)")
        return lines
    for line_id, item in raw.items():
        where = _line(raw, line_id)
        if not isinstance(item, dict):
            problems.add(where, f"human line '{line_id}' must be a block with name, number and hours")
            continue
        display = str(item.get("number", ""))
        region = PHONE_REGIONS.get(country.upper(), country.upper())
        try:
            parsed = phonenumbers.parse(display, region)
            if not phonenumbers.is_possible_number(parsed):
                raise phonenumbers.NumberParseException(0, "not a possible number")
            number = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
        except phonenumbers.NumberParseException:
            if not display.startswith("+") and region not in phonenumbers.SUPPORTED_REGIONS:
                problems.add(where, f"human line '{line_id}': '{display}' cannot be read as a national number of "
                                    f"country '{country}', which the phone-number list does not know: write the "
                                    "number in international form (+44 115 901 3901) or use the ISO code (GB, FR…)")
            else:
                problems.add(where, f"human line '{line_id}': '{display}' is not a phone number of country "
                                    f"'{region}'; write it as dialled there, or in international form (+…)")
            number = display
        hours = parse_hours(item, holidays, problems, where, f"human line '{line_id}'")
        raw_name = item.get("name", line_id)
        names = {str(k): str(v) for k, v in raw_name.items()} if isinstance(raw_name, dict) else None
        name = next(iter(names.values()), str(line_id)) if names else str(raw_name)
        lines[str(line_id)] = HumanLine(str(line_id), name, number, display, hours, names)
    return lines


def _open311(data: Any, problems: Problems, line: int | None) -> dict[str, Any]:
    if data is None:
        return {}
    services = data.get("services") if isinstance(data, dict) else None
    if not isinstance(data, dict) or not isinstance(services, dict) or not services:
        problems.add(line, "open311: needs endpoint: (https://…/v2/), optionally jurisdiction_id:, and services: "
                           "mapping missed_collection and bulky_pickup to the city's service codes")
        return {}
    endpoint = str(data.get("endpoint") or "")
    if endpoint and not endpoint.startswith(("https://", "http://")):
        problems.add(line, f"open311: endpoint '{endpoint}' must be an http(s) address")
    return {"endpoint": endpoint, "jurisdiction_id": str(data.get("jurisdiction_id") or ""),
            "services": {str(k): str(v) for k, v in services.items()}}


def _load(path: Path) -> tuple[Town | None, list[Problem]]:
    path = Path(path)
    file = path / "town.yaml"
    problems = Problems(file)
    try:
        data, duplicates = load_yaml_file(file)
    except FlowError as exc:
        return None, exc.problems
    problems.extend(duplicates)
    if not isinstance(data, dict):
        problems.add(None, "town.yaml must be a mapping (name:, timezone:, data:, human_lines:)")
        return None, problems.items
    name = str(data.get("name") or "")
    if not name:
        problems.add(None, "the town has no name")
    try:
        tz = ZoneInfo(str(data.get("timezone", "")))
    except (ZoneInfoNotFoundError, ValueError):
        problems.add(_line(data, "timezone"), f"timezone '{data.get('timezone')}' is unknown; write e.g. Europe/Paris")
        tz = ZoneInfo("UTC")
    country = str(data.get("country", ""))
    try:
        holidays = Holidays(country, data.get("subdivision"))
    except (NotImplementedError, KeyError, ValueError):
        problems.add(_line(data, "country"), f"country '{country}' has no public holiday list; write its ISO code (FR, ES, US…)")
        holidays = Holidays("FR")
    languages = [str(x) for x in data.get("languages") or []]
    if not languages:
        problems.add(_line(data, "languages"), "languages: must list the languages callers are offered, in the "
                                               "order of the language menu (e.g. languages: [en])")
    main_language = str(data.get("main_language") or (languages[0] if languages else "fr"))
    if languages and main_language not in languages:
        problems.add(_line(data, "main_language"), f"main_language '{main_language}' is not among languages: "
                                                   f"{', '.join(languages)}")
    max_age = data.get("max_age_days", DEFAULT_MAX_AGE_DAYS)
    if not isinstance(max_age, int) or max_age < 1:
        problems.add(_line(data, "max_age_days"), "max_age_days must be a whole number of days")
        max_age = DEFAULT_MAX_AGE_DAYS
    town = Town(name, path, tz, country, main_language, languages, max_age, holidays,
                _human_lines(data, holidays, problems, country or "FR"))
    website = str(data.get("website") or "")
    if website and not re.fullmatch(r"https?://[^\s/]+\.[^\s]+", website):
        problems.add(_line(data, "website"), f"website '{website}' is not a web address: write it in full "
                                             "(https://www.example.org/)")
        website = ""
    town.website = website
    town.emergency = load_emergency(data.get("emergency"), problems, _line(data, "emergency"))
    town.open311 = _open311(data.get("open311"), problems, _line(data, "open311"))
    datasets = data.get("data") or {}
    if not isinstance(datasets, dict):
        problems.add(_line(data, "data"), "data: must map each data set to its file (streets: {file: …, version: …})")
        datasets = {}
    for dataset in datasets:
        if dataset not in DATASETS:
            problems.add(_line(datasets, dataset), f"data: '{dataset}' is not a data set civicline reads "
                                                   f"({', '.join(DATASETS)})")
    for dataset in DATASETS:
        entry = datasets.get(dataset)
        if entry is None:
            continue
        if not isinstance(entry, dict) or not entry.get("file"):
            problems.add(_line(datasets, dataset), f"data: '{dataset}' needs a file (data: {{{dataset}: {{file: …, version: …}}}})")
            continue
        town.versions[dataset] = str(entry.get("version", ""))
    for dataset, partner in TOGETHER.items():
        if dataset in datasets and partner not in datasets:
            problems.add(_line(datasets, dataset), f"data: '{dataset}' needs '{partner}' too (streets say which "
                                                   "zone of the collections each address is in)")
    found: list[Problem] = list(problems.items)
    try:
        if "collections" in town.versions:
            town.collections, more = load_collections(path / datasets["collections"]["file"], holidays, languages)
            found += more
        services = town.collections.zone_ids() if town.collections else None
        if "streets" in town.versions:
            town.streets, more = load_streets(path / datasets["streets"]["file"], services)
            found += more
        if "meetings" in town.versions:
            bodies = datasets["meetings"].get("bodies")
            town.meetings, more = load_meetings(path / datasets["meetings"]["file"],
                                                path / bodies if bodies else None, tz)
            found += more
        if "permits" in town.versions:
            town.permits, more = load_permits(path / datasets["permits"]["file"])
            found += more
        if "sorting" in town.versions:
            town.sorting, more = load_sorting(path / datasets["sorting"]["file"], languages or [main_language])
            found += more
    except FlowError as exc:  # a YAML syntax error stops that file; report it with the rest
        found += exc.problems
    return town, found


def check_town(path: str | Path) -> list[Problem]:
    """Every problem in a town's settings and data, with file and line; [] when all is well."""
    _town, problems = _load(Path(path))
    return problems


def load_town(path: str | Path) -> Town:
    """The town, or DataError listing every problem: a call never runs on bad data."""
    town, problems = _load(Path(path))
    if problems or town is None:
        raise DataError(problems or [Problem(str(path), None, "the town cannot be loaded")])
    return town
