"""YAML loading that remembers line numbers, so every problem can name its line.

Staff edit these files by hand: a syntax error, a duplicate key or a wrong type must come
back as "file:line: what is wrong", never as a traceback.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from staff_files.problems import FlowError, Problem


class LineDict(dict):
    """A mapping that knows the line it starts on and the line of each key (1-based)."""

    line: int = 0
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class LineList(list):
    line: int = 0
    item_lines: list[int]


class _LineLoader(yaml.SafeLoader):
    def __init__(self, stream: str, filename: str):
        super().__init__(stream)
        self.filename = filename
        self.duplicates: list[Problem] = []


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str | int | float | bool) and key is not None:
            raise yaml.constructor.ConstructorError(
                None, None, "a key must be a simple word", key_node.start_mark
            )
        key = str(key) if not isinstance(key, str) else key
        line = key_node.start_mark.line + 1
        if key in result:
            loader.duplicates.append(
                Problem(
                    loader.filename,
                    line,
                    f"'{key}' appears twice in the same block (first on line "
                    f"{result.key_lines[key]}); the second would silently replace the first",
                )
            )
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = line
    return result


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)
# Dates stay strings: staff write "2026-12-01" and the schema decides what it means.
# Booleans follow YAML 1.2 (true/false only): under YAML 1.1 rules the keys `yes:`, `no:`
# and `on:` that flows use would silently turn into True and False.
_DROPPED = ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool")
_LineLoader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag not in _DROPPED]
    for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_LineLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def load_yaml_text(text: str, filename: str) -> tuple[Any, list[Problem]]:
    """Parse YAML text; returns the data and the duplicate-key problems found.

    Raises FlowError with the file and line on a syntax error.
    """
    loader = _LineLoader(text, filename)
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        what = exc.problem or str(exc)
        if exc.context:
            what = f"{what} ({exc.context})"
        raise FlowError(
            Problem(filename, line, f"this is not valid YAML: {what}. Check indentation and quotes.")
        ) from None
    except yaml.YAMLError as exc:
        raise FlowError(Problem(filename, None, f"this is not valid YAML: {exc}")) from None
    finally:
        loader.dispose()
    return data, loader.duplicates


def load_yaml_file(path: str | Path) -> tuple[Any, list[Problem]]:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FlowError(Problem(str(path), None, "this file does not exist")) from None
    except UnicodeDecodeError as exc:
        raise FlowError(
            Problem(str(path), None, f"this file is not UTF-8 text ({exc.reason}); save it as UTF-8")
        ) from None
    except OSError as exc:
        raise FlowError(Problem(str(path), None, f"cannot read this file: {exc.strerror}")) from None
    return load_yaml_text(text, str(path))
