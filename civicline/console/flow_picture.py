"""A picture of a flow file for staff who don't read YAML: each node of the file as a box
(what it does, what the assistant says in the staff's language, where each choice or
outcome leads), drawn from the loaded FlowSet, each box knowing its file and line.

Pure data: the page (flow_picture_views) renders it as headed sections and tables that a
screen reader can walk through."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from flows.loader import FlowSet
from flows.model import MenuNode, TransferNode, node_prompts, node_targets
from translations.catalog import Catalogs


@dataclass(frozen=True)
class Sentence:
    key: str
    text: str  # empty when no catalog has the key
    language: str  # the language the text is in (the main language when the staff's has none)


@dataclass(frozen=True)
class Exit:
    """One way out of a box: a keypad key (menus), or an outcome (next, yes, on.not_found…)."""

    how: str  # "choice", "shortcut", "next", "yes", "no", "on", "after_hours"
    key: str  # the keypad key of a choice, the outcome of an `on`, else ""
    label: Sentence | None  # the choice's spoken name
    target: str  # qualified node id, or the reference as written when it names nothing
    target_file: str | None  # file name of the target box; None when it names nothing
    line: int  # where this way out is written


@dataclass(frozen=True)
class Box:
    node_id: str  # qualified: waste.start
    kind: str
    line: int
    is_start: bool
    sentences: list[Sentence]
    exits: list[Exit] = field(default_factory=list)
    detail: str = ""  # the handler of an action, the slot of an ask, the line of a transfer


def sentence(catalogs: Catalogs, key: str, lang: str) -> Sentence:
    """The catalog's text for a prompt key in the staff's language, else the main one's."""
    for language in (lang, catalogs.main_language, *catalogs.languages):
        if language in catalogs.languages and catalogs[language].has(key):
            return Sentence(key, catalogs[language].prompts[key], language)
    return Sentence(key, "", lang)


def _exits(flows: FlowSet, node_id: str, catalogs: Catalogs, lang: str) -> list[Exit]:
    node = flows.nodes[node_id]
    flow = node_id.split(".", 1)[0]
    exits = []
    for field_name, ref in node_targets(node):
        target = flows.resolve(ref, flow)
        target_file = Path(flows.where[target].file).name if target else None
        how, key, label = field_name.split(".", 1)[0], "", None
        if how in ("choices", "shortcuts") and isinstance(node, MenuNode):
            index = int(field_name.split(".")[1])
            if how == "choices":
                how, key, label_key = "choice", node.choices[index].key, node.choices[index].label
            else:
                shortcut = node.shortcuts[index]
                how, key, label_key = "shortcut", shortcut.intent, shortcut.label
            label = sentence(catalogs, label_key, lang) if label_key else None
        elif how == "on":
            key = field_name.split(".", 1)[1]
        line = flows.line_of(node_id, field_name).line
        exits.append(Exit(how, key, label, target or ref, target_file, line))
    return exits


def _detail(node: object) -> str:
    for name in ("handler", "slot"):
        value = getattr(node, name, None)
        if value:
            return str(value)
    if isinstance(node, TransferNode):
        return node.to
    return ""


def boxes_of_file(flows: FlowSet, file_name: str, catalogs: Catalogs, lang: str) -> list[Box]:
    """The boxes of the nodes written in one flow file, in the file's order."""
    starts = set(flows.starts.values())
    found = []
    for node_id, where in flows.where.items():
        if Path(where.file).name != file_name:
            continue
        node = flows.nodes[node_id]
        sentences = [sentence(catalogs, key, lang) for field_name, key in node_prompts(node) if field_name == "prompt"]
        found.append(Box(
            node_id=node_id, kind=node.kind, line=where.line, is_start=node_id in starts,
            sentences=sentences, exits=_exits(flows, node_id, catalogs, lang), detail=_detail(node),
        ))
    return sorted(found, key=lambda b: b.line)
