"""What the console's forms change in town.yaml and permits.yaml (a human line's number,
opening hours and public holidays; a permit's fee with the day and person who verified it):
each value checked first with a message a clerk can act on, then written into the file's
text by replacing only that value's line or block, so comments, order and layout stay.

Pure text in, text out: the page (town_forms_views) saves the result through files.save,
which checks the whole town on a copy and keeps a version before anything is written.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal, InvalidOperation
from typing import Any

import phonenumbers

from civicline.console.data_edit import DataEditError
from flows.town.common import WEEKDAYS, Problems
from flows.town.hours import parse_hours
from flows.town.permits import FEE_UNITS
from staff_files.problems import FlowError
from staff_files.yaml_lines import LineDict, load_yaml_text

PHONE_REGIONS = {"UK": "GB"}  # as flows.town.town reads `country:`
SPAN = re.compile(r"^\s*(\d{1,2})[:h.](\d{2})\s*[-–]\s*(\d{1,2})[:h.](\d{2})\s*$")


# A message for staff: English text with %(name)s places, and their values; the page
# shows it in the staff's language (the console's .po files hold the wording).
Message = tuple[str, dict[str, str]]


def message(text: str, **values: str) -> Message:
    return text, values


class FieldErrors(Exception):
    """Values a form refuses: field name -> message. Nothing is written."""

    def __init__(self, errors: dict[str, Message]) -> None:
        super().__init__("; ".join(f"{k}: {t % v}" for k, (t, v) in errors.items()))
        self.errors = errors


def load_text(text: str, name: str) -> Any:
    try:
        data, _ = load_yaml_text(text, name)
    except FlowError as exc:
        raise DataEditError(f"{name} cannot be read ({exc.problems[0].message}); fix it in the YAML editor first") from None
    return data


# ---- reading what the forms show ---------------------------------------------------------


@dataclass(frozen=True)
class HumanLineValues:
    id: str
    name: str
    number: str
    days: tuple[str, ...]  # per weekday (Monday first): "08:30-12:00, 13:30-17:00", "" closed
    closed_on_public_holidays: bool
    closed_days: tuple[date, ...] = ()  # the town's own closing days, besides public holidays

    @property
    def closed_days_text(self) -> str:
        return ", ".join(f"{d:%d/%m/%Y}" for d in self.closed_days)


def _spans_text(spans: tuple[tuple[time, time], ...]) -> str:
    return ", ".join(f"{a:%H:%M}-{b:%H:%M}" for a, b in spans)


def human_lines(text: str) -> list[HumanLineValues]:
    data = load_text(text, "town.yaml")
    raw = data.get("human_lines") if isinstance(data, dict) else None
    found = []
    for line_id, item in (raw or {}).items():
        if not isinstance(item, dict):
            continue
        hours = parse_hours(item, None, Problems("town.yaml"), None, str(line_id))
        name = item.get("name", line_id)
        name = next(iter(name.values()), line_id) if isinstance(name, dict) and name else name
        found.append(HumanLineValues(
            str(line_id), str(name), str(item.get("number", "")),
            tuple(_spans_text(day) for day in hours.spans),
            bool(item.get("closed_on_public_holidays", True)), tuple(sorted(hours.closed_days)),
        ))
    return found


@dataclass(frozen=True)
class FeeValues:
    permit: str
    names: dict[str, str]  # language -> the name said first
    amount: str
    unit: str
    source: str
    verified: str
    verified_by: str


def permit_fees(text: str) -> list[FeeValues]:
    data = load_text(text, "permits.yaml")
    found = []
    for item in (data.get("permits") if isinstance(data, dict) else None) or []:
        if not isinstance(item, dict) or not isinstance(item.get("fee"), dict):
            continue
        fee = item["fee"]
        names = {str(lang): str(v[0] if isinstance(v, list) and v else v)
                 for lang, v in (item.get("names") or {}).items()}
        found.append(FeeValues(
            str(item.get("id", "")), names, str(fee.get("amount", "")), str(fee.get("unit", "once")),
            str(fee.get("source", "")), str(fee.get("verified", "") or ""), str(fee.get("verified_by", "") or ""),
        ))
    return found


# ---- checking what staff typed ------------------------------------------------------------


def check_number(value: str, country: str) -> str:
    """The number as staff wrote it, if it is one of the town's country (or international)."""
    value = " ".join(value.split())
    region = PHONE_REGIONS.get(country.upper(), country.upper())
    if not value:
        raise FieldErrors({"number": message("Write the line's phone number.")})
    if not re.fullmatch(r"\+?[0-9 ().-]{3,30}", value):
        raise FieldErrors({"number": message("'%(value)s' is not a phone number: use digits, spaces and a leading + only.", value=value)})
    try:
        parsed = phonenumbers.parse(value, region)
        valid = phonenumbers.is_possible_number(parsed)
    except phonenumbers.NumberParseException:
        valid = False
    if not valid:
        raise FieldErrors({"number": message("'%(value)s' is not a phone number of %(country)s: write it as it is dialled "
                                             "there, or in international form starting with + and the country code.",
                                             value=value, country=region)})
    return value


def check_days(days: list[str]) -> list[list[str]]:
    """Each weekday's spans ("08:30-12:00, 13:30-17:00"; empty: closed), as HH:MM-HH:MM."""
    errors: dict[str, Message] = {}
    out = []
    for i, raw in enumerate(days):
        spans: list[tuple[time, time]] = []
        for part in (p for p in re.split(r"[,;]", raw) if p.strip()):
            m = SPAN.match(part)
            try:
                start, end = (time(int(m[1]), int(m[2])), time(int(m[3]), int(m[4]))) if m else (None, None)
            except ValueError:
                start = end = None
            if start is None or end is None:
                errors[f"day-{i}"] = message("'%(value)s' is not a span of hours: write it like 08:30-12:00.", value=part.strip())
                break
            if start >= end:
                errors[f"day-{i}"] = message("'%(value)s' ends before it starts.", value=part.strip())
                break
            spans.append((start, end))
        spans.sort()
        if f"day-{i}" not in errors and any(a[1] > b[0] for a, b in zip(spans, spans[1:], strict=False)):
            errors[f"day-{i}"] = message("Two spans of this day overlap.")
        out.append([f"{a:%H:%M}-{b:%H:%M}" for a, b in spans])
    if errors:
        raise FieldErrors(errors)
    if not any(out):
        raise FieldErrors({"day-0": message("The line is open on no day: give the hours of at least one day.")})
    return out


def check_closed_days(typed: str) -> list[date]:
    """Days written 2026-12-24 or 24/12/2026, separated by commas or spaces."""
    found: set[date] = set()
    for part in re.split(r"[,;\s]+", typed.strip()):
        if not part:
            continue
        try:
            if re.fullmatch(r"\d{1,2}/\d{1,2}/\d{4}", part):
                d, m, y = (int(x) for x in part.split("/"))
                found.add(date(y, m, d))
            else:
                found.add(date.fromisoformat(part))
        except ValueError:
            raise FieldErrors({"closed_days": message(
                "'%(value)s' is not a date: write it like 24/12/2026 or 2026-12-24.", value=part)}) from None
    return sorted(found)


def check_fee(amount: str, unit: str, source: str) -> tuple[str, str, str]:
    errors: dict[str, Message] = {}
    amount = amount.strip().replace(",", ".")
    try:
        value = Decimal(amount)
        if not value.is_finite() or value < 0 or value != value.quantize(Decimal("0.01")) or value > 10**7:
            raise InvalidOperation
    except InvalidOperation:
        errors["amount"] = message("'%(value)s' is not an amount: write a number such as 0, 35 or 12.50 (0 for free).", value=amount)
    if unit not in FEE_UNITS:
        errors["unit"] = message("Choose a unit among %(units)s.", units=", ".join(FEE_UNITS))
    source = " ".join(source.split())
    if not source:
        errors["source"] = message("Name the document or page the fee comes from.")
    elif len(source) > 300:
        errors["source"] = message("The source is longer than 300 characters.")
    if errors:
        raise FieldErrors(errors)
    return amount, unit, source


# ---- writing into the text -----------------------------------------------------------------


def indent_of(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def block_end(lines: list[str], start: int) -> int:
    """The index after the block whose key is on lines[start]: the lines indented deeper
    (comment and blank lines after the block's last line belong to what follows)."""
    end, j, indent = start + 1, start + 1, indent_of(lines[start])
    while j < len(lines):
        stripped = lines[j].strip()
        if stripped and not stripped.startswith("#"):
            if indent_of(lines[j]) <= indent:
                break
            end = j + 1
        j += 1
    return end


def _human_line(data: Any, line_id: str) -> LineDict:
    raw = data.get("human_lines") if isinstance(data, dict) else None
    item = raw.get(line_id) if isinstance(raw, dict) else None
    if not isinstance(item, LineDict):
        raise DataEditError(f"town.yaml has no human line '{line_id}' written as a block")
    return item


def _hours_yaml(days: list[list[str]], indent: str) -> list[str]:
    def same(days_range: range) -> bool:
        return all(days[d] == days[days_range[0]] for d in days_range)

    if same(range(7)):
        groups = [("mon-sun", 0)]
    elif same(range(6)):
        groups = [("mon-sat", 0), ("sunday", 6)]
    elif same(range(5)):
        weekend = [("sat-sun", 5)] if same(range(5, 7)) else [("saturday", 5), ("sunday", 6)]
        groups = [("mon-fri", 0), *weekend]
    else:
        groups = [(WEEKDAYS[d], d) for d in range(7)]
    out = [f"{indent}hours:"]
    for key, day in groups:
        if days[day]:
            out.append(f"{indent}  {key}: [{', '.join(json.dumps(s) for s in days[day])}]")
    return out


def set_human_line(text: str, line_id: str, *, number: str, days: list[list[str]], closed_on_holidays: bool,
                   closed_days: list[date] | None = None) -> str:
    data = load_text(text, "town.yaml")
    item = _human_line(data, line_id)
    lines = text.split("\n")
    # Bottom-up, so the earlier lines' numbers stay right.
    edits: list[tuple[int, int, list[str]]] = []
    if "number" not in item:
        raise DataEditError(f"human line '{line_id}' has no 'number:' line; add it in the YAML editor")
    n = item.line_of("number") - 1
    m = re.match(r"^(\s*number:\s*)(\"[^\"]*\"|'[^']*'|[^#\s][^#]*?)?(\s+#.*)?$", lines[n])
    if not m:
        raise DataEditError(f"the number of human line '{line_id}' is not on a line of its own; edit town.yaml by hand")
    edits.append((n, n + 1, [m[1] + json.dumps(number, ensure_ascii=False) + (m[3] or "")]))
    if "hours" in item:
        h = item.line_of("hours") - 1
        indent = " " * indent_of(lines[h])
        edits.append((h, block_end(lines, h), _hours_yaml(days, indent)))
    else:
        edits.append((n + 1, n + 1, _hours_yaml(days, " " * indent_of(lines[n]))))
    flag = "true" if closed_on_holidays else "false"
    key_indent = " " * indent_of(lines[n])
    closing = [f"{key_indent}closed_days: [{', '.join(d.isoformat() for d in closed_days)}]"] if closed_days else []
    if "closed_days" in item:
        k = item.line_of("closed_days") - 1
        edits.append((k, block_end(lines, k), closing))
        closing = []
    if "closed_on_public_holidays" in item:
        c = item.line_of("closed_on_public_holidays") - 1
        new, count = re.subn(r"(closed_on_public_holidays:\s*)([^\s#]+)", rf"\g<1>{flag}", lines[c], count=1)
        if not count:
            raise DataEditError(f"'closed_on_public_holidays' of '{line_id}' is not on a line of its own; edit town.yaml by hand")
        edits.append((c, c + 1, [new, *closing]))
    else:
        at = edits[1][1] if "hours" in item else n + 1
        edits.append((at, at, [f"{key_indent}closed_on_public_holidays: {flag}", *closing]))
    for start, end, new_lines in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
        lines[start:end] = new_lines
    return "\n".join(lines)


def yaml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return json.dumps(str(value), ensure_ascii=False)


def set_fee(text: str, permit: str, *, amount: str, unit: str, source: str, day: date, verifier: str) -> str:
    """The permit's fee written again on one line, verified ``day`` by ``verifier``; the
    fee's other fields (currency…) kept."""
    data = load_text(text, "permits.yaml")
    items = data.get("permits") if isinstance(data, dict) else None
    item = next((p for p in items or [] if isinstance(p, LineDict) and str(p.get("id")) == permit), None)
    if item is None or not isinstance(item.get("fee"), dict):
        raise DataEditError(f"permits.yaml has no permit '{permit}' with a fee")
    fee = dict(item["fee"])
    fee.update(amount=_Raw(amount), unit=unit, source=source, verified=day, verified_by=verifier)
    lines = text.split("\n")
    f = item.line_of("fee") - 1
    m = re.match(r"^(\s*(?:-\s+)?fee:\s*)", lines[f])
    if not m:
        raise DataEditError(f"the fee of '{permit}' does not start its own line; edit permits.yaml by hand")
    body = ", ".join(f"{k}: {v.text if isinstance(v, _Raw) else yaml_value(v)}" for k, v in fee.items())
    lines[f:block_end(lines, f)] = [f"{m[1]}{{{body}}}"]
    return "\n".join(lines)


@dataclass(frozen=True)
class _Raw:
    """A value already checked and written as YAML (an amount as typed: 12.50)."""

    text: str


__all__ = ["FieldErrors", "Message", "block_end", "check_closed_days", "check_days", "check_fee", "check_number",
           "human_lines", "indent_of", "load_text", "message", "permit_fees", "set_fee", "set_human_line", "yaml_value"]
