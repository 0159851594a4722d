"""Helpers for the nlu tests: catalogs, the demo town's streets, apertium presence.

A uniquely named module (not conftest) so that other folders' conftest files cannot
shadow it when the whole suite runs."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).resolve().parents[1] / "nlu" / "data"
LANGS = ("en", "fr", "es")


def catalog(lang: str):
    from translations.catalog import load_catalog

    return load_catalog(ROOT / "translations" / f"{lang}.yaml")


def gazetteer() -> list[tuple[str, list[str]]]:
    """The demo town's streets when its data loads, else tests/nlu/data/streets.yaml."""
    from civicline.commands.nlu_cmd import TOWN
    from civicline.commands.nlu_cmd import gazetteer as load

    return load(TOWN)


def apertium_available() -> bool:
    try:
        subprocess.run(["apertium", "-l"], capture_output=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return True
