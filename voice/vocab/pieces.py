"""Spoken text as vocabulary pieces and the pauses its punctuation calls for.

A piece is a run of words (with any punctuation inside it or at its end) whose audio was
rendered ahead. A sentence is cut into the fewest pieces the vocabulary allows: first as
few words outside the vocabulary as possible, then as few pieces, so a whole catalog
fragment or a whole date is preferred to its words. Any cut gives the right words, since a
piece sounds its text whatever surrounds it; the fewest pieces sound the most natural.

Lookup ignores case, quotes and brackets: "Mardi" at the start of a sentence is the piece
"mardi". Words the vocabulary lacks become one live piece per run of them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

_TOKEN = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*['’]?|\s[-–—]\s|[,;:.!?…—–]")
SENTENCE_END = frozenset(".!?…")
PAUSE_S = {",": 0.18, ";": 0.28, ":": 0.28, "—": 0.24, "–": 0.24, ".": 0.42, "!": 0.42, "?": 0.42, "…": 0.45}
"""Silence after a punctuation mark, in seconds: a comma is a breath, a colon announces,
a full stop ends a sentence (the pieces' own audio is trimmed of silence)."""


def spans(text: str) -> list[tuple[str, int, int]]:
    """Words and punctuation marks with where they are in ``text``; quotes, brackets and
    symbols are dropped."""
    out = []
    for m in _TOKEN.finditer(text):
        tok = m.group(0).strip()
        out.append(("—" if tok in ("-", "–") else tok, m.start(), m.end()))
    return out


def tokens(text: str) -> list[str]:
    """Words and punctuation marks, in order."""
    return [t for t, _, _ in spans(text)]


def norm(token: str) -> str:
    return token.casefold().replace("’", "'")


def is_punct(token: str) -> bool:
    return token in PAUSE_S


def piece_key(text: str) -> str:
    """What a piece is looked up by: its tokens, case and quotes ignored."""
    return " ".join(norm(t) for t in tokens(text))


def piece_text(toks: Iterable[str]) -> str:
    """Tokens back to text a voice reads: a space between words, none before punctuation
    (French spacing does not change what a voice says)."""
    out = ""
    for t in toks:
        out += t if (is_punct(t) and t not in "—–") or not out else " " + t
    return out


def pause_of(token: str) -> float:
    return PAUSE_S.get(token, 0.0)


@dataclass(frozen=True)
class Piece:
    """One piece of a sentence: its text, whether it is in the vocabulary, and the silence
    after it (0: joined to the next piece with a short crossfade)."""

    text: str
    key: str
    known: bool
    pause: float = 0.0
    ends_sentence: bool = False
    start: int = 0
    end: int = 0
    """Where the piece and the punctuation after it are in the text that was cut."""

    @property
    def words(self) -> int:
        return sum(1 for t in tokens(self.text) if not is_punct(t))


class Index:
    """The vocabulary's keys as a token trie, for cutting sentences quickly."""

    def __init__(self, keys: Iterable[str] = ()) -> None:
        self._root: dict = {}
        self.size = 0
        self.longest = 0
        """Tokens in the longest key: how far ahead a piece may end."""
        for key in keys:
            self.add(key)

    def add(self, key: str) -> None:
        node = self._root
        toks = [tok for tok in key.split(" ") if tok]
        for tok in toks:
            node = node.setdefault(tok, {})
        self.longest = max(self.longest, len(toks))
        if None not in node:
            node[None] = True
            self.size += 1

    def __contains__(self, key: str) -> bool:
        node: dict | None = self._root
        for tok in key.split(" "):
            node = node.get(tok) if node is not None else None
        return node is not None and None in node

    def ends(self, toks: list[str], start: int) -> list[int]:
        """Every j such that toks[start:j] is a piece."""
        node: dict | None = self._root
        out: list[int] = []
        for j in range(start, min(len(toks), start + self.longest)):
            node = node.get(toks[j]) if node is not None else None
            if node is None:
                break
            if None in node:
                out.append(j + 1)
        return out


def cut(text: str, index: Index) -> list[Piece]:
    """``text`` (already as the voice says it: numbers in words) as pieces, fewest words
    outside the vocabulary first, then fewest pieces."""
    found = spans(text)
    toks = [t for t, _, _ in found]
    keys = [norm(t) for t in toks]
    n = len(toks)
    inf = (10**9, 10**9)
    # best[i]: (unknown words, pieces) to say toks[i:]; how[i]: where the first item ends, and its kind
    best: list[tuple[int, int]] = [inf] * n + [(0, 0)]
    how: list[tuple[int, str]] = [(n, "")] * (n + 1)
    for i in range(n - 1, -1, -1):
        options: list[tuple[tuple[int, int], int, str]] = []
        if is_punct(toks[i]):
            options.append((best[i + 1], i + 1, "pause"))
        else:
            u, p = best[i + 1]
            options.append(((u + 1, p + 1), i + 1, "live"))
        for j in index.ends(keys, i):
            u, p = best[j]
            options.append(((u, p + 1), j, "known"))
        # Ties go to the longest piece (it carries its own punctuation's intonation).
        cost, end, kind = min(options, key=lambda o: (o[0], -o[1]))
        best[i], how[i] = cost, (end, kind)
    pieces: list[Piece] = []
    live: list[int] = []
    i = 0

    def close_live() -> None:
        if live:
            text_ = piece_text(toks[k] for k in live)
            pieces.append(Piece(text_, piece_key(text_), False, start=found[live[0]][1], end=found[live[-1]][2]))
            live.clear()

    while i < n:
        end, kind = how[i]
        if kind == "live":
            live.append(i)
            i = end
            continue
        close_live()
        if kind == "pause":
            if pieces:
                last = pieces[-1]
                pieces[-1] = Piece(last.text, last.key, last.known, max(last.pause, pause_of(toks[i])),
                                   last.ends_sentence or toks[i] in SENTENCE_END, last.start, found[i][2])
        else:
            tail = toks[end - 1]
            pieces.append(Piece(piece_text(toks[i:end]), " ".join(keys[i:end]), True, pause_of(tail),
                                tail in SENTENCE_END, found[i][1], found[end - 1][2]))
        i = end
    close_live()
    return pieces
