"""Fixtures for the town data tests: the demo town, a writable copy of it, and handler
contexts that render the real catalogs."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from flows.handlers import HandlerContext
from flows.town import Town, load_town
from translations.catalog import Catalogs

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "towns" / "port-lumiere"


@pytest.fixture(scope="session")
def town() -> Town:
    return load_town(DEMO)


@pytest.fixture
def town_copy(tmp_path: Path) -> Path:
    """A copy of the demo town that a test may break."""
    target = tmp_path / "town"
    shutil.copytree(DEMO, target)
    return target


@pytest.fixture(scope="session")
def catalogs() -> Catalogs:
    return Catalogs.load(["fr", "en", "es"], "fr")


@pytest.fixture
def make_ctx(town: Town, catalogs: Catalogs):
    def make(now: datetime, lang: str = "fr", slots: dict[str, Any] | None = None,
             config: Any = None, town_: Town | None = None) -> HandlerContext:
        the_town = town_ or town
        values = dict(slots or {})

        def t(key: str, **extra: Any) -> str:
            return catalogs.render(key, lang, {"town": the_town.name, **values, **extra}).text

        return HandlerContext(slots=values, lang=lang, now=now.replace(tzinfo=the_town.timezone)
                              if now.tzinfo is None else now, town=the_town, config=config, t=t)

    return make
