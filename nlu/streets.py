"""Reading a street list file (id and names), for evaluation without a town."""

from __future__ import annotations

from pathlib import Path

import yaml


def load_streets(path: Path) -> list[tuple[str, list[str]]]:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    return [(str(s["id"]), [str(n) for n in s["names"]]) for s in data.get("streets", [])]
