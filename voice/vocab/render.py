"""Rendering a language's vocabulary ahead of time, incrementally and in parallel.

Each piece is rendered as one or more candidates (the voice a little slower, a full stop
after a value), each sent through the 8 kHz μ-law path and recognised, several pieces in a
clip (``voice.vocab.scoring``: one recognition for many pieces): the first the recogniser
hears word for word is kept, else the one it heard best, with its score. A piece
already rendered with the same voice, whose audio is still in the cache, is not rendered
again; a piece no longer in the vocabulary leaves the manifest, and ``prune`` deletes audio
no manifest names (so the cache never keeps a sentence an earlier version stored whole).
"""

from __future__ import annotations

import multiprocessing
import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from voice.stt.base import base_language
from voice.tts.cache import AudioCache, cache_key
from voice.tts.speech_text import format_for_speech
from voice.vocab.manifest import Entry, Manifest
from voice.vocab.pieces import SENTENCE_END, Index, cut, is_punct, piece_key, piece_text, tokens
from voice.vocab.scoring import CLIP_S, hear_all


@dataclass(frozen=True)
class Candidate:
    """One way to render a piece."""

    speed: float = 1.0
    """Times the voice's own speed."""
    ending: str = ""
    """Punctuation read after a piece that has none (a value said as a statement)."""

    @property
    def label(self) -> str:
        return f"speed={self.speed:g}" + (f" end={self.ending}" if self.ending else "")


CANDIDATES = (Candidate(1.0), Candidate(0.9), Candidate(0.9, "."))
"""In order of preference: the first one heard word for word is kept."""
BATCH = 12
"""Pieces a worker renders at once: enough to fill a few clips heard together."""
SHORT_WORDS = 2
"""A piece of one or two words is rendered once and not scored: alone, a short word is heard
wrong whatever its rendering ("et" heard "...", "douze" heard "Duse"), so the recogniser
cannot judge it, and its tries would cost most of the rendering time (half the pieces)."""


def vocabulary_pieces(texts: Iterable[str], language: str) -> dict[str, str]:
    """Piece key -> text the voice reads, for these written texts: each said the way the
    voice says it (numbers, dates and times in words) and cut at sentence ends."""
    out: dict[str, str] = {}

    def keep(words: list[str]) -> None:
        spoken = piece_text(words).strip()
        if spoken and any(not is_punct(t) for t in words):
            out.setdefault(piece_key(spoken), spoken)

    for text in texts:
        current: list[str] = []
        for tok in tokens(format_for_speech(text, language)):
            if is_punct(tok) and not current:
                continue  # punctuation opening a fragment is a pause, not a piece
            current.append(tok)
            if tok in SENTENCE_END:
                keep(current)
                current = []
        keep(current)
    return out


def _short(text: str) -> bool:
    return sum(1 for t in tokens(text) if not is_punct(t)) <= SHORT_WORDS


def pieces_for(sentences: Iterable[str], vocabulary: Mapping[str, str], language: str) -> dict[str, str]:
    """The pieces of ``vocabulary`` (key -> text) these sentences are said with: what to
    render first when only some answers are needed now (a test, a bench)."""
    index = Index(vocabulary)
    used: dict[str, str] = {}
    for sentence in sentences:
        for piece in cut(format_for_speech(sentence, language), index):
            if piece.known:
                used[piece.key] = vocabulary[piece.key]
    return used


@dataclass
class Rendering:
    key: str
    text: str
    audio: bytes
    audio_key: str
    candidate: str
    score: float | None
    heard: str
    tried: int


def render_batch(engines: Any, items: Sequence[tuple[str, str]], language: str, candidates: tuple[Candidate, ...],
                 score: bool, clip_s: float = CLIP_S) -> list[Rendering]:
    """The best candidate for each piece (key, text): every piece rendered in the first
    candidate, heard in clips of several pieces (``voice.vocab.scoring``), those not heard word
    for word rendered in the next candidate, and so on; the best heard is kept. A short piece
    is rendered once, not heard. ``clip_s`` 0: each piece heard alone."""
    voice = engines.synthesizer(language)
    stt = engines.transcriber(language) if score else None
    best: dict[str, Rendering] = {}
    tried: dict[str, int] = {}
    pending = list(items)
    for c in candidates:
        variant = voice.at_speed(c.speed)
        if not pending or (c.speed != 1.0 and variant is voice):
            continue  # none left, or this voice cannot change speed
        made: list[Rendering] = []
        for key, text in pending:
            if c.ending and text[-1:] in ".?!…:,;":
                continue  # the piece has its own punctuation
            said = text + c.ending
            audio = variant.synthesize(said, language).to_ulaw8k()
            tried[key] = tried.get(key, 0) + 1
            made.append(Rendering(key, text, audio, cache_key(variant.voice_id, language, said, False), c.label,
                                  None, "", tried[key]))
        heard_now = [r for r in made if stt is not None and not _short(r.text)]
        for r in made:
            if r not in heard_now:
                best.setdefault(r.key, r)  # not heard: the first rendering stays
        for r, h in zip(heard_now, hear_all(stt, [r.text for r in heard_now], [r.audio for r in heard_now], language,
                                            clip_s), strict=True):
            r.heard, r.score = h.text, h.error
            kept = best.get(r.key)
            if kept is None or r.score < (kept.score or 0.0):
                best[r.key] = r
        pending = [(k, t) for k, t in pending if k not in best or (best[k].score or 0.0) > 0.0]
    for key, r in best.items():
        r.tried = tried[key]
    return [best[key] for key, _ in items]


def render_piece(engines: Any, key: str, text: str, language: str, candidates: tuple[Candidate, ...],
                 score: bool) -> Rendering:
    """The best candidate for one piece, heard alone."""
    return render_batch(engines, [(key, text)], language, candidates, score, clip_s=0)[0]


_ENGINES: Any = None


def _start_worker(voice_config: Mapping[str, Any] | None) -> None:
    global _ENGINES
    from voice.engines import SpeechEngines

    # One thread each: the workers share the cores between them.
    _ENGINES = SpeechEngines(voice_config, cpu_threads=1, espeak_fallback=False)


def _in_worker(items: list[tuple[str, str]], language: str, candidates: tuple[Candidate, ...], score: bool,
               clip_s: float) -> list[Rendering]:
    return render_batch(_ENGINES, items, language, candidates, score, clip_s)


@dataclass
class RenderReport:
    language: str
    pieces: int
    rendered: int
    reused: int
    dropped: int
    seconds: float
    manifest: Path
    worst: list[tuple[float, str, str, str]] = field(default_factory=list)
    """(score, text, heard, candidate), worst first."""


class _InProcess(Executor):
    """Renders in this process (one worker): tests, or a machine with one core."""

    def __init__(self, engines: Any) -> None:
        self.engines = engines

    def submit(self, fn: Callable, /, *args: Any, **kwargs: Any) -> Future:
        future: Future = Future()
        try:
            future.set_result(render_batch(self.engines, *args))
        except Exception as exc:
            future.set_exception(exc)
        return future


def render_vocabulary(
    texts: Iterable[str] | Mapping[str, str],
    language: str,
    cache: AudioCache,
    voice_id: str,
    *,
    engines: Any = None,
    voice_config: Mapping[str, Any] | None = None,
    workers: int = 2,
    candidates: tuple[Candidate, ...] = CANDIDATES,
    score: bool = True,
    progress: Callable[[int, int], None] | None = None,
    save_every: int = 25,
    keep_others: bool = False,
    clip_s: float = CLIP_S,
    batch: int = BATCH,
) -> RenderReport:
    """Render what is new in this language's vocabulary into ``cache`` (which must have a
    directory) and rewrite its manifest. ``texts`` are written texts, or pieces already
    (key -> text, ``vocabulary_pieces``). ``engines`` renders in this process (``workers``
    1); otherwise ``workers`` processes load the voices of ``voice_config`` themselves.
    ``keep_others``: pieces rendered before and not among these stay (a partial render).
    A worker renders ``batch`` pieces at a time, heard in clips of up to ``clip_s`` seconds
    (``render_batch``; ``clip_s`` 0 and ``batch`` 1: each piece on its own)."""
    assert cache.directory is not None, "the vocabulary lives on disk"
    lang = base_language(language)
    started = time.perf_counter()
    wanted = dict(texts) if isinstance(texts, Mapping) else vocabulary_pieces(texts, lang)
    old = Manifest.load(cache.directory, lang)
    manifest = Manifest(lang, voice_id, {})
    if keep_others and old is not None and old.voice == voice_id:
        manifest.pieces.update({k: e for k, e in old.pieces.items() if k not in wanted})
    todo: dict[str, str] = {}
    for key, text in wanted.items():
        entry = old.pieces.get(key) if old is not None and old.voice == voice_id else None
        scored_enough = not score or entry is None or entry.score is not None or _short(entry.text)
        if entry is not None and scored_enough and cache.contains(entry.audio):
            manifest.pieces[key] = entry
        else:
            todo[key] = text
    reused = sum(1 for k in wanted if k in manifest.pieces)
    dropped = 0 if keep_others or old is None else len(old.pieces) - len(set(old.pieces) & set(wanted))
    if progress:
        progress(0, len(todo))
    pool: Executor
    if workers <= 1 or len(todo) < 2:
        if engines is None:
            _start_worker(voice_config)
            engines = _ENGINES
        pool = _InProcess(engines)
    else:
        pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_start_worker, initargs=(dict(voice_config or {}),))
    try:
        items = list(todo.items())
        # As many batches for each worker, of at most ``batch`` pieces, as even as they can be.
        rounds = max(1, -(-len(items) // (max(1, workers) * max(1, batch))))
        size = max(1, -(-len(items) // (max(1, workers) * rounds)))
        futures = [pool.submit(_in_worker, items[i:i + size], lang, candidates, score, clip_s)
                   for i in range(0, len(items), size)]
        done = 0
        for future in as_completed(futures):
            for r in future.result():
                cache.put(r.audio_key, r.audio)
                manifest.pieces[r.key] = Entry(r.text, r.audio_key, r.candidate, r.score, r.heard, r.tried)
                done += 1
                if done % save_every == 0:
                    _partial(manifest, old, cache.directory)
            if progress:
                progress(done, len(todo))
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    path = manifest.save(cache.directory)
    worst = sorted(((e.score, e.text, e.heard, e.candidate) for e in manifest.pieces.values() if e.score),
                   reverse=True)
    return RenderReport(lang, len(wanted), len(todo), reused, dropped, time.perf_counter() - started, path, worst)


def _partial(manifest: Manifest, old: Manifest | None, directory: Path) -> None:
    """Save progress so an interrupted render resumes: what is done, and what the old
    manifest still holds."""
    keep = dict(old.pieces) if old is not None and old.voice == manifest.voice else {}
    Manifest(manifest.language, manifest.voice, {**keep, **manifest.pieces}).save(directory)


_AUDIO_FILE = re.compile(r"^[0-9a-f]{64}\.ulaw$")


def prune(cache: AudioCache) -> int:
    """Delete every audio file no language's manifest names; returns how many."""
    directory = cache.directory
    if directory is None or not directory.is_dir():
        return 0
    keep: set[str] = set()
    for path in (directory / "vocabulary").glob("*.json"):
        manifest = Manifest.load(directory, path.stem)
        if manifest is not None:
            keep.update(e.audio for e in manifest.pieces.values())
    removed = 0
    for sub in directory.iterdir():
        if not (sub.is_dir() and len(sub.name) == 2):
            continue
        for f in sub.iterdir():
            if (_AUDIO_FILE.match(f.name) and f.stem not in keep) or f.suffix == ".tmp":
                f.unlink(missing_ok=True)
                removed += 1
    return removed
