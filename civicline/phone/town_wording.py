"""Which sentences are the towns' own wording: said word for word as a catalog writes them,
with nothing of a call in them. The phone line keeps such a sentence's audio once joined
(``voice.vocab.joined``); any other sentence (one that holds a caller's address or number,
a date, a street) is joined again each time, as before.

A sentence qualifies when it is one of the sentences of a spoken prompt's text between its
``{slots}``, the town's name put in (``{town}`` is the town's, never a caller's). What is kept
is then the audio of public text, as the vocabulary on disk is (docs/privacy.md).
"""

from __future__ import annotations

import string
import threading
from collections.abc import Callable, Iterable, Sequence

from flows.runtime import Runtime
from translations.catalog import TODO_MARK, is_written_variant
from voice.vocab.assemble import spoken_sentences


def wording(template: str, town: str) -> list[str]:
    """The sentences of a prompt's template that no slot touches (``{town}`` filled)."""
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError:
        return []  # the catalog check reports it
    fragments, current = [], ""
    for literal, field, spec, conversion in parsed:
        current += literal
        if field is None:
            continue
        if field == "town" and not spec and not conversion:
            current += town
        else:  # a slot: the text around it is cut there
            fragments.append(current)
            current = ""
    fragments.append(current)
    return [s for fragment in fragments for s in spoken_sentences(fragment)]


def town_sentences(runtimes: Iterable[Runtime]) -> frozenset[str]:
    out: set[str] = set()
    for runtime in runtimes:
        town = runtime.town_name
        for catalog in runtime.catalogs.by_lang.values():
            for key, template in catalog.prompts.items():
                if template and not template.startswith(TODO_MARK) and not is_written_variant(key):
                    out.update(wording(template, town))
    return frozenset(out)


class TownWording:
    """``wording(sentence)``: whether ``sentence`` is word for word in the catalogs of the
    runtimes in service now (``runtimes()``); worked out again when one is replaced (a
    flow or a sentence saved in the console)."""

    def __init__(self, runtimes: Callable[[], Sequence[Runtime]]) -> None:
        self.runtimes = runtimes
        self._of: tuple[Runtime, ...] = ()
        self._sentences: frozenset[str] = frozenset()
        self._lock = threading.Lock()

    def __call__(self, sentence: str) -> bool:
        return sentence in self._current()

    def _current(self) -> frozenset[str]:
        runtimes = tuple(self.runtimes())
        if not _same(runtimes, self._of):
            with self._lock:
                if not _same(runtimes, self._of):
                    self._sentences = town_sentences(runtimes)
                    self._of = runtimes
        return self._sentences


def _same(a: tuple[Runtime, ...], b: tuple[Runtime, ...]) -> bool:
    return len(a) == len(b) and all(x is y for x, y in zip(a, b, strict=True))
