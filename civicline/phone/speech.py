"""The speech machinery the phone line shares between calls: recognisers and voices (loaded
once, lazily), the audio cache behind ``/audio/<hash>.wav`` and the Media Streams loop, the
recognition pool and the slots that keep syntheses to a few at a time on a small machine.

A slot is taken around a synthesis only, never around a look-up in the audio cache: a
prompt already made is served at once even while every slot is busy with another call's
new sentence (twenty French callers hearing their own number read back).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, cast

import numpy as np

from voice.audio.codec import ulaw_to_pcm16
from voice.audio.vad import EndOfSpeechDetector, VadConfig
from voice.audio.wav import read_wav, wav_bytes
from voice.engines import SpeechEngines
from voice.events import Transcript
from voice.stt.base import base_language
from voice.telephony.speech import SpeechDeps
from voice.tts.base import PHONE_RATE, Synthesizer
from voice.tts.cache import AudioCache, Speaker, cache_key, split_sentences
from voice.tts.speech_text import format_for_speech

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
        self.parallel = parallel = max(1, int(config.speech_parallel))
        self.slots = SynthesisSlots(parallel)
        self.speaker = Speaker(lambda lang: cast(Synthesizer, _InSlot(self.engines.synthesizer(lang), self.slots)), self.cache)
        self.recognisers = ThreadPoolExecutor(parallel, thread_name_prefix="stt")
        # TwiML mode's syntheses, so that a webhook can stop waiting for one (its deadline).
        self.twiml_synthesis = ThreadPoolExecutor(parallel, thread_name_prefix="tts")
        self.vad = phone_vad(config)

    # ---- Media Streams -------------------------------------------------------------------

    def deps(self) -> SpeechDeps:
        return SpeechDeps(
            detector=self._detector, transcribe=self.transcribe, speak=self._speak, recognisers=self.recognisers,
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
        return self.speaker.stream(text, language, slow)

    # ---- TwiML-only mode -----------------------------------------------------------------

    def prompt_keys(
        self, text: str, language: str, slow: bool = False, deadline: float | None = None
    ) -> list[tuple[str, str | None]]:
        """Each sentence with the key of its audio (``/audio/<key>.wav``): found in the cache
        at once, or synthesised (in a slot). With a ``deadline`` (``time.monotonic()``), the
        syntheses run on the TwiML pool and a sentence not made by then gets None instead of
        a key; its synthesis, if it began, goes on into the cache."""
        voice_id = self.engines.synthesizer(language).voice_id
        keys: list[tuple[str, str | None]] = []
        making: list[tuple[int, Future[bytes]]] = []
        for sentence in split_sentences(text):
            key = cache_key(voice_id, language, format_for_speech(sentence, language), slow)
            if not self.cache.contains(key):
                if deadline is None:
                    self.speaker.sentence_audio(sentence, language, slow)
                else:
                    making.append((len(keys), self.twiml_synthesis.submit(self.speaker.sentence_audio, sentence, language, slow)))
            keys.append((sentence, key))
        for index, future in making:
            try:
                future.result(timeout=max(0.0, deadline - time.monotonic()) if deadline is not None else None)
            except TimeoutError:
                future.cancel()  # not begun yet: nobody will wait for it any more
                log.warning("synthesis in %s not done in time: a sentence goes to the fallback voice", language)
                keys[index] = (keys[index][0], None)
            except Exception:
                log.exception("synthesis failed in %s: a sentence goes to the fallback voice", language)
                keys[index] = (keys[index][0], None)
        return keys

    def wav(self, key: str) -> bytes | None:
        ulaw = self.cache.get(key)
        return None if ulaw is None else wav_bytes(ulaw_to_pcm16(ulaw), PHONE_RATE)

    def recognise_wav(self, data: bytes, language: str, phrases: Sequence[str] = ()) -> Transcript:
        samples, rate = read_wav(data, max_seconds=float(self.config.record_max_s) + 5)
        return self.recognisers.submit(self.transcribe, samples, rate, language, phrases).result()


class SynthesisSlots:
    """At most ``n`` syntheses at once across all calls; a thread that holds a slot may take
    it again (a synthesis inside a caller's own wait for a slot) without a second one."""

    def __init__(self, n: int) -> None:
        self._free = threading.BoundedSemaphore(n)
        self._held = threading.local()

    def acquire(self, timeout: float | None = None) -> bool:
        depth = getattr(self._held, "depth", 0)
        if depth == 0 and not self._free.acquire(timeout=timeout):
            return False
        self._held.depth = depth + 1
        return True

    def release(self) -> None:
        self._held.depth -= 1
        if self._held.depth == 0:
            self._free.release()

    def __enter__(self) -> SynthesisSlots:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


class _InSlot:
    """A voice whose synthesis waits for a slot; everything else is the voice's own."""

    def __init__(self, voice: Any, slots: SynthesisSlots) -> None:
        self._voice, self._slots = voice, slots

    def synthesize(self, *args: Any, **kwargs: Any) -> Any:
        with self._slots:
            return self._voice.synthesize(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._voice, name)
