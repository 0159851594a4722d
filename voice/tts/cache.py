"""Content-addressed audio cache and sentence-by-sentence synthesis.

Audio is stored as 8 kHz μ-law, exactly what the phone line plays, under the SHA-256 of
(voice, language, rate, spoken text): a changed voice or wording is a different key, so
stale audio is never played and nothing needs invalidating. Catalog prompts are rendered
ahead (``civicline prompts render``); long answers are split into sentences so the first
can play while the rest is synthesised.
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

    def __init__(self, voices: Callable[[str], Synthesizer], cache: AudioCache | None = None) -> None:
        self.voices, self.cache = voices, cache or AudioCache()

    def sentence_audio(self, sentence: str, language: str, slow: bool = False) -> bytes:
        """One sentence (raw text, formatted here), from the cache or synthesised and stored."""
        voice = self.voices(language)
        spoken = format_for_speech(sentence, language)
        key = cache_key(voice.voice_id, language, spoken, slow)
        data = self.cache.get(key)
        if data is None:
            data = voice.synthesize(spoken, language, slow=slow).to_ulaw8k()
            self.cache.put(key, data)
        return data

    def stream(self, text: str, language: str, slow: bool = False) -> Iterator[bytes]:
        """μ-law audio sentence by sentence: play each chunk as soon as it is yielded."""
        for sentence in split_sentences(text):
            yield self.sentence_audio(sentence, language, slow)

    def render(self, text: str, language: str, slow: bool = False) -> bytes:
        """All of ``text`` as one μ-law buffer."""
        return b"".join(self.stream(text, language, slow))

    def prerender(self, texts: Iterable[str], language: str, slow_too: bool = True) -> int:
        """Fill the cache for fixed prompts; returns how many sentences were synthesised."""
        before = self.cache.misses
        for text in texts:
            for slow in (False, True) if slow_too else (False,):
                for _ in self.stream(text, language, slow):
                    pass
        return self.cache.misses - before
