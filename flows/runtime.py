"""Everything the engine needs to run calls, assembled once and shared by every call."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flows.handlers import Handler
from flows.loader import FlowSet
from flows.understanding import DEFAULT_MEANING, Understanding
from translations.catalog import Catalogs


@dataclass
class Runtime:
    """flows, catalogs and handlers are read-only once built; a saved flow builds a new
    Runtime, and calls in progress keep the one they started with."""

    flows: FlowSet
    catalogs: Catalogs
    handlers: Mapping[str, Handler]
    town: Any = None
    config: Any = None
    languages: list[str] = field(default_factory=lambda: ["fr", "en", "es"])
    fixed_language: str | None = None
    understanding: Understanding | None = None
    translator: Any = None  # nlu.translate TranslatorChain, when engines are configured
    desk: Any = None  # flows.city_requests.CityDesk: requests to the city's systems

    def __post_init__(self) -> None:
        if self.understanding is None:
            self.understanding = Understanding(
                self.catalogs,
                self.town,
                self.translator,
                meaning=getattr(self.config, "meaning_model", DEFAULT_MEANING),
                cache_dir=getattr(self.config, "meaning_cache_dir", None),
            )

    @property
    def town_name(self) -> str:
        return getattr(self.town, "name", "") or getattr(self.config, "town_name", "") or ""

    @property
    def main_language(self) -> str:
        return self.catalogs.main_language
