"""Forms for what staff change most, instead of the YAML: the human lines' numbers, opening
hours and public holidays (town.yaml), and the permits' fees with the day and person who
verified them (the permits file). Each save goes through files.save like the YAML editor:
checked on a copy of the whole town, kept as a version, refused with the values as typed
and a message per field when something is wrong, so nothing is lost."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from flask import flash, redirect, request, url_for

from civicline.console import data_edit, files, town_edit
from civicline.console.core import (
    ConsoleError,
    _,
    _l,
    bp,
    civic,
    not_found,
    render,
    require,
    signed_in,
)
from civicline.console.file_versions import text_hash
from civicline.console.town_edit import FieldErrors
from flows.town.permits import FEE_UNITS
from staff_files.problems import Problem
from staff_files.yaml_lines import load_yaml_text

KIND = "data"  # the same history as the data files' editor
TOWN_FILE = "town.yaml"
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def town_dir() -> Path:
    return Path(civic().config.town_path)


def town_settings() -> dict[str, Any]:
    text = files.read_text(town_dir() / TOWN_FILE)
    if not text:
        return {}
    try:
        data = load_yaml_text(text, TOWN_FILE)[0]
    except Exception:  # a broken town.yaml: the YAML editor is where to fix it
        return {}
    return data if isinstance(data, dict) else {}


def today() -> date:
    """Today in the town's time zone: the day a fee is verified."""
    zone = str(town_settings().get("timezone") or "UTC")
    try:
        return datetime.now(ZoneInfo(zone)).date()
    except (KeyError, ValueError):
        return date.today()


def permits_file() -> str:
    """The permits file town.yaml names, inside the town's folder."""
    datasets = town_settings().get("data") or {}
    entry = datasets.get("permits") if isinstance(datasets, dict) else None
    name = str(entry.get("file", "")) if isinstance(entry, dict) else ""
    path = (town_dir() / name).resolve() if name else None
    if path is None or not path.is_file() or town_dir().resolve() not in path.parents:
        not_found(_l("The town's permits file"))
    return name


def save_town_file(relative: str, text: str, base_hash: str, note: str) -> files.Saved:
    def check(copy: Path) -> list[Problem]:
        return data_edit.check_town(copy, relative)[0]

    return files.save(kind=KIND, folder=town_dir(), relative=relative, text=text, base_hash=base_hash,
                      author=signed_in().name, check=check, note=note, reload=civic().runtimes.reload)


def refused_messages(saved: files.Saved, name: str) -> list[str]:
    """What to tell staff when a save did not happen (empty when it did)."""
    if saved.current_text is not None:
        return [_("Someone else saved %(file)s after you opened this page, so nothing was saved. "
                        "Your values are still in the form: reload the page to see theirs, then save again.",
                        file=name)]
    return [str(p) for p in saved.problems]


def saved_and_back(saved: files.Saved, name: str, endpoint: str) -> Any:
    if saved.unchanged:
        flash(_("Nothing changed: the values are the ones already saved."), "ok")
    elif saved.version is not None:
        flash(_("Saved %(file)s as version %(version)s. New calls use it now.", file=name,
                version=saved.version.seq), "ok")
    return redirect(url_for(endpoint))


# ---- human lines ---------------------------------------------------------------------------


def _lines_page(status: int = 200, **extra: Any) -> Any:
    text = files.read_text(town_dir() / TOWN_FILE)
    if not text:
        not_found(_l("The town's settings file (town.yaml)"))
    try:
        lines = town_edit.human_lines(text)
    except data_edit.DataEditError as exc:
        raise ConsoleError(422, str(exc), _l("Cannot read town.yaml")) from None
    return render("human_lines.html", status, title=_("Human lines and opening hours"), lines=lines,
                  weekdays=WEEKDAYS, base_hash=text_hash(text), **extra)


@bp.get("/data/human-lines")
def human_lines() -> Any:
    return _lines_page()


@bp.post("/data/human-lines/<line_id>")
@require("editor")
def human_line_save(line_id: str) -> Any:
    text = files.read_text(town_dir() / TOWN_FILE)
    if not text or line_id not in {h.id for h in town_edit.human_lines(text)}:
        not_found(_l("The human line %(line)s", line=repr(line_id)))
    typed = {"number": request.form.get("number", "")[:100], "closed_days": request.form.get("closed_days", "")[:2000],
             **{f"day-{i}": request.form.get(f"day-{i}", "")[:200] for i in range(7)}}
    closed = request.form.get("closed_on_public_holidays") == "yes"
    errors: dict[str, town_edit.Message] = {}
    number, days = "", []
    country = str(town_settings().get("country") or "FR")
    try:
        number = town_edit.check_number(typed["number"], country)
    except FieldErrors as exc:
        errors |= exc.errors
    try:
        days = town_edit.check_days([typed[f"day-{i}"] for i in range(7)])
    except FieldErrors as exc:
        errors |= exc.errors
    closed_days: list[date] = []
    try:
        closed_days = town_edit.check_closed_days(typed["closed_days"])
    except FieldErrors as exc:
        errors |= exc.errors
    refused: list[str] = []
    status = 422
    if not errors:
        try:
            new = town_edit.set_human_line(text, line_id, number=number, days=days, closed_on_holidays=closed,
                                           closed_days=closed_days)
        except data_edit.DataEditError as exc:
            raise ConsoleError(422, _l("%(error)s. Nothing was saved.", error=str(exc)), _l("Not saved")) from None
        saved = save_town_file(TOWN_FILE, new, request.form.get("base_hash", ""), _("human line %(line)s", line=line_id))
        refused = refused_messages(saved, TOWN_FILE)
        if not refused:
            return saved_and_back(saved, TOWN_FILE, "console.human_lines")
        status = 409 if saved.current_text is not None else 422
    return _lines_page(status, editing=line_id, typed=typed, typed_closed=closed, errors=errors, refused=refused)


# ---- permit fees ---------------------------------------------------------------------------


def _fees_page(status: int = 200, **extra: Any) -> Any:
    name = permits_file()
    text = files.read_text(town_dir() / name)
    try:
        fees = town_edit.permit_fees(text)
    except data_edit.DataEditError as exc:
        raise ConsoleError(422, str(exc), _l("Cannot read the permits file")) from None
    return render("fees.html", status, title=_("Permit fees"), fees=fees, units=FEE_UNITS, file=name,
                  base_hash=text_hash(text), **extra)


@bp.get("/data/fees")
def fees() -> Any:
    return _fees_page()


@bp.post("/data/fees/<permit>")
@require("editor")
def fee_save(permit: str) -> Any:
    name = permits_file()
    text = files.read_text(town_dir() / name)
    if permit not in {f.permit for f in town_edit.permit_fees(text)}:
        not_found(_l("The permit %(permit)s", permit=repr(permit)))
    typed = {k: request.form.get(k, "")[:400] for k in ("amount", "unit", "source")}
    errors: dict[str, town_edit.Message] = {}
    refused: list[str] = []
    status = 422
    try:
        amount, unit, source = town_edit.check_fee(typed["amount"], typed["unit"], typed["source"])
    except FieldErrors as exc:
        errors = exc.errors
    if not errors:
        try:
            new = town_edit.set_fee(text, permit, amount=amount, unit=unit, source=source, day=today(),
                                    verifier=signed_in().name)
        except data_edit.DataEditError as exc:
            raise ConsoleError(422, _l("%(error)s. Nothing was saved.", error=str(exc)), _l("Not saved")) from None
        saved = save_town_file(name, new, request.form.get("base_hash", ""), _("fee of %(permit)s verified", permit=permit))
        refused = refused_messages(saved, name)
        if not refused:
            return saved_and_back(saved, name, "console.fees")
        status = 409 if saved.current_text is not None else 422
    return _fees_page(status, editing=permit, typed=typed, errors=errors, refused=refused)
