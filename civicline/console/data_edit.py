"""Checks and small edits of the town's data files (streets, schedules, meetings, permits).

A data file is checked on a copy of the whole town, the way ``civicline data check`` and
the server's start-up load it (``flows.town``), after a quick check of its format (CSV
columns, YAML syntax, an ICS that is a calendar) that names the line of a problem.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import replace
from datetime import date
from pathlib import Path

from civicline import wiring
from staff_files.problems import N_, FlowError, Problem, problem
from staff_files.yaml_lines import LineDict, LineList, load_yaml_file

TEXT_KINDS = (".csv", ".yaml", ".yml", ".ics")


class DataEditError(Exception):
    pass


def format_problems(path: Path, name: str) -> list[Problem]:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return csv_problems(path.read_text(encoding="utf-8"), name)
    if suffix in (".yaml", ".yml"):
        try:
            problems = load_yaml_file(path)[1]
        except FlowError as exc:  # a syntax error: the reader stops at its line
            problems = exc.problems
        return [replace(p, file=name) for p in problems]
    if suffix == ".ics":
        return ics_problems(path.read_bytes(), name)
    return []


def _data_rows(text: str) -> list[tuple[int, list[str]]]:
    """CSV rows with their line numbers, without the '#' comment lines and blank lines
    that the town's files start with; separated by commas or, as spreadsheets in many
    languages save them, by semicolons (the line naming the columns tells which, as
    flows.town reads them)."""
    header = next((line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")), "")
    reader = csv.reader(io.StringIO(text), delimiter=";" if header.count(";") > header.count(",") else ",")
    rows = []
    for row in reader:
        if not row or not "".join(row).strip() or row[0].lstrip().startswith("#"):
            continue
        rows.append((reader.line_num, row))
    return rows


def csv_problems(text: str, name: str) -> list[Problem]:
    try:
        rows = _data_rows(text)
    except csv.Error as exc:
        return [Problem(name, None, f"this CSV file cannot be read: {exc}")]
    if not rows:
        return [problem(name, 1, N_("the file has no line naming the columns"))]
    width = len(rows[0][1])
    return [
        problem(name, line, N_("%(found)s values, but the line naming the columns has %(expected)s"),
                found=len(row), expected=width)
        for line, row in rows[1:]
        if len(row) != width
    ]


def ics_problems(data: bytes, name: str) -> list[Problem]:
    """An uploaded calendar must really be one: text, VCALENDAR, at least one event."""
    from flows.town.common import Problems, decode_text
    from flows.town.ics import NOT_A_CALENDAR

    # Its first line first: a PDF or a web page is not a calendar, whatever its bytes.
    shown = data.decode("utf-8-sig", errors="replace")
    first = next((line for line in shown.splitlines() if line.strip()), "").strip()
    if first.upper() != "BEGIN:VCALENDAR":
        return [problem(name, 1, NOT_A_CALENDAR, first="".join(c for c in first[:40] if c.isprintable()))]
    found = Problems(name)
    text = decode_text(data, found, "calendar")  # Windows-1252: the line and column that show it
    if text is None:
        return found.items
    try:
        from icalendar import Calendar

        calendar = Calendar.from_ical(text)
    except Exception as exc:  # icalendar raises ValueError and others on broken input
        return [Problem(name, None, f"this iCalendar file cannot be read: {exc}")]
    if not calendar.walk("VEVENT"):
        return [problem(name, None, N_("this calendar has no events (VEVENT)"))]
    return []


def full_check(copy: Path) -> list[Problem] | None:
    """The town's own data check; None when it is not installed."""
    try:
        from flows.town.check import check_town as town_check
    except ImportError:
        return None
    return list(town_check(copy))


def check_town(copy: Path, edited: str) -> tuple[list[Problem], str | None]:
    """Problems of a town copy, and a note when only the format could be checked."""
    problems = format_problems(copy / edited, edited)
    if problems:
        return problems, None
    from civicline.console.core import civic

    found = full_check(copy)
    if found is None:
        return [], "the town's full data check is not installed: only the file's format was checked"
    if found:
        return found, None
    try:  # the flows against the new data (a permit a flow names, a street list…)
        return wiring.check_runtime(replace(civic().config, town_path=copy)).problems, None
    except FlowError as exc:
        return exc.problems, None


# ---- "I verified this today" -------------------------------------------------------------


def _record_line_csv(text: str, record: str) -> tuple[int, list[str], int] | None:
    rows = _data_rows(text)
    if not rows:
        return None
    cols = [c.strip().lower() for c in rows[0][1]]
    key = next((cols.index(k) for k in ("id", "record", "key") if k in cols), None)
    if key is None or "verified" not in cols:
        return None
    for line, row in rows[1:]:
        if len(row) > key and row[key].strip() in _names(record):
            return line, row, cols.index("verified")
    return None


def _names(record: str) -> set[str]:
    """A record id as provenance gives it and as the file has it: "permit.terrace" →
    "terrace", "household-A@2026-12-01" (a schedule on a day) → "household-A"."""
    return {record, record.split(".", 1)[-1], record.split(":", 1)[-1], record.split("@", 1)[0]}


def _verified_lines(node: object) -> list[int]:
    """Every `verified:` line of a record, its own and nested ones (a permit's fee): a
    person who checked the record checked all of it."""
    found: list[int] = []
    if isinstance(node, LineDict):
        if "verified" in node:
            found.append(node.line_of("verified"))
        for value in node.values():
            found += _verified_lines(value)
    elif isinstance(node, LineList):
        for value in node:
            found += _verified_lines(value)
    return found


def _record_lines_yaml(data: object, record: str) -> list[int]:
    """The `verified:` lines of the mapping whose key or `id` is the record."""
    names = _names(record)
    stack = [(None, data)]
    while stack:
        key, node = stack.pop()
        if isinstance(node, LineDict):
            if key in names or str(node.get("id", "")) in names:
                lines = _verified_lines(node)
                if lines:
                    return sorted(set(lines))
            stack += [(k, v) for k, v in node.items()]
        elif isinstance(node, LineList):
            stack += [(None, v) for v in node]
    return []


def mark_verified_text(path: Path, record: str, day: date) -> str | None:
    """The file's text with the record's verified date set to ``day``, or None if the record
    is not in this file. Only that record's line(s) change; comments and layout stay (a CSV
    row is written again by the csv module, which may drop needless quotes in that row)."""
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() == ".csv":
        found = _record_line_csv(text, record)
        if found is None:
            return None
        line_no, row, col = found
        row[col] = day.isoformat()
        out = io.StringIO()
        csv.writer(out, lineterminator="").writerow(row)
        lines = text.split("\n")
        lines[line_no - 1] = out.getvalue() + ("\r" if lines[line_no - 1].endswith("\r") else "")
        return "\n".join(lines)
    data, problems = load_yaml_file(path)
    targets = [] if problems else _record_lines_yaml(data, record)
    if not targets:
        return None
    lines = text.split("\n")
    for line_no in targets:
        new, n = re.subn(r"(verified:\s*)(\"[^\"]*\"|'[^']*'|[^\s#,}\]]*)", rf"\g<1>{day.isoformat()}", lines[line_no - 1], count=1)
        if not n:
            raise DataEditError(f"the verified date of {record} is not on one line; edit {path.name} by hand")
        lines[line_no - 1] = new
    return "\n".join(lines)


def find_record(data_dir: Path, dataset: str, record: str, day: date) -> tuple[Path, str]:
    files = sorted(p for p in data_dir.rglob("*") if p.suffix.lower() in (".csv", ".yaml", ".yml"))
    # The data set's own file first (collections.csv for "collections"), then the others.
    files.sort(key=lambda p: p.stem != dataset)
    for path in files:
        text = mark_verified_text(path, record, day)
        if text is not None:
            return path, text
    raise DataEditError(f"no record {record!r} with a 'verified' date was found in the data of {dataset!r}")
