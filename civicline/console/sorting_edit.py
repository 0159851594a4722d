"""What the sorting guide's forms change in sorting.yaml: an object's names per language and
where it goes, a new object, an object removed; each written as the one line (or block) of
that object, the rest of the file kept (comments, order, the other objects)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from civicline.console.data_edit import DataEditError
from civicline.console.town_edit import (
    FieldErrors,
    Message,
    block_end,
    indent_of,
    load_text,
    message,
    yaml_value,
)
from staff_files.yaml_lines import LineList

ITEM_ID = re.compile(r"^[a-z][a-z0-9_]{0,59}$")


@dataclass(frozen=True)
class SortingItemValues:
    id: str
    goes: str
    names: dict[str, list[str]]  # language -> names, the first said back


def sorting_guide(text: str) -> tuple[dict[str, dict[str, str]], list[SortingItemValues]]:
    """The services (id -> language -> name) and the items of sorting.yaml."""
    data = load_text(text, "sorting.yaml")
    data = data if isinstance(data, dict) else {}
    services = {str(k): {str(lang): str(n) for lang, n in v.items()} for k, v in (data.get("services") or {}).items()
                if isinstance(v, dict)}
    items = []
    for item in data.get("items") or []:
        if isinstance(item, dict) and item.get("id"):
            names = {str(k): [str(w) for w in (v if isinstance(v, list) else [v])] for k, v in item.items()
                     if k not in ("id", "goes", "source", "verified") and v}
            items.append(SortingItemValues(str(item["id"]), str(item.get("goes", "")), names))
    return services, items


def check_sorting_item(item_id: str, goes: str, names: dict[str, str], services: set[str],
                       taken: set[str]) -> SortingItemValues:
    """``names``: language -> "name, other name" as typed."""
    errors: dict[str, Message] = {}
    if not ITEM_ID.match(item_id):
        errors["id"] = message("'%(value)s' cannot be an id: lower-case letters, digits and _ only, starting "
                               "with a letter (old_sofa).", value=item_id)
    elif item_id in taken:
        errors["id"] = message("The guide already has an item '%(value)s'.", value=item_id)
    if goes not in services:
        errors["goes"] = message("Choose where it goes among the guide's services.")
    parsed: dict[str, list[str]] = {}
    for lang, typed in names.items():
        words = [" ".join(w.split()) for w in typed.split(",") if w.strip()]
        if not words:
            errors[f"names-{lang}"] = message("Give at least one name in this language.")
        elif any(len(w) > 80 for w in words):
            errors[f"names-{lang}"] = message("A name is longer than 80 characters.")
        parsed[lang] = words
    if errors:
        raise FieldErrors(errors)
    return SortingItemValues(item_id, goes, parsed)


def _item_line(item: SortingItemValues, indent: str, keep: dict[str, Any]) -> str:
    parts = [f"id: {item.id}", f"goes: {item.goes}"]
    parts += [f"{lang}: [{', '.join(json.dumps(w, ensure_ascii=False) for w in words)}]"
              for lang, words in item.names.items()]
    parts += [f"{k}: {yaml_value(v)}" for k, v in keep.items()]
    return f"{indent}- {{{', '.join(parts)}}}"


def _items_of(text: str) -> tuple[list[str], Any]:
    data = load_text(text, "sorting.yaml")
    items = data.get("items") if isinstance(data, dict) else None
    if not isinstance(items, LineList) or not items:
        raise DataEditError("sorting.yaml has no list of items; fix it in the YAML editor first")
    return text.split("\n"), items


def set_sorting_item(text: str, item: SortingItemValues, *, old_id: str | None) -> str:
    """Replaces the item ``old_id`` (keeping its own source and verified date), or adds
    ``item`` after the last one when ``old_id`` is None."""
    lines, items = _items_of(text)
    if old_id is None:
        last = items.item_lines[-1] - 1
        indent = lines[last][: indent_of(lines[last])]
        end = block_end(lines, last)
        lines[end:end] = [_item_line(item, indent, {})]
        return "\n".join(lines)
    index = next((i for i, it in enumerate(items) if isinstance(it, dict) and str(it.get("id")) == old_id), None)
    if index is None:
        raise DataEditError(f"the sorting guide has no item '{old_id}'")
    start = items.item_lines[index] - 1
    old = items[index]
    # The form shows the town's offered languages only: names in another one (a language
    # being prepared, offered on some server only) stay as they were.
    others = {str(k): [str(w) for w in (v if isinstance(v, list) else [v])] for k, v in old.items()
              if k not in ("id", "goes", "source", "verified") and str(k) not in item.names and v}
    item = SortingItemValues(item.id, item.goes, {**item.names, **others})
    keep = {k: old[k] for k in ("source", "verified") if k in old}
    lines[start:block_end(lines, start)] = [_item_line(item, lines[start][: indent_of(lines[start])], keep)]
    return "\n".join(lines)


def remove_sorting_item(text: str, item_id: str) -> str:
    lines, items = _items_of(text)
    index = next((i for i, it in enumerate(items) if isinstance(it, dict) and str(it.get("id")) == item_id), None)
    if index is None:
        raise DataEditError(f"the sorting guide has no item '{item_id}'")
    start = items.item_lines[index] - 1
    del lines[start:block_end(lines, start)]
    return "\n".join(lines)
