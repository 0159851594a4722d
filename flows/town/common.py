"""Small pieces shared by the town data loaders: problems with lines, dates, weekdays,
CSV rows that remember their line, and where a record comes from."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, time
from pathlib import Path
from typing import Any

from flows.provenance import Source
from staff_files.problems import Problem

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# Clerks write weekdays in English or French, in full or abbreviated.
_WEEKDAY_WORDS = {
    **{name: i for i, name in enumerate(WEEKDAYS)},
    **{name[:3]: i for i, name in enumerate(WEEKDAYS)},
    **{name: i for i, name in enumerate(("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"))},
    **{name: i for i, name in enumerate(("lun", "mar", "mer", "jeu", "ven", "sam", "dim"))},
}


class Problems:
    """Collects problems for one file, so a loader reports them all at once."""

    def __init__(self, file: str | Path):
        self.file = str(file)
        self.items: list[Problem] = []

    def add(self, line: int | None, message: str) -> None:
        self.items.append(Problem(self.file, line or None, message))

    def extend(self, problems: list[Problem]) -> None:
        self.items.extend(problems)


@dataclass(frozen=True)
class Origin:
    """Where a record comes from: the public document or page, and who checked it when."""

    document: str
    verified: date | None

    def source(self, dataset: str, record: str, version: str) -> Source:
        return Source(dataset, record, version, self.verified, self.document)


def parse_date(value: Any, problems: Problems, line: int | None, what: str) -> date | None:
    """A YYYY-MM-DD date; a problem (and None) otherwise."""
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except (TypeError, ValueError):
        problems.add(line, f"{what}: '{value}' is not a date; write it as YYYY-MM-DD (e.g. 2026-10-02)")
        return None


def parse_time(value: str, problems: Problems, line: int | None, what: str) -> time | None:
    try:
        hours, minutes = str(value).strip().replace("h", ":").split(":")
        return time(int(hours), int(minutes or 0))
    except (TypeError, ValueError):
        problems.add(line, f"{what}: '{value}' is not a time; write it as HH:MM (e.g. 08:30)")
        return None


def parse_weekday(value: Any, problems: Problems, line: int | None, what: str) -> int | None:
    """0 for Monday … 6 for Sunday."""
    day = _WEEKDAY_WORDS.get(str(value).strip().lower())
    if day is None:
        problems.add(line, f"{what}: '{value}' is not a day of the week (monday … sunday)")
    return day


def origin_of(data: Any, problems: Problems, line: int | None, what: str,
              required: bool = True) -> Origin:
    """The `source` and `verified` fields every record carries."""
    get = data.get if isinstance(data, dict) else (lambda _k: None)
    document = str(get("source") or "").strip()
    verified_raw = get("verified")
    if required and not document:
        problems.add(line, f"{what} has no 'source' (the document or page it comes from)")
    verified = None
    if verified_raw in (None, ""):
        if required:
            problems.add(line, f"{what} has no 'verified' date (when a person last checked it)")
    else:
        verified = parse_date(verified_raw, problems, line, f"{what}: verified")
    return Origin(document, verified)


def read_csv(path: Path, problems: Problems) -> list[tuple[int, dict[str, str]]]:
    """Rows as (line number, {column: text}); blank lines and lines starting with # skipped."""
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        text = path.read_text(encoding="utf-8-sig")  # spreadsheets add a BOM
    except FileNotFoundError:
        problems.add(None, "this file does not exist")
        return rows
    except UnicodeDecodeError:
        problems.add(None, "this file is not UTF-8 text; save it from the spreadsheet as 'CSV UTF-8'")
        return rows
    lines = text.splitlines()
    content = [(i, line) for i, line in enumerate(lines, start=1) if line.strip() and not line.lstrip().startswith("#")]
    if not content:
        problems.add(None, "this file is empty")
        return rows
    reader = csv.reader([line for _, line in content])
    header = [h.strip() for h in next(reader)]
    for (number, _), values in zip(content[1:], reader, strict=False):
        if len(values) > len(header):
            problems.add(number, f"this row has {len(values)} columns, the header has {len(header)}: a comma inside a value needs quotes")
            continue
        rows.append((number, {h: (values[i].strip() if i < len(values) else "") for i, h in enumerate(header)}))
    return rows
