"""Answers said from rendered pieces: each sentence cut into vocabulary pieces, their audio
read from the cache and joined with the pauses the punctuation calls for and a short
crossfade. A sentence whose pieces are all rendered costs a few milliseconds; a piece
outside the vocabulary is made by the voice live, kept in memory only, logged and counted."""

from __future__ import annotations

import logging
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from voice.audio.codec import pcm16_to_ulaw, ulaw_to_pcm16
from voice.stt.base import base_language
from voice.tts.base import PHONE_RATE
from voice.tts.cache import AudioCache
from voice.tts.speech_text import format_for_speech
from voice.vocab.joined import Joined, JoinedSentences
from voice.vocab.manifest import Manifest, Vocabularies
from voice.vocab.pieces import Index, Piece, cut

log = logging.getLogger(__name__)

FADE_S = 0.008
"""Each piece fades in and out over this much: no click where two renderings meet."""
CROSSFADE_S = 0.015
"""Pieces with no punctuation between them overlap by this much."""
SLOW_PAUSES = 1.8
SLOW_GAP_S = 0.12
"""Slow speech: longer pauses, and a short gap between pieces that otherwise run on."""


def _ramp(n: int) -> np.ndarray:
    return (0.5 - 0.5 * np.cos(np.linspace(0.0, np.pi, n, dtype=np.float32))) if n > 0 else np.zeros(0, np.float32)


class Joiner:
    """PCM pieces (8 kHz) joined one after the other: silence after a piece, or a crossfade
    into the next. The last few ms of a piece that runs on are held until the next one."""

    def __init__(self, rate: int = PHONE_RATE) -> None:
        self.rate = rate
        self._tail = np.zeros(0, np.float32)

    def add(self, pcm: np.ndarray, pause: float) -> np.ndarray:
        x = pcm.astype(np.float32)
        fade = min(int(FADE_S * self.rate), len(x) // 4)
        if fade:
            x[:fade] *= _ramp(fade)
        if self._tail.size:
            if len(x) < len(self._tail):
                self._tail[: len(x)] += x
                x = self._tail
            else:
                x[: len(self._tail)] += self._tail
            self._tail = np.zeros(0, np.float32)
        if pause > 0:
            if fade:
                x[-fade:] *= _ramp(fade)[::-1]
            return np.concatenate([x, np.zeros(int(pause * self.rate), np.float32)])
        hold = min(int(CROSSFADE_S * self.rate), len(x) // 4)
        if hold:
            self._tail = x[-hold:] * _ramp(hold)[::-1]
            x = x[:-hold]
        return x

    @property
    def pending(self) -> bool:
        return bool(self._tail.size)

    def flush(self) -> np.ndarray:
        tail, self._tail = self._tail, np.zeros(0, np.float32)
        return tail


_SENTENCE = re.compile(r"(?<=[.!?…])(?<!\b[^\W\d_]\.)\s+(?=\S)")
"""After a full stop, question or exclamation mark, not after a lone letter's full stop
("7 p.m. to", "D. Martin")."""


def spoken_sentences(text: str) -> list[str]:
    """``text`` cut after each full stop, question or exclamation mark only: where the
    vocabulary's pieces end too (``vocabulary_pieces``). Cutting a long sentence at a comma,
    colon or semicolon, as whole-sentence synthesis does for its first audio, would split
    catalog fragments that hold them, and their words would be made live."""
    return [s.strip() for s in _SENTENCE.split(text.strip()) if s.strip()]


def sentence_pieces(text: str, language: str, index: Index,
                    split: Callable[[str], list[str]] = spoken_sentences) -> Iterator[tuple[str, list[Piece]]]:
    """Each sentence of ``text`` (``spoken_sentences``) and its pieces against ``index``, as
    the voice says it (numbers in words): what ``Assembler.stream`` plays, and what a count of
    the pieces made live cuts the same way without any audio."""
    lang = base_language(language)
    for sentence in split(text):
        yield sentence, cut(format_for_speech(sentence, lang), index)


def to_ulaw(parts: list[np.ndarray]) -> bytes:
    if not parts:
        return b""
    pcm = np.concatenate(parts)
    return pcm16_to_ulaw(np.clip(np.round(pcm), -32768, 32767).astype(np.int16))


@dataclass
class Said:
    """What one answer cost: pieces from the vocabulary and pieces made live."""

    known: int = 0
    live: int = 0
    live_words: int = 0


class Assembler:
    """Text -> 8 kHz μ-law from the language's rendered vocabulary.

    ``live(text, language)`` makes a piece outside the vocabulary (μ-law); ``voice_id(language)``
    is the configured voice, whose id the vocabulary must have been rendered with."""

    def __init__(self, vocabularies: Vocabularies, cache: AudioCache, live: Callable[[str, str], bytes],
                 voice_id: Callable[[str], str], fixed: Callable[[str], bool] | None = None) -> None:
        """``fixed(sentence)``: whether a sentence is the town's own wording, with no caller's
        data in it; its audio is then kept once joined (:mod:`voice.vocab.joined`)."""
        self.vocabularies, self.cache, self.live, self.voice_id = vocabularies, cache, live, voice_id
        self.fixed = fixed
        self.joined = JoinedSentences()
        self.counts: Counter[str] = Counter()
        """"known:<lang>", "live:<lang>", "live_words:<lang>" since start: the bench reports them."""
        self._lock = threading.Lock()
        self._stale_warned: set[str] = set()
        self.observer: Callable[[bytes, str], None] | None = None
        """Called with each chunk and the text it says (tests tell what a caller heard)."""

    def index(self, language: str) -> tuple[dict, Index]:
        """The language's rendered pieces (entries by key) and their index; empty when the
        vocabulary was rendered with another voice than the one configured now."""
        return self._index(language)[1:]

    def _index(self, language: str) -> tuple[Manifest | None, dict, Index]:
        """``index`` and the manifest it comes from (what sentences joined from it depend on)."""
        manifest, index = self.vocabularies.get(language)
        if manifest is None:
            return None, {}, Index()
        if manifest.voice != self.voice_id(language):
            lang = base_language(language)
            if lang not in self._stale_warned:
                self._stale_warned.add(lang)
                log.warning("the %s vocabulary was rendered with %s, the voice is now %s: every piece is "
                            "made live until `civicline prompts render`", lang, manifest.voice, self.voice_id(language))
            return manifest, {}, Index()
        return manifest, manifest.pieces, index

    def plan(self, text: str, language: str) -> list[Piece]:
        """How ``text`` would be said: its pieces, known or live."""
        entries, index = self.index(language)
        return [p if not p.known or p.key in entries else Piece(p.text, p.key, False, p.pause, p.ends_sentence,
                                                                 p.start, p.end)
                for _, pieces in sentence_pieces(text, language, index) for p in pieces]

    def stream(self, text: str, language: str, slow: bool = False, said: Said | None = None) -> Iterator[bytes]:
        """μ-law, a sentence at a time (the first at once when its pieces are rendered); a
        live piece is preceded by what is ready before it, so the caller hears that meanwhile.
        The observer gets each chunk with its written sentence (both parts of a sentence cut
        before a live piece: with the same text)."""
        lang = base_language(language)
        manifest, entries, index = self._index(lang)
        for sentence in spoken_sentences(text):
            keep = self.fixed is not None and self.fixed(sentence)
            joined = self.joined.get(lang, slow, sentence, manifest) if keep else None
            if joined is None:
                chunks: list[bytes] = []
                pieces: list[tuple[bool, int]] = []
                for chunk in self._join(sentence, lang, slow, said, entries, index, pieces):
                    chunks.append(chunk)
                    yield chunk
                if keep:
                    self.joined.put(lang, slow, sentence, manifest, Joined(tuple(chunks), tuple(pieces)))
                continue
            yield from self._say_kept(joined, lang, sentence, said)

    def from_kept(self, sentence: str, language: str, slow: bool = False) -> bytes | None:
        """One sentence's audio when it is kept whole (counted and observed as ``stream``
        says it), or None: it must be joined, which may mean making a piece live."""
        if self.fixed is None or not self.fixed(sentence):
            return None
        lang = base_language(language)
        joined = self.joined.get(lang, slow, sentence, self._index(lang)[0])
        return b"".join(self._say_kept(joined, lang, sentence, None)) if joined is not None else None

    def _say_kept(self, joined: Joined, lang: str, sentence: str, said: Said | None) -> Iterator[bytes]:
        for live, words in joined.pieces:  # counted and logged as when it was joined
            self._count(lang, said, words, live)
        for chunk in joined.chunks:
            if self.observer is not None:
                self.observer(chunk, sentence.strip())
            yield chunk

    def _join(self, sentence: str, lang: str, slow: bool, said: Said | None, entries: dict, index: Index,
              pieces: list[tuple[bool, int]]) -> Iterator[bytes]:
        """One sentence joined from its pieces; ``pieces`` gets each one (made live, words)."""
        joiner = Joiner()
        parts: list[np.ndarray] = []
        for piece in cut(format_for_speech(sentence, lang), index):
            data = None
            if piece.known and piece.key in entries:
                data = self.cache.get(entries[piece.key].audio)
            live = data is None
            if data is None:
                if parts:  # what is ready plays while the voice makes the rest
                    yield self._chunk(parts, sentence)
                    parts = []
                audio = self._live(piece, lang, said)
            else:
                audio = data
                self._count(lang, said, piece.words, live=False)
            pieces.append((live, piece.words))
            pause = piece.pause * (SLOW_PAUSES if slow else 1.0)
            if slow and pause == 0:
                pause = SLOW_GAP_S
            parts.append(joiner.add(ulaw_to_pcm16(audio), pause))
        if joiner.pending:  # a sentence without final punctuation: its end fades out
            parts.append(joiner.flush())
        if sum(len(p) for p in parts):
            yield self._chunk(parts, sentence)

    def render(self, text: str, language: str, slow: bool = False) -> bytes:
        return b"".join(self.stream(text, language, slow))

    def _chunk(self, parts: list[np.ndarray], text: str) -> bytes:
        data = to_ulaw(parts)
        if self.observer is not None:
            self.observer(data, text.strip())
        return data

    def _live(self, piece: Piece, lang: str, said: Said | None) -> bytes:
        self._count(lang, said, piece.words, live=True)
        return self.live(piece.text, lang)

    def _count(self, lang: str, said: Said | None, words: int, live: bool) -> None:
        if live:
            # The text is not logged: a live piece may be what the caller said, or their number.
            log.info("%s: a piece of %d word(s) is not in the vocabulary; made live", lang, words)
        with self._lock:
            if live:
                self.counts[f"live:{lang}"] += 1
                self.counts[f"live_words:{lang}"] += words
            else:
                self.counts[f"known:{lang}"] += 1
        if said is not None:
            if live:
                said.live += 1
                said.live_words += words
            else:
                said.known += 1
