"""Content-addressed audio cache and sentence-by-sentence synthesis.

Audio is stored as 8 kHz μ-law, exactly what the phone line plays, under the SHA-256 of
(voice, language, rate, spoken text): a changed voice or wording is a different key, so
stale audio is never played and nothing needs invalidating. Catalog prompts are rendered
ahead (``civicline prompts render``); long answers are split into sentences so the first
can play while the rest is synthesised. With a slow voice (``Synthesizer.quick_start``,
Kokoro) the first sentence of an answer that is not in the cache is cut once more at a
clause boundary, so the caller hears its first few words sooner (``first_pieces``).
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from voice.stt.base import base_language
from voice.tts.base import PHONE_RATE, Synthesizer
from voice.tts.speech_text import format_for_speech

_SENTENCE_END = re.compile(r"(?<=[.!?…;:])\s+(?=\S)")


def split_sentences(text: str, max_chars: int = 200) -> list[str]:
    """Sentences, with over-long ones cut at commas so no piece delays the first audio."""
    out: list[str] = []
    for sentence in _SENTENCE_END.split(text.strip()):
        while len(sentence) > max_chars and "," in sentence[:max_chars]:
            cut = sentence.rindex(",", 0, max_chars) + 1
            out.append(sentence[:cut].strip())
            sentence = sentence[cut:].strip()
        if sentence.strip():
            out.append(sentence.strip())
    return out


# Where the first piece of a sentence may end: after a clause mark, or before a word that
# opens a new phrase (a conjunction, a preposition of time or place, a weekday's article).
# Never before "de"/"of": that would cut "1 de diciembre" or a street name in two.
_CLAUSE_MARK = re.compile(r"[,;:—–]$")
_PHRASE_START = {
    "fr": {"et", "mais", "ou", "donc", "car", "puis", "alors", "parce", "puisque", "quand", "lorsque", "si",
           "pour", "avec", "sans", "après", "avant", "depuis", "pendant", "jusqu'au", "jusqu'à", "dans", "sur",
           "chez", "entre", "sauf"},
    "en": {"and", "but", "or", "so", "because", "then", "when", "if", "for", "with", "without", "after",
           "before", "since", "until", "during", "on", "at", "from", "except"},
    "es": {"y", "pero", "o", "pues", "porque", "entonces", "cuando", "si", "para", "con", "sin", "después",
           "antes", "desde", "hasta", "durante", "en", "entre", "excepto"},
}
_WEEKDAY_ARTICLE = {"fr": {"le"}, "es": {"el"}, "en": set()}
_WEEKDAYS = {
    "fr": {"lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"},
    "en": {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"},
    "es": {"lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"},
}
FIRST_PIECE_WORDS = 6
"""The first piece of an uncached answer is at most this many words (Kokoro needs ~0.42 s of
compute per second of speech on two cores: five French words, ~2.5 s of speech, take ~1.1 s)."""
MIN_WORDS_BEFORE_PHRASE = 3
"""A cut before a conjunction or preposition leaves at least this many words before it."""
GROWTH = 2.5
"""A later piece of the first sentence may be this many times longer than all the pieces
before it (it is made while they play); a longer rest is cut again, at clause marks only."""


def _bare(word: str) -> str:
    return word.strip("«»\"“”()").lower()


def _cut(words: list[str], language: str, limit: int, first: bool) -> int | None:
    """How many of ``words`` the next piece takes (at most ``limit``, leaving at least three),
    or None when there is no clause boundary there. The first piece ends at the first clause
    mark, else before the first phrase start; a later piece ends at the last clause mark."""
    lang = base_language(language)
    starters, articles, days = _PHRASE_START.get(lang, set()), _WEEKDAY_ARTICLE.get(lang, set()), _WEEKDAYS.get(lang, set())
    marks, phrase = [], None
    for n in range(1, min(limit, len(words) - 3) + 1):
        if _CLAUSE_MARK.search(words[n - 1]):
            marks.append(n)
        elif phrase is None and n >= MIN_WORDS_BEFORE_PHRASE and _bare(words[n - 1]) not in starters | articles:
            nxt = _bare(words[n])
            if nxt in starters or nxt in days or (nxt in articles and _bare(words[n + 1]) in days):
                phrase = n
    if not first:
        return marks[-1] if marks else None
    return marks[0] if marks else phrase


def first_pieces(sentence: str, language: str, first_words: int = FIRST_PIECE_WORDS) -> list[str]:
    """A sentence as a short first piece (at most ``first_words`` words, cut at a clause mark or
    before a conjunction or preposition) then the rest. The rest is cut again, at clause marks
    only, where a piece would take longer to make than the words before it take to play
    (pieces grow by ``GROWTH``). Joined with spaces, the pieces are the sentence (whitespace
    normalised); a sentence of ``first_words`` words or fewer, or without such a boundary,
    stays whole."""
    words = sentence.split()
    if not words:
        return []
    pieces: list[str] = []
    said = 0
    while len(words) > (limit := max(first_words, int(said * GROWTH))):
        n = _cut(words, language, limit, first=not pieces)
        if n is None:
            break
        pieces.append(" ".join(words[:n]))
        words, said = words[n:], said + n
    pieces.append(" ".join(words))
    return pieces


def cache_key(voice_id: str, language: str, text: str, slow: bool) -> str:
    raw = f"v1\0{voice_id}\0{base_language(language)}\0{PHONE_RATE}\0{'slow' if slow else 'normal'}\0{text}"
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


class AudioCache:
    """μ-law audio by key: an in-memory LRU in front of a directory (optional)."""

    def __init__(self, directory: str | Path | None = None, memory_items: int = 1024) -> None:
        self.directory = Path(directory) if directory else None
        self.memory_items = memory_items
        self._memory: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def _path(self, key: str) -> Path:
        assert self.directory is not None
        return self.directory / key[:2] / f"{key}.ulaw"

    def get(self, key: str) -> bytes | None:
        with self._lock:
            if key in self._memory:
                self._memory.move_to_end(key)
                self.hits += 1
                return self._memory[key]
        data = None
        if self.directory is not None:
            try:
                data = self._path(key).read_bytes()
            except OSError:
                data = None
        if data is None:
            self.misses += 1
            return None
        self.hits += 1
        self._remember(key, data)
        return data

    def contains(self, key: str) -> bool:
        """Whether ``key`` is stored, without counting a hit or a miss or reading the file."""
        with self._lock:
            if key in self._memory:
                return True
        return self.directory is not None and self._path(key).is_file()

    def put(self, key: str, data: bytes) -> None:
        self._remember(key, data)
        if self.directory is None:
            return
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write then rename: a reader never sees half a file, even with two workers.
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)

    def _remember(self, key: str, data: bytes) -> None:
        with self._lock:
            self._memory[key] = data
            self._memory.move_to_end(key)
            while len(self._memory) > self.memory_items:
                self._memory.popitem(last=False)


class Speaker:
    """Text -> 8 kHz μ-law through the speech formatter, the cache and the language's voice."""

    def __init__(self, voices: Callable[[str], Synthesizer], cache: AudioCache | None = None, quick_start: bool = True) -> None:
        self.voices, self.cache = voices, cache or AudioCache()
        self.quick_start = quick_start
        """False: never cut the first sentence, even with a slow voice (one chunk per sentence)."""
        self._lock = threading.Lock()
        self._making: dict[str, threading.Event] = {}  # keys being synthesised right now

    def sentence_audio(self, sentence: str, language: str, slow: bool = False) -> bytes:
        """One sentence (raw text, formatted here), from the cache or synthesised and stored.

        Calls asking for the same sentence at the same moment (callers of one collection
        zone hear the same answer) wait for one synthesis instead of each making it: with
        a slow voice that work is what fills the cores.
        """
        voice = self.voices(language)
        spoken = format_for_speech(sentence, language)
        key = cache_key(voice.voice_id, language, spoken, slow)
        while (data := self.cache.get(key)) is None:
            with self._lock:
                making = self._making.get(key)
                if making is None:
                    self._making[key] = threading.Event()
            if making is not None:
                making.wait(60)
                continue  # made (now cached), or it failed: try again ourselves
            try:
                data = voice.synthesize(spoken, language, slow=slow).to_ulaw8k()
                self.cache.put(key, data)
            finally:
                with self._lock:
                    self._making.pop(key).set()
            return data
        return data

    def pieces(self, text: str, language: str, slow: bool = False) -> list[str]:
        """What ``stream`` synthesises one by one: the sentences of ``text``; with a slow voice
        (``quick_start``) the first sentence is cut at a clause boundary when its whole audio
        is not already in the cache (a pre-rendered prompt keeps its single-sentence audio)."""
        sentences = split_sentences(text)
        if not sentences:
            return []
        voice = self.voices(language)
        if self.quick_start and getattr(voice, "quick_start", False):
            first = first_pieces(sentences[0], language)
            if len(first) > 1 and not self.cached(sentences[0], language, slow):
                return first + sentences[1:]
        return sentences

    def cached(self, sentence: str, language: str, slow: bool = False) -> bool:
        """Whether this sentence's audio is in the cache (memory or disk)."""
        voice = self.voices(language)
        return self.cache.contains(cache_key(voice.voice_id, language, format_for_speech(sentence, language), slow))

    def stream(self, text: str, language: str, slow: bool = False) -> Iterator[bytes]:
        """μ-law audio piece by piece (``pieces``): play each chunk as soon as it is yielded."""
        for piece in self.pieces(text, language, slow):
            yield self.sentence_audio(piece, language, slow)

    def render(self, text: str, language: str, slow: bool = False) -> bytes:
        """All of ``text`` as one μ-law buffer, sentence by sentence (nobody waits on the first
        words, so the first sentence is not cut)."""
        return b"".join(self.sentence_audio(s, language, slow) for s in split_sentences(text))

    def prerender(self, texts: Iterable[str], language: str, slow_too: bool = True) -> int:
        """Fill the cache for fixed prompts, whole sentences under the keys ``stream`` looks up
        first; returns how many sentences were synthesised."""
        before = self.cache.misses
        for text in texts:
            for slow in (False, True) if slow_too else (False,):
                self.render(text, language, slow)
        return self.cache.misses - before
