"""How well the recogniser hears rendered pieces, several at once.

Recognising a piece alone costs as much as recognising several seconds of speech (Whisper
encodes a whole window, and a short clip it is unsure of is decoded again on the full one),
and alone a short piece is heard worse than in a sentence. So pieces are heard in clips of
a few seconds, each piece followed by a short silence, and the recogniser's words are put
back on the pieces by aligning them with the words said: each word heard goes to the piece
of the word it was aligned with (a word heard in addition, to the piece before it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from voice.audio.codec import ulaw_to_pcm16
from voice.tts.base import PHONE_RATE

CLIP_S = 7.5
"""Speech in one clip at most: with the gaps and Whisper's margin it fits its 10 s short window."""
GAP_S = 0.45
"""Silence after each piece of a clip."""


@dataclass
class Heard:
    """What the recogniser heard of one piece, and its word error rate."""

    text: str
    error: float


def clips(audios: Sequence[bytes], clip_s: float = CLIP_S) -> list[list[int]]:
    """The pieces' indexes grouped into clips of at most ``clip_s`` of speech (a longer piece alone)."""
    out: list[list[int]] = []
    length = 0.0
    for i, audio in enumerate(audios):
        seconds = len(audio) / PHONE_RATE
        if out and length + seconds <= clip_s:
            out[-1].append(i)
            length += seconds
        else:
            out.append([i])
            length = seconds
    return out


def align(ref: list[str], hyp: list[str]) -> list[int]:
    """For each word of ``hyp``, the index of the word of ``ref`` it goes with (fewest edits;
    a word inserted goes with the word of ``ref`` before it, or the first); and the words of
    ``ref`` with nothing heard get no entry."""
    n, m = len(ref), len(hyp)
    cost = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n + 1):
        cost[i][0] = i
    for j in range(m + 1):
        cost[0][j] = j
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            cost[i][j] = min(cost[i - 1][j] + 1, cost[i][j - 1] + 1, cost[i - 1][j - 1] + (ref[i - 1] != hyp[j - 1]))
    owner = [0] * m
    i, j = n, m
    while j > 0:
        if i > 0 and cost[i][j] == cost[i - 1][j - 1] + (ref[i - 1] != hyp[j - 1]):
            owner[j - 1] = i - 1
            i, j = i - 1, j - 1
        elif cost[i][j] == cost[i][j - 1] + 1:
            owner[j - 1] = max(0, i - 1)
            j -= 1
        else:
            i -= 1
    return owner


def split_heard(references: Sequence[str], heard: str, language: str) -> list[Heard]:
    """The words heard over several pieces said in a row, put back on each piece, with each
    piece's word error rate (punctuation, case and accents aside)."""
    from voice.eval import _edits, normalize

    refs = [normalize(r, language).split() for r in references]
    words = [w for r in refs for w in r]
    piece_of = [k for k, r in enumerate(refs) for _ in r]
    hyp = normalize(heard, language).split()
    mine: list[list[str]] = [[] for _ in refs]
    if words:
        for h, owner in zip(hyp, align(words, hyp), strict=True):
            mine[piece_of[owner]].append(h)
    return [Heard(" ".join(m), _edits(r, m) / max(1, len(r))) for r, m in zip(refs, mine, strict=True)]


def hear_all(stt: Any, texts: Sequence[str], audios: Sequence[bytes], language: str,
             clip_s: float = CLIP_S) -> list[Heard]:
    """Each piece's audio (8 kHz μ-law) heard in clips of several pieces: what was heard of
    each and its error. ``clip_s`` 0: each piece alone."""
    out: list[Heard | None] = [None] * len(texts)
    gap = np.zeros(int(GAP_S * PHONE_RATE), np.int16)
    for group in clips(audios, clip_s):
        pcm = np.concatenate([x for i in group for x in (ulaw_to_pcm16(audios[i]), gap)])
        heard = stt.transcribe(pcm, PHONE_RATE, language).text.strip()
        for i, h in zip(group, split_heard([texts[i] for i in group], heard, language), strict=True):
            out[i] = h
    return [h for h in out if h is not None]
