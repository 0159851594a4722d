"""The speech machinery the phone line shares between calls: recognisers and voices (loaded
once, lazily), the rendered vocabulary answers are joined from (``voice.vocab``), the
answers played by token in TwiML mode, the recognition pool and the slots that keep
syntheses to a few at a time on a small machine.

The audio cache on disk holds only vocabulary pieces (``civicline prompts render``), none of
them personal; a piece outside the vocabulary is made live and kept in memory only.

A slot is taken around a synthesis only, never around a look-up: an answer joined from
pieces already made is served at once even while every slot is busy with another call's
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

from civicline.phone.played import PlayedAudio
from voice.audio.codec import ulaw_to_pcm16
from voice.audio.vad import EndOfSpeechDetector, VadConfig
from voice.audio.wav import read_wav, wav_bytes
from voice.engines import SpeechEngines
from voice.events import Transcript
from voice.stt.base import base_language
from voice.telephony.speech import SpeechDeps
from voice.tts.base import PHONE_RATE, Synthesizer
from voice.tts.cache import AudioCache, Speaker, split_sentences
from voice.vocab.assemble import Assembler, spoken_sentences
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
        self.parallel = parallel = max(1, int(config.speech_parallel))
        self.slots = SynthesisSlots(parallel)
        # Live speech stays in memory: it may hold what the caller said.
        self.speaker = Speaker(
            lambda lang: cast(Synthesizer, _InSlot(self.engines.synthesizer(lang), self.slots)), AudioCache(None)
        )
        self.assembler = Assembler(Vocabularies(config.audio_cache_dir), self.cache, self._live_piece,
                                   lambda lang: self.engines.synthesizer(lang).voice_id)
        self.assembly = bool(getattr(config, "speech_assembly", True))
        self.played = PlayedAudio()
        self.recognisers = ThreadPoolExecutor(parallel, thread_name_prefix="stt")
        # TwiML mode's answers, so that a webhook can stop waiting for one (its deadline). More
        # threads than slots: an answer joined from pieces already made must not queue behind
        # answers waiting for a slot.
        self.twiml_synthesis = ThreadPoolExecutor(8 * parallel, thread_name_prefix="tts")
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

    def prompt_keys(
        self, text: str, language: str, slow: bool = False, deadline: float | None = None, call: str | None = None
    ) -> list[tuple[str, str | None]]:
        """Each sentence with the token of its audio for ``/audio/<token>.wav``, kept for this
        call only (never a key computable from the text: it may say the caller's number).

        With a ``deadline`` (``time.monotonic()``) the sentences are made on the TwiML pool and
        one not made by then gets None instead of a token (Twilio's voice reads it); its
        synthesis, if it began, goes on and is remembered for the next time."""
        # Joined from the vocabulary, a sentence is cut only where its pieces end (a cut at a
        # comma would leave words no piece holds); synthesised whole, long ones at commas too.
        sentences = spoken_sentences(text) if self.assembly else split_sentences(text)
        if deadline is None:
            return self._tokens([(s, self.render(s, language, slow)) for s in sentences], call)
        # A sentence whose audio is kept whole is said from it here: handing it to the pool
        # and waiting for it cost more than the sentence itself.
        making: list[tuple[str, bytes | Future[bytes]]] = []
        for sentence in sentences:
            kept = self.assembler.from_kept(sentence, language, slow) if self.assembly else None
            making.append((sentence, kept if kept is not None
                           else self.twiml_synthesis.submit(self.render, sentence, language, slow)))
        audios: list[tuple[str, bytes | None]] = []
        for sentence, made in making:
            try:
                audio = made if isinstance(made, bytes) else made.result(timeout=max(0.0, deadline - time.monotonic()))
            except TimeoutError:
                if isinstance(made, Future):
                    made.cancel()  # not begun yet: nobody will wait for it any more
                log.warning("synthesis in %s not done in time: a sentence goes to the fallback voice", language)
                audios.append((sentence, None))
            except Exception:
                log.exception("synthesis failed in %s: a sentence goes to the fallback voice", language)
                audios.append((sentence, None))
            else:
                audios.append((sentence, audio))
        return self._tokens(audios, call)

    def _tokens(self, audios: list[tuple[str, bytes | None]], call: str | None) -> list[tuple[str, str | None]]:
        """Each sentence with the token its audio is played under (None: no audio), all of an
        answer's put where ``/audio`` serves them at once."""
        made = [audio for _, audio in audios if audio]
        tokens = iter(self.played.put_many(made, call) if made else [])
        return [(sentence, next(tokens) if audio else None) for sentence, audio in audios]

    def wav(self, token: str) -> bytes | None:
        ulaw = self.played.get(token)
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
