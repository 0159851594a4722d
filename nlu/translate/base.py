"""The translation interface every engine implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Translation:
    text: str
    engine: str  # "apertium", "argos", ... or "none" when the text was not translated
    machine_translated: bool  # False when the text is the original (same language, failure)


class TranslationError(Exception):
    """An engine could not translate; the chain moves on to the next engine."""


class Engine(ABC):
    """One translation engine. `translate_text` may raise anything: the chain catches."""

    name: str = "engine"

    @abstractmethod
    def supports(self, source: str, target: str) -> bool:
        """Whether this engine is installed and has this language pair, cheaply."""

    @abstractmethod
    def translate_text(self, text: str, source: str, target: str) -> str: ...

    def translate_many(self, texts: Sequence[str], source: str, target: str) -> list[str]:
        """Several texts at once; engines with a costly start override this."""
        return [self.translate_text(t, source, target) for t in texts]

    def translate(self, text: str, source: str, target: str) -> Translation:
        return Translation(self.translate_text(text, source, target), self.name, True)


def base_lang(lang: str) -> str:
    return lang.split("-")[0].split("_")[0].lower()
