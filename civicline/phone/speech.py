"""The speech machinery the phone line shares between calls: recognisers and voices (loaded
once, lazily), the rendered vocabulary answers are joined from (``voice.vocab``), the
answers played by token in TwiML mode, the recognition pool and the semaphore that keep
recognition and synthesis to a few at a time on a small machine.

The audio cache on disk holds only vocabulary pieces (``civicline prompts render``), none of
them personal; a piece outside the vocabulary is made live and kept in memory only."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from civicline.phone.played import PlayedAudio
from voice.audio.codec import ulaw_to_pcm16
from voice.audio.vad import EndOfSpeechDetector, VadConfig
from voice.audio.wav import read_wav, wav_bytes
from voice.engines import SpeechEngines
from voice.events import Transcript
from voice.stt.base import base_language
from voice.telephony.speech import SpeechDeps
from voice.tts.base import PHONE_RATE
from voice.tts.cache import AudioCache, Speaker
from voice.vocab.assemble import Assembler
from voice.vocab.manifest import Vocabularies

log = logging.getLogger(__name__)


def phone_vad(config: Any) -> VadConfig:
    """End of speech on the phone line, from the city's ``[telephony]`` settings."""
    # 800 ms of pre-roll: with the default 300 ms a soft first word ("Quel jour…") is often cut.
    return VadConfig(
        end_silence_ms=int(config.end_silence_ms), pre_roll_ms=800, early_ms=int(config.early_recognition_ms)
    )


class PhoneSpeech:
    """One per process, built by the composition root (``civicline.wiring.phone_speech``)
    around the process's one :class:`voice.engines.SpeechEngines`."""

    def __init__(self, config: Any, engines: SpeechEngines) -> None:
        self.config = config
        self.engines = engines
        self.cache = AudioCache(config.audio_cache_dir)
        """The vocabulary's pieces (read only here: ``civicline prompts render`` writes them)."""
        # Live speech stays in memory: it may hold what the caller said.
        self.speaker = Speaker(lambda lang: self.engines.synthesizer(lang), AudioCache(None))
        self.assembler = Assembler(Vocabularies(config.audio_cache_dir), self.cache, self._live_piece,
                                   lambda lang: self.engines.synthesizer(lang).voice_id)
        self.assembly = bool(getattr(config, "speech_assembly", True))
        self.played = PlayedAudio()
        self.parallel = parallel = max(1, int(config.speech_parallel))
        self.slots = threading.BoundedSemaphore(parallel)
        self.recognisers = ThreadPoolExecutor(parallel, thread_name_prefix="stt")
        self.vad = phone_vad(config)

    # ---- Media Streams -------------------------------------------------------------------

    def deps(self) -> SpeechDeps:
        return SpeechDeps(
            detector=self._detector, transcribe=self.transcribe, speak=self._speak, slots=self.slots,
            recognisers=self.recognisers,
        )

    def _detector(self) -> EndOfSpeechDetector:
        return EndOfSpeechDetector(self.engines.vad_model(), PHONE_RATE, self.vad)

    def transcribe(self, samples: np.ndarray, rate: int, language: str, phrases: Sequence[str] = ()) -> Transcript:
        try:
            return self.engines.transcriber(language).transcribe(samples, rate, language, list(phrases) or None)
        except Exception:  # no recogniser for the language, or a bad model: keypad still works
            log.exception("recognition in %s failed", language)
            return Transcript("", base_language(language), confidence=0.0)

    def _speak(self, text: str, language: str, slow: bool) -> Iterator[bytes]:
        if self.assembly:
            return self.assembler.stream(text, language, slow)
        return self.speaker.stream(text, language, slow)

    def _live_piece(self, text: str, language: str) -> bytes:
        """A piece outside the vocabulary, made by the voice (in memory only; calls asking
        for the same piece at once share one synthesis)."""
        return self.speaker.sentence_audio(text, language)

    def render(self, text: str, language: str, slow: bool = False) -> bytes:
        """A whole answer as one μ-law buffer (the console's try-it, TwiML mode)."""
        return b"".join(self._speak(text, language, slow))

    # ---- TwiML-only mode -----------------------------------------------------------------

    def prompt_keys(self, text: str, language: str, slow: bool = False, call: str | None = None) -> list[str]:
        """The answer's audio under a token of its own for /audio/<token>.wav, kept for this
        call only (never a key computable from the text: it may say the caller's number)."""
        with self.slots:
            audio = self.render(text, language, slow)
        return [self.played.put(audio, call)] if audio else []

    def wav(self, token: str) -> bytes | None:
        ulaw = self.played.get(token)
        return None if ulaw is None else wav_bytes(ulaw_to_pcm16(ulaw), PHONE_RATE)

    def recognise_wav(self, data: bytes, language: str, phrases: Sequence[str] = ()) -> Transcript:
        samples, rate = read_wav(data, max_seconds=float(self.config.record_max_s) + 5)
        return self.recognisers.submit(self.transcribe, samples, rate, language, phrases).result()
