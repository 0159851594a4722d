"""The sorting guide as forms: the list of objects with where each goes, a form per object
(its names in each of the town's languages, where it goes), adding and removing one. Saved
through files.save like every edit: checked on a copy of the town, kept as a version,
refused with the values as typed and a message per field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import request

from civicline.console import data_edit, files, sorting_edit
from civicline.console.core import ConsoleError, _, _l, bp, civic, not_found, render, require
from civicline.console.file_versions import text_hash
from civicline.console.town_edit import FieldErrors
from civicline.console.town_forms_views import (
    refused_messages,
    save_town_file,
    saved_and_back,
    town_settings,
)


def sorting_file() -> str:
    datasets = town_settings().get("data") or {}
    entry = datasets.get("sorting") if isinstance(datasets, dict) else None
    name = str(entry.get("file", "")) if isinstance(entry, dict) else ""
    town = Path(civic().config.town_path).resolve()
    path = (town / name).resolve() if name else None
    if path is None or not path.is_file() or town not in path.parents:
        not_found(_l("The town's sorting guide"))
    return name


def _languages(services: dict[str, dict[str, str]]) -> list[str]:
    offered = town_settings().get("languages")
    if isinstance(offered, list) and offered:
        return [str(lang) for lang in offered]
    return sorted({lang for names in services.values() for lang in names})


def _guide() -> tuple[str, str, dict[str, dict[str, str]], list[sorting_edit.SortingItemValues]]:
    name = sorting_file()
    text = files.read_text(Path(civic().config.town_path) / name)
    try:
        services, items = sorting_edit.sorting_guide(text)
    except data_edit.DataEditError as exc:
        raise ConsoleError(422, str(exc), _l("Cannot read the sorting guide")) from None
    return name, text, services, items


@bp.get("/data/sorting")
def sorting() -> Any:
    name, _text, services, items = _guide()
    return render("sorting.html", title=_("Sorting guide"), file=name, services=services, items=items)


def _item_page(item_id: str | None, status: int = 200, **extra: Any) -> Any:
    name, text, services, items = _guide()
    item = next((i for i in items if i.id == item_id), None) if item_id else None
    if item_id and item is None:
        not_found(_l("The sorting guide's item %(item)s", item=repr(item_id)))
    return render("sorting_item.html", status, title=_("An object of the sorting guide") if item else _("A new object"),
                  file=name, services=services, item=item, languages=_languages(services),
                  base_hash=text_hash(text), **extra)


@bp.get("/data/sorting/add")
def sorting_add() -> Any:
    return _item_page(None)


@bp.get("/data/sorting/item/<item_id>")
def sorting_item(item_id: str) -> Any:
    return _item_page(item_id)


def _save_item(item_id: str | None) -> Any:
    name, text, services, items = _guide()
    if item_id and item_id not in {i.id for i in items}:
        not_found(_l("The sorting guide's item %(item)s", item=repr(item_id)))
    languages = _languages(services)
    typed = {"id": request.form.get("id", "")[:80].strip() if item_id is None else item_id,
             "goes": request.form.get("goes", "")[:80],
             **{f"names-{lang}": request.form.get(f"names-{lang}", "")[:1000] for lang in languages}}
    taken = {i.id for i in items} - ({item_id} if item_id else set())
    try:
        values = sorting_edit.check_sorting_item(typed["id"], typed["goes"],
                                              {lang: typed[f"names-{lang}"] for lang in languages}, set(services), taken)
    except FieldErrors as exc:
        return _item_page(item_id, 422, typed=typed, errors=exc.errors, refused=[])
    try:
        new = sorting_edit.set_sorting_item(text, values, old_id=item_id)
    except data_edit.DataEditError as exc:
        raise ConsoleError(422, _l("%(error)s. Nothing was saved.", error=str(exc)), _l("Not saved")) from None
    saved = save_town_file(name, new, request.form.get("base_hash", ""), _("sorting guide: %(item)s", item=values.id))
    refused = refused_messages(saved, name)
    if not refused:
        return saved_and_back(saved, name, "console.sorting")
    status = 409 if saved.current_text is not None else 422
    return _item_page(item_id, status, typed=typed, errors={}, refused=refused)


@bp.post("/data/sorting/add")
@require("editor")
def sorting_add_save() -> Any:
    return _save_item(None)


@bp.post("/data/sorting/item/<item_id>")
@require("editor")
def sorting_item_save(item_id: str) -> Any:
    return _save_item(item_id)


@bp.post("/data/sorting/item/<item_id>/remove")
@require("editor")
def sorting_item_remove(item_id: str) -> Any:
    name, text, _services, items = _guide()
    if item_id not in {i.id for i in items}:
        not_found(_l("The sorting guide's item %(item)s", item=repr(item_id)))
    saved = save_town_file(name, sorting_edit.remove_sorting_item(text, item_id), request.form.get("base_hash", ""),
                           _("sorting guide: %(item)s removed", item=item_id))
    refused = refused_messages(saved, name)
    if refused:
        return _item_page(item_id, 409 if saved.current_text is not None else 422, errors={}, refused=refused)
    return saved_and_back(saved, name, "console.sorting")


