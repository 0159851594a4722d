"""What was rendered for a language: each piece's text, the audio key of the candidate
kept, and how well the recogniser heard it. One JSON file per language beside the audio
(``<audio cache>/vocabulary/<lang>.json``), written whole under a temporary name then
renamed, so a reader never sees half of it."""

from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from voice.stt.base import base_language
from voice.vocab.pieces import Index

log = logging.getLogger(__name__)

FOLDER = "vocabulary"
FORMAT = 1


@dataclass(frozen=True)
class Entry:
    """One rendered piece."""

    text: str
    """What the voice read (numbers already in words)."""
    audio: str
    """Its audio's key in the audio cache."""
    candidate: str = ""
    """Which rendering was kept ("speed=0.9", "speed=1.0 end=.")."""
    score: float | None = None
    """Word error rate of the kept rendering through the 8 kHz μ-law path (None: not scored)."""
    heard: str = ""
    """What the recogniser heard."""
    tried: int = 1
    """How many candidates were rendered."""


@dataclass
class Manifest:
    language: str
    voice: str
    """The voice id the pieces were rendered with: a different configured voice makes them stale."""
    pieces: dict[str, Entry]
    """By piece key (``voice.vocab.pieces.piece_key``)."""

    @staticmethod
    def path(directory: Path, language: str) -> Path:
        return Path(directory) / FOLDER / f"{base_language(language)}.json"

    @classmethod
    def load(cls, directory: Path, language: str) -> Manifest | None:
        path = cls.path(directory, language)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            log.error("vocabulary %s unreadable (%s): run civicline prompts render", path, exc)
            return None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            log.error("vocabulary %s is of another format: run civicline prompts render", path)
            return None
        pieces = {k: Entry(**v) for k, v in (data.get("pieces") or {}).items()}
        return cls(str(data.get("language", language)), str(data.get("voice", "")), pieces)

    def save(self, directory: Path) -> Path:
        path = self.path(directory, self.language)
        path.parent.mkdir(parents=True, exist_ok=True)
        data: dict[str, Any] = {"format": FORMAT, "language": self.language, "voice": self.voice,
                                "pieces": {k: asdict(e) for k, e in sorted(self.pieces.items())}}
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, ensure_ascii=False, indent=0)
        os.replace(tmp, path)
        return path


class Vocabularies:
    """The rendered vocabulary of each language, read from the manifests and read again
    when ``civicline prompts render`` rewrites one (checked by modification time)."""

    def __init__(self, directory: Path | str | None) -> None:
        self.directory = Path(directory) if directory else None
        self._lock = threading.Lock()
        self._loaded: dict[str, tuple[float, Manifest | None, Index]] = {}
        self._paths: dict[str, str] = {}

    def get(self, language: str) -> tuple[Manifest | None, Index]:
        lang = base_language(language)
        if self.directory is None:
            return None, Index()
        path = self._paths.get(lang)
        if path is None:  # asked for every sentence said: built once
            path = self._paths[lang] = str(Manifest.path(self.directory, lang))
        try:
            mtime = os.stat(path).st_mtime
        except OSError:
            mtime = -1.0
        with self._lock:
            cached = self._loaded.get(lang)
            if cached is not None and cached[0] == mtime:
                return cached[1], cached[2]
        manifest = Manifest.load(self.directory, lang) if mtime >= 0 else None
        index = Index(manifest.pieces) if manifest else Index()
        with self._lock:
            self._loaded[lang] = (mtime, manifest, index)
        return manifest, index
