"""Helpers for the town tests (a module name of its own, so it never shadows another
folder's conftest)."""

from __future__ import annotations

from pathlib import Path


def replace_in(path: Path, old: str, new: str) -> int:
    """Edits a data file like a clerk would; returns the 1-based line of the change."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    line = text[: text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return line
