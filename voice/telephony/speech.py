"""The speech machinery one call needs (end of speech, recognition, synthesis), behind
plain callables so that the models stay shared between calls and tests can script them."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from voice.audio.vad import Utterance
from voice.events import Transcript


class Detector(Protocol):
    """voice.audio.vad.EndOfSpeechDetector, or a scripted one in tests."""

    in_speech: bool

    def feed(self, samples: np.ndarray) -> list[Utterance]:
        """Utterances closed by these samples: provisional (``final`` False) or final."""
        ...


@dataclass
class SpeechDeps:
    """The speech machinery one call needs; shared models behind plain callables."""

    detector: Callable[[], Detector]
    transcribe: Callable[[np.ndarray, int, str, Sequence[str]], Transcript]
    speak: Callable[[str, str, bool], Iterator[bytes]]
    """μ-law 8 kHz audio, sentence by sentence, so the first plays while the rest is made.
    It keeps syntheses to a few at a time across calls itself, and only syntheses: audio
    already made (a cached prompt) never waits behind another call's synthesis."""
    recognisers: Executor = field(default_factory=lambda: ThreadPoolExecutor(2, thread_name_prefix="stt"))
    """Where ``transcribe`` runs, a few at a time across calls."""
