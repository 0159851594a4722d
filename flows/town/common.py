"""Small pieces shared by the town data loaders: problems with lines, dates, weekdays,
CSV rows that remember their line, and where a record comes from."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import date, time
from pathlib import Path
from typing import Any

from flows.provenance import Source
from staff_files.problems import N_, Problem, problem

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

    def say(self, line: int | None, template: str, **values: Any) -> None:
        """A problem the console says in the staff's language: ``template`` is marked with
        N_ and filled with ``values`` (staff_files.problems.problem)."""
        self.items.append(problem(self.file, line, template, **values))

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
        _not_a_date(str(value).strip(), problems, line, what)
        return None


def _not_a_date(text: str, problems: Problems, line: int | None, what: str) -> None:
    """Says what to write instead, for the ways spreadsheets and people write dates."""
    parts = re.split(r"[/.-]", text)
    if len(parts) == 3 and all(p.isdigit() for p in parts) and len(parts[2]) == 4:
        day, month, year = (int(p) for p in parts)
        if 1 <= month <= 12 and 1 <= day <= 31:
            problems.say(line, N_(
                "%(what)s: '%(value)s' is not a date; it looks written day/month/year: write it year-month-day, "
                "%(iso)s (in a spreadsheet, format the column as text or as YYYY-MM-DD)"),
                what=what, value=text, iso=f"{year:04d}-{month:02d}-{day:02d}")
            return
    problems.say(line, N_("%(what)s: '%(value)s' is not a date; write it as YYYY-MM-DD (e.g. 2026-10-02)"),
                 what=what, value=text)


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


def read_text(path: Path, problems: Problems, what: str = "file") -> str | None:
    """A staff file's text as saved: a UTF-8 byte-order mark is dropped; a file in another
    encoding (a spreadsheet's or an old program's Windows-1252) is a problem that names the
    line and the character that shows it."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        problems.add(None, f"this {what} file does not exist")
        return None
    except IsADirectoryError:
        problems.add(None, f"this is a folder, not a {what} file")
        return None
    return decode_text(raw, problems, what)


# The file's kind as a problem names it, one template each so that each is said whole.
_NOT_UTF8 = {
    "CSV": N_("column %(column)s: this CSV is not saved as UTF-8: the byte %(byte)s is '%(char)s' in Windows-1252, "
              "the encoding it was probably saved in. Open it and save it again as UTF-8 ('CSV UTF-8' in a "
              "spreadsheet, 'UTF-8' in a text editor)"),
    "calendar": N_("column %(column)s: this calendar is not saved as UTF-8: the byte %(byte)s is '%(char)s' in "
                   "Windows-1252, the encoding it was probably saved in. Open it and save it again as UTF-8 ('CSV "
                   "UTF-8' in a spreadsheet, 'UTF-8' in a text editor)"),
    "file": N_("column %(column)s: this file is not saved as UTF-8: the byte %(byte)s is '%(char)s' in Windows-1252, "
               "the encoding it was probably saved in. Open it and save it again as UTF-8 ('CSV UTF-8' in a "
               "spreadsheet, 'UTF-8' in a text editor)"),
}


def decode_text(raw: bytes, problems: Problems, what: str = "file") -> str | None:
    """Bytes as UTF-8 text (a byte-order mark dropped), or a problem at the line and column
    of the first byte that is not UTF-8, with the Windows-1252 character it probably is."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        guess = raw[exc.start: exc.start + 1].decode("cp1252", errors="replace")
        problems.say(line, _NOT_UTF8.get(what, _NOT_UTF8["file"]), column=column,
                     byte=f"0x{raw[exc.start]:02X}", char=guess)
        return None


def read_csv(path: Path, problems: Problems) -> list[tuple[int, dict[str, str]]]:
    """Rows as (line number, {column: text}); blank lines and lines starting with # skipped.
    Columns may be separated by commas or, as spreadsheets in many languages save them, by
    semicolons (the header line tells which)."""
    rows: list[tuple[int, dict[str, str]]] = []
    text = read_text(path, problems, "CSV")
    if text is None:
        return rows
    lines = text.splitlines()
    content = [(i, line) for i, line in enumerate(lines, start=1) if line.strip() and not line.lstrip().startswith("#")]
    if not content:
        problems.add(None, "this file is empty")
        return rows
    header_line = content[0][1]
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    reader = csv.reader([line for _, line in content], delimiter=delimiter)
    header = [h.strip().lower() for h in next(reader)]
    for (number, _), values in zip(content[1:], reader, strict=False):
        if len(values) > len(header):
            problems.say(number, N_("this row has %(found)s columns, the header has %(expected)s: a '%(delimiter)s' "
                                    "inside a value needs quotes around the value"),
                         found=len(values), expected=len(header), delimiter=delimiter)
            continue
        rows.append((number, {h: (values[i].strip() if i < len(values) else "") for i, h in enumerate(header)}))
    return rows
