"""Fixtures for the nlu tests: catalogs read straight from YAML, the demo town's streets."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).resolve().parent / "data"
LANGS = ("en", "fr", "es")


def catalog(lang: str):
    from translations.catalog import load_catalog

    return load_catalog(ROOT / "translations" / f"{lang}.yaml")


def gazetteer() -> list[tuple[str, list[str]]]:
    town = ROOT / "towns" / "port-lumiere"
    if (town / "data").is_dir():
        try:
            from flows.town import load_town  # the demo town, once it exists

            return [(sid, list(names)) for sid, names in load_town(town).street_gazetteer()]
        except ImportError:
            pass
    # Until then, the streets the labelled utterances name (the demo town has them too).
    from nlu.streets import load_streets

    return load_streets(DATA / "streets.yaml")


@pytest.fixture(scope="session")
def streets() -> list[tuple[str, list[str]]]:
    return gazetteer()


@pytest.fixture(scope="session", params=LANGS)
def lang(request) -> str:
    return request.param


def apertium_available() -> bool:
    try:
        subprocess.run(["apertium", "-l"], capture_output=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return True
