"""Sentences' audio kept once joined, for the sentences that are the town's own wording.

Joining a sentence (its cut into pieces, their audio decoded, faded, crossfaded and encoded
again) costs about as much CPU as the rest of a TwiML webhook together, and most sentences
a call hears are the same catalog sentences again (the menus, "*" said again). Which
sentences may be kept is decided by whoever builds the :class:`voice.vocab.assemble.Assembler`
(``fixed``): only those that hold no caller's data, so what this memory keeps is the audio
of public text, as the vocabulary on disk is. Kept in memory, bounded in bytes, and dropped
for a language when its rendered vocabulary changes.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

MAX_BYTES = 32 * 1024 * 1024
"""About 70 minutes of 8 kHz μ-law: every fixed sentence of three languages, normal and slow."""


@dataclass(frozen=True)
class Joined:
    """One sentence as :meth:`Assembler.stream` made it: its chunks of μ-law, and each piece
    (made live or not, its words), counted again each time the sentence is said."""

    chunks: tuple[bytes, ...]
    pieces: tuple[tuple[bool, int], ...]

    @property
    def size(self) -> int:
        return sum(len(c) for c in self.chunks)


class JoinedSentences:
    """Joined sentences by (language, slow, text), least recently used dropped first."""

    def __init__(self, max_bytes: int = MAX_BYTES) -> None:
        self.max_bytes = max_bytes
        self._items: OrderedDict[tuple[str, bool, str], Joined] = OrderedDict()
        self._bytes = 0
        self._vocabulary: dict[str, object] = {}  # language -> the rendered pieces the kept ones used
        self._lock = threading.Lock()

    def get(self, lang: str, slow: bool, text: str, vocabulary: object) -> Joined | None:
        """The sentence as joined from ``vocabulary`` (the language's rendered pieces, compared
        by identity: a new rendering drops what was joined from the old one)."""
        with self._lock:
            self._same_vocabulary(lang, vocabulary)
            found = self._items.get((lang, slow, text))
            if found is not None:
                self._items.move_to_end((lang, slow, text))
            return found

    def put(self, lang: str, slow: bool, text: str, vocabulary: object, joined: Joined) -> None:
        if joined.size > self.max_bytes:
            return
        with self._lock:
            self._same_vocabulary(lang, vocabulary)
            old = self._items.pop((lang, slow, text), None)
            self._bytes += joined.size - (old.size if old else 0)
            self._items[(lang, slow, text)] = joined
            while self._bytes > self.max_bytes:
                _, dropped = self._items.popitem(last=False)
                self._bytes -= dropped.size

    def _same_vocabulary(self, lang: str, vocabulary: object) -> None:
        if self._vocabulary.get(lang, vocabulary) is not vocabulary:
            for key in [k for k in self._items if k[0] == lang]:
                self._bytes -= self._items.pop(key).size
        self._vocabulary[lang] = vocabulary

    def __len__(self) -> int:
        return len(self._items)
