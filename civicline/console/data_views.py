"""Data: the town's streets, schedules, meetings (an ICS upload) and permits, edited in the
page and checked like ``civicline data check`` before anything is saved. A collection
calendar (uploaded or edited) and the collections data are shown first with what the data
check says and the next collections they give (calendar_review), then published on
their own step."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from flask import flash, redirect, request, url_for
from werkzeug.utils import secure_filename

from civicline.console import calendar_review, collections_preview, data_edit, files
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
    state,
)
from civicline.console.file_versions import text_hash

KIND = "data"


def town_dir() -> Path:
    return Path(civic().config.town_path)


def data_dir() -> Path:
    return town_dir() / "data"


def data_files() -> list[str]:
    folder = data_dir()
    if not folder.is_dir():
        return []
    return sorted(
        str(p.relative_to(folder)) for p in folder.rglob("*")
        if p.is_file() and p.suffix.lower() in data_edit.TEXT_KINDS and not p.name.startswith(".")
    )


def data_path(name: str) -> str:
    if name not in data_files():  # only existing files of the town: no path tricks
        not_found(_l("The data file %(file)s", file=repr(name)))
    return name


def _save(name: str, text: str, base_hash: str | None, note: str | None) -> files.Saved:
    notes: list[str] = []

    def check(copy: Path) -> list:
        problems, notice = data_edit.check_town(copy, f"data/{name}")
        if notice:
            notes.append(notice)
        return problems

    saved = files.save(
        kind=KIND, folder=town_dir(), relative=f"data/{name}", text=text, base_hash=base_hash,
        author=signed_in().name, check=check, note=note, reload=civic().runtimes.reload,
    )
    for notice in notes:
        flash(_("Note: %(notice)s.", notice=notice), "ok")
    return saved


def _page(name: str, text: str, base_hash: str, status: int = 200, **extra: Any) -> Any:
    return render(
        "data_edit.html", status, title=_("Data %(file)s", file=name), name=name, text=text, base_hash=base_hash,
        history=state().versions.history(KIND, f"data/{name}"),
        reviewed=calendar_review.needs_review(civic().runtime.town, f"data/{name}"), **extra,
    )


@bp.get("/data")
def data() -> Any:
    names = data_files()
    ics = [n for n in names if n.lower().endswith(".ics")]
    return render("data.html", title=_("Data"), names=names, ics=ics, folder=str(data_dir()),
                  limit_kib=int(request.max_content_length or 0) // 1024)


@bp.get("/data/file/<path:name>")
def data_edit_page(name: str) -> Any:
    name = data_path(name)
    text = files.read_text(data_dir() / name)
    return _page(name, text, text_hash(text))


def _answer(name: str, text: str, saved: files.Saved, base_hash: str) -> Any:
    if saved.current_text is not None:
        theirs = saved.current_text
        return _page(name, text, text_hash(theirs), 409, conflict=saved.conflict,
                     conflict_diff=files.diff_lines(theirs, text, _("%(file)s (saved by the other person)", file=name),
                                                    _("%(file)s (yours)", file=name)))
    if saved.problems:
        return _page(name, text, base_hash, 422, problems=saved.problems)
    if saved.unchanged:
        flash(_("Nothing changed: the text is the same as the saved one."), "ok")
    else:
        assert saved.version is not None, "a save neither refused nor unchanged made a version"
        flash(_("Saved %(file)s as version %(version)s. New calls use it now.", file=name,
                version=saved.version.seq), "ok")
    return redirect(url_for("console.data_edit_page", name=name))


def _form_text() -> str:
    if "content" not in request.form:
        raise ConsoleError(422, _l("The form had no text. Nothing was saved."), _l("Nothing to save"))
    return request.form["content"].replace("\r\n", "\n")


def _note() -> str | None:
    return (request.form.get("note") or "").strip()[:200] or None


@bp.post("/data/file/<path:name>")
@require("editor")
def data_save(name: str) -> Any:
    name = data_path(name)
    text = _form_text()
    base = request.form.get("base_hash") or ""
    if calendar_review.needs_review(civic().runtime.town, f"data/{name}"):
        found = _review(name, text, _today())
        if found.problems:
            return _page(name, text, base, 422, problems=found.problems)
        return _review_page(name, text, base, _note(), found, _today())
    return _answer(name, text, _save(name, text, base, _note()), base)


def _today() -> date:
    from civicline.console.town_forms_views import today

    return today()


def _review(name: str, text: str, start: date) -> calendar_review.Review:
    from flask_babel import get_locale

    town = civic().runtime.town
    max_age = civic().config.max_age_days or getattr(town, "max_age_days", 180)
    return calendar_review.review(town_dir(), f"data/{name}", text,
                                  lambda copy: data_edit.check_town(copy, f"data/{name}"),
                                  lang=str(get_locale() or "en"), start=start, max_age_days=max_age)


def _review_page(name: str, text: str, base_hash: str, note: str | None, found: calendar_review.Review,
                 start: date) -> Any:
    from civicline.console.dashboard import notice_text

    return render("data_review.html", title=_("Check %(file)s before publishing it", file=name), name=name,
                  text=text, base_hash=base_hash, note=note or "", review=found, start=start,
                  end=start + timedelta(days=calendar_review.DAYS), notice_text=notice_text)


def _target(name: str) -> str:
    """A data file to publish: one the town has, or a new calendar (a safe .ics name)."""
    if name in data_files():
        return name
    if name.lower().endswith(".ics") and name == secure_filename(name):
        return name
    not_found(_l("The data file %(file)s", file=repr(name)))


@bp.post("/data/review")
@require("editor")
def data_review() -> Any:
    """The review again: after changing the text, or to see the collections from another day."""
    name = _target(request.form.get("name", ""))
    text = _form_text()
    try:
        start = date.fromisoformat(request.form.get("from", "")[:10])
    except ValueError:
        start = _today()
    if abs((start - _today()).days) > 3 * 366:
        start = _today()
    found = _review(name, text, start)
    if found.problems:
        if name in data_files():
            return _page(name, text, request.form.get("base_hash") or "", 422, problems=found.problems)
        return _data_page(422, found.problems)
    return _review_page(name, text, request.form.get("base_hash") or "", _note(), found, start)


@bp.post("/data/publish")
@require("editor")
def data_publish() -> Any:
    """The separate step that publishes a reviewed calendar or collections data."""
    name = _target(request.form.get("name", ""))
    text = _form_text()
    base = request.form.get("base_hash") or ""
    saved = _save(name, text, base, _note())
    if name not in data_files():  # a new calendar refused before its first version: back to the upload
        return _data_page(422, saved.problems)
    return _answer(name, text, saved, base)


@bp.post("/data/ics")
@require("editor")
def data_upload_ics() -> Any:
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ConsoleError(422, _l("Choose an ICS file to upload. Nothing was saved."), _l("No file"))
    target = request.form.get("target") or ""
    if target:
        target = data_path(target)
        if not target.lower().endswith(".ics"):
            raise ConsoleError(422, _l("An ICS file can only replace another ICS file."), _l("Wrong target"))
    else:
        target = secure_filename(upload.filename)
        if not target.lower().endswith(".ics"):
            raise ConsoleError(422, _l("%(file)s is not an ICS file (its name must end in .ics). Nothing was saved.",
                                       file=repr(upload.filename)), _l("Not a calendar"))
    raw = upload.read()
    problems = data_edit.ics_problems(raw, target)
    if problems:
        return _data_page(422, problems)
    text = raw.decode("utf-8-sig").replace("\r\n", "\n")
    found = _review(target, text, _today())
    if found.problems:
        return _data_page(422, found.problems)
    # Nothing is written yet: the page shows what the calendar gives, and publishes it.
    current = files.read_text(data_dir() / target)
    return _review_page(target, text, text_hash(current), _("uploaded %(file)s", file=upload.filename), found,
                        _today())


def _data_page(status: int, problems: list) -> Any:
    names = data_files()
    return render("data.html", status, title=_("Data"), names=names, ics=[n for n in names if n.lower().endswith(".ics")],
                  folder=str(data_dir()), problems=problems, limit_kib=int(request.max_content_length or 0) // 1024)


def mark_verified(dataset: str, record: str, day: date) -> str:
    """Sets a record's verified date in its data file (checked and versioned like any edit);
    returns the file changed. Raises ConsoleError if it cannot."""
    try:
        path, text = data_edit.find_record(data_dir(), dataset, record, day)
    except data_edit.DataEditError as exc:
        raise ConsoleError(422, _l("%(error)s. Nothing was saved.", error=str(exc)), _l("Not saved")) from None
    name = str(path.relative_to(data_dir()))
    what = f"{dataset}/{record}"
    saved = _save(name, text, text_hash(files.read_text(path)), _("%(record)s verified %(day)s", record=what,
                                                                   day=day.isoformat()))
    if saved.problems or saved.current_text is not None:
        detail = "; ".join(str(p) for p in saved.problems) or _("the file changed meanwhile")
        raise ConsoleError(422, _l("The date was not recorded: %(detail)s. Nothing was saved.", detail=detail),
                           _l("Not saved"))
    return name


@bp.get("/data/next-collections")
def collections_preview_page() -> Any:
    """The next collections of an address as the assistant says them (after an upload)."""
    from flask_babel import get_locale

    from civicline.console.town_forms_views import today

    town = civic().runtime.town
    streets = collections_preview.streets(town)
    street = request.args.get("street", "")
    raw_number = request.args.get("number", "").strip()
    errors: dict[str, str] = {}
    number = None
    if raw_number:
        if raw_number.isdigit() and len(raw_number) < 7:
            number = int(raw_number)
        else:
            errors["number"] = raw_number
    try:
        start = date.fromisoformat(request.args.get("from", "")) if request.args.get("from") else today()
    except ValueError:
        errors["from"] = request.args.get("from", "")
        start = today()
    if abs((start - today()).days) > 3 * 366:  # a preview, not a calendar: and its end must be a date
        errors["from"] = request.args.get("from", "")
        start = today()
    weeks = request.args.get("weeks", 6, type=int) or 6
    weeks = min(max(weeks, 1), 26)
    found = None
    if street and not errors:
        if street not in {s for s, _ in streets}:
            errors["street"] = street
        else:
            found = collections_preview.preview(town, street, number, start, weeks * 7, str(get_locale() or "en"))
    return render("collections_preview.html", 422 if errors else 200, title=_("Next collections of an address"),
                  streets=streets, street=street, number=raw_number, start=start, weeks=weeks,
                  end=start + timedelta(days=weeks * 7), found=found, errors=errors,
                  has_collections=getattr(town, "collections", None) is not None)
