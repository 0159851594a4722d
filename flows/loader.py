"""Loads a town's flow files into one immutable FlowSet, keeping file and line of each node."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from flows.model import NODE_KINDS, FlowFile, Node
from staff_files.problems import FlowError, Problem
from staff_files.yaml_lines import LineDict, LineList, load_yaml_file

ENTRY = "main.start"


@dataclass(frozen=True)
class Where:
    file: str
    line: int


@dataclass(frozen=True)
class FlowSet:
    """All flows of a town. Node ids are qualified: ``waste.start``."""

    nodes: dict[str, Node]
    starts: dict[str, str]  # flow name -> qualified id of its start node
    where: dict[str, Where]  # qualified node id -> where it is written
    field_lines: dict[tuple[str, str], int] = field(default_factory=dict)
    files: tuple[str, ...] = ()
    version: str = ""

    def resolve(self, ref: str, from_flow: str) -> str | None:
        """The qualified node id a reference names, or None if it names nothing."""
        if "." in ref:
            return ref if ref in self.nodes else None
        if f"{from_flow}.{ref}" in self.nodes:
            return f"{from_flow}.{ref}"
        return self.starts.get(ref)

    def line_of(self, node_id: str, field_name: str | None = None) -> Where:
        where = self.where[node_id]
        if field_name and (node_id, field_name) in self.field_lines:
            return Where(where.file, self.field_lines[(node_id, field_name)])
        return where


def _line_for_loc(data: Any, loc: Iterable[Any]) -> int | None:
    """Walk the YAML data along a pydantic error location to the nearest known line."""
    line = getattr(data, "line", None)
    node = data
    for part in loc:
        if isinstance(node, LineDict) and isinstance(part, str) and part in node:
            line = node.line_of(part)
            node = node[part]
        elif isinstance(node, LineList) and isinstance(part, int) and part < len(node):
            line = node.item_lines[part]
            node = node[part]
        else:
            continue  # a pydantic-only step, such as the node kind of a tagged union
    return line


def _explain(error: ErrorDetails) -> str:
    parts = list(error["loc"])
    if len(parts) > 2 and parts[0] == "nodes" and parts[2] in NODE_KINDS:
        del parts[2]  # pydantic's union tag, not something staff wrote
    loc = ".".join(str(p) for p in parts)
    kind = error["type"]
    given = error.get("input")
    if isinstance(given, dict):
        given = given.get("kind")
    if kind == "extra_forbidden":
        return f"'{error['loc'][-1]}' is not a field this node can have (a typo?)"
    if kind == "missing":
        return f"'{loc}' is missing"
    if kind == "union_tag_invalid":
        return (
            f"unknown node kind {given!r} at '{loc}'; "
            "use one of: say, menu, ask, confirm, action, transfer, hangup"
        )
    if kind == "union_tag_not_found":
        return f"the node at '{loc}' has no 'kind' (say, menu, ask, confirm, action, transfer, hangup)"
    if kind == "string_pattern_mismatch":
        return f"'{loc}' must be lower-case letters, digits and _ (got {error.get('input')!r})"
    if kind == "literal_error":
        return f"'{loc}': {error['msg'].lower()} (got {error.get('input')!r})"
    return f"'{loc}': {error['msg']}"


def parse_flow_file(path: Path) -> tuple[FlowFile | None, Any, list[Problem]]:
    data, problems = load_yaml_file(path)
    if not isinstance(data, dict):
        return None, data, [*problems, Problem(str(path), 1, "a flow file must be a mapping with flow, start and nodes")]
    try:
        return FlowFile.model_validate(data), data, problems
    except ValidationError as exc:
        for error in exc.errors():
            problems.append(Problem(str(path), _line_for_loc(data, error["loc"]), _explain(error)))
        return None, data, problems


def load_flows(paths: Iterable[Path]) -> tuple[FlowSet, list[Problem]]:
    """Loads flow files; returns what could be loaded and every problem found on the way.

    Raises FlowError only for a file that cannot be read or parsed at all.
    """
    nodes: dict[str, Node] = {}
    starts: dict[str, str] = {}
    where: dict[str, Where] = {}
    field_lines: dict[tuple[str, str], int] = {}
    problems: list[Problem] = []
    files: list[str] = []
    for path in sorted(paths):
        files.append(str(path))
        flow, data, file_problems = parse_flow_file(path)
        problems.extend(file_problems)
        if flow is None:
            continue
        if flow.flow in starts:
            problems.append(
                Problem(str(path), data.line_of("flow"), f"a flow named '{flow.flow}' is already defined in {where[starts[flow.flow]].file}")
            )
            continue
        raw_nodes = data["nodes"]
        for node_id, node in flow.nodes.items():
            qid = f"{flow.flow}.{node_id}"
            nodes[qid] = node
            where[qid] = Where(str(path), raw_nodes.line_of(node_id))
            raw = raw_nodes[node_id]
            if isinstance(raw, LineDict):
                for key in raw:
                    field_lines[(qid, key)] = raw.line_of(key)
                for i, line in enumerate(getattr(raw.get("choices"), "item_lines", [])):
                    field_lines[(qid, f"choices.{i}.next")] = line
                    field_lines[(qid, f"choices.{i}.label")] = line
                    field_lines[(qid, f"choices.{i}.key")] = line
                    sets = raw["choices"][i].get("set") if isinstance(raw["choices"][i], LineDict) else None
                    if isinstance(sets, LineDict):
                        for slot in sets:
                            field_lines[(qid, f"choices.{i}.set.{slot}")] = sets.line_of(slot)
                for i, line in enumerate(getattr(raw.get("shortcuts"), "item_lines", [])):
                    field_lines[(qid, f"shortcuts.{i}.next")] = line
                if isinstance(raw.get("on"), LineDict):
                    for outcome in raw["on"]:
                        field_lines[(qid, f"on.{outcome}")] = raw["on"].line_of(outcome)
        start = f"{flow.flow}.{flow.start}"
        starts[flow.flow] = start
        if start not in nodes:
            problems.append(
                Problem(str(path), data.line_of("start"), f"start node '{flow.start}' is not among this flow's nodes")
            )
    digest = hashlib.sha256()
    for f in files:
        digest.update(Path(f).read_bytes())
    flowset = FlowSet(nodes, starts, where, field_lines, tuple(files), digest.hexdigest()[:12])
    return flowset, problems


def flow_files(flows_dir: Path) -> list[Path]:
    if not flows_dir.is_dir():
        raise FlowError(Problem(str(flows_dir), None, "the flows folder does not exist"))
    return sorted(p for p in flows_dir.iterdir() if p.suffix in (".yaml", ".yml"))
