"""One Media Streams call, whatever carries the websocket: μ-law in -> end of speech ->
recognition -> the dialog -> synthesis -> paced 20 ms μ-law frames out, with a mark after
each prompt and ``clear`` when the caller barges in.

Three threads per call, so nothing one call does can stall another: the transport's thread
feeds :meth:`StreamCall.handle` (parsing, μ-law decoding and the VAD, all cheap); a worker
runs the dialog in order; a player paces audio out at real time. Recognition runs on a pool
shared by all calls, and starts early: when the caller has paused for a moment the VAD hands
out the speech so far, and if the pause turns out to be the end of the utterance that
recognition is already done (or under way) when the end is confirmed. Synthesis takes a slot
from a semaphore shared by all calls, so twenty calls on two cores queue instead of
thrashing. The dialog itself is behind the :class:`Dialog` protocol: this module knows
audio, not flows.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from civicline.twilio import media_messages as tm
from voice.audio.codec import ulaw_to_pcm16
from voice.audio.frames import Framer
from voice.events import Transcript

log = logging.getLogger(__name__)

ULAW_SILENCE = b"\xff"
DIGIT_PAUSE_S = 3.0  # between keys of a number typed on the keypad
LEAD_S = 0.06  # audio sent ahead of real time, so network jitter does not starve the line


@dataclass(frozen=True)
class Spoken:
    text: str
    language: str
    slow: bool = False


@dataclass(frozen=True)
class Reply:
    """What the dialog wants after an event: speak, then listen (or end the stream)."""

    speech: tuple[Spoken, ...] = ()
    listen_language: str = "en"
    timeout: float | None = 5.0
    """Silence after the prompt was heard before :meth:`Dialog.silence`; None: do not wait."""
    max_digits: int | None = None
    """Keys are collected until '#', this many, or a pause; None: one key is the answer."""
    phrases: tuple[str, ...] = ()
    end: bool = False
    """End the stream once the speech has played (transfer, hang-up)."""


class Dialog(Protocol):
    def begin(self, start: tm.Start) -> Reply: ...
    def heard(self, transcript: Transcript) -> Reply: ...
    def pressed(self, keys: str) -> Reply: ...
    def silence(self) -> Reply: ...
    def ended(self, reason: str) -> None: ...

    def preview(self, transcript: Transcript) -> Reply | None:
        """The reply an answer would get, changing nothing (None: no guess), so its first
        audio is made during the end-of-speech wait."""
        ...


class Detector(Protocol):
    """voice.audio.vad.EndOfSpeechDetector, or a scripted one in tests."""

    in_speech: bool

    def feed(self, samples: np.ndarray) -> list:
        """voice.audio.vad.Utterance objects: provisional (``final`` False) or final."""
        ...


@dataclass
class SpeechDeps:
    """The speech machinery one call needs; shared models behind plain callables."""

    detector: Callable[[], Detector]
    transcribe: Callable[[np.ndarray, int, str, Sequence[str]], Transcript]
    speak: Callable[[str, str, bool], Iterator[bytes]]
    """μ-law 8 kHz audio, sentence by sentence, so the first plays while the rest is made."""
    slots: threading.Semaphore = field(default_factory=lambda: threading.BoundedSemaphore(2))
    """Synthesis, a few at a time across calls."""
    recognisers: Executor = field(default_factory=lambda: ThreadPoolExecutor(2, thread_name_prefix="stt"))
    """Where ``transcribe`` runs, a few at a time across calls."""


@dataclass
class _Guess:
    """Recognition started on a pause, before the end of speech was confirmed."""

    start_s: float
    voiced_s: float
    reply: Reply
    future: Future
    dropped: bool = False
    """The caller went on, or the question changed: no reply is prepared from it."""

    def covers(self, utt, reply: Reply) -> bool:
        """Same speech (nothing said since the pause) heard under the same question."""
        return self.reply is reply and (self.start_s, self.voiced_s) == (utt.start_s, utt.voiced_s)

    def drop(self) -> None:
        self.dropped = True
        self.future.cancel()


class StreamCall:
    """The state of one stream. ``send`` writes a text message to the websocket."""

    def __init__(self, dialog: Dialog, deps: SpeechDeps, send: Callable[[str], None]) -> None:
        self.dialog, self.deps = dialog, deps
        self._send_raw, self._send_lock = send, threading.Lock()
        self.stream_sid: str | None = None
        self.closed = threading.Event()  # set: the transport must close the websocket
        self._jobs: queue.Queue = queue.Queue()
        self._detector: Detector | None = None
        self._reply = Reply(timeout=None)
        self._guess: _Guess | None = None  # for the utterance in progress
        self._digits, self._digit_at = "", 0.0
        self._ended = False
        self._player = _Player(self)
        self.errors: list[str] = []
        self.timing: dict[str, float] = {}  # the current turn's steps, for the log
        self._worker = threading.Thread(target=self._work, name="stream-worker", daemon=True)

    # ---- the transport's thread ------------------------------------------------------

    def handle(self, raw: str | bytes) -> None:
        msg = tm.parse(raw)
        if isinstance(msg, tm.ProtocolError):
            return self._bad(msg.reason)
        if isinstance(msg, tm.Connected):
            return None
        if isinstance(msg, tm.Start):
            if self.stream_sid is not None:
                return self._bad("a second start on the same stream")
            self.stream_sid = msg.stream_sid
            self._detector = self.deps.detector()
            self._worker.start()
            self._player.thread.start()
            self._jobs.put(("begin", msg))
            return None
        if self.stream_sid is None:
            return self._bad(f"{type(msg).__name__.lower()} before start")
        if msg.stream_sid != self.stream_sid:
            return self._bad(f"message for unknown stream {msg.stream_sid!r}")
        if isinstance(msg, tm.Media):
            return self._audio(msg.payload)
        if isinstance(msg, tm.Dtmf):
            self._barge_in()
            self._jobs.put(("key", msg.digit))
        elif isinstance(msg, tm.Mark):
            self._player.marked(msg.name)
        elif isinstance(msg, tm.Stop):
            self._jobs.put(("stop", "caller hung up"))
            self.closed.set()
        return None

    def transport_closed(self) -> None:
        """The websocket went away without a stop message."""
        self._jobs.put(("stop", "websocket closed"))
        self.closed.set()

    def _bad(self, reason: str) -> None:
        # Logged and skipped: Twilio or a proxy mangling one frame must not end the call.
        log.warning("stream %s: ignored message: %s", self.stream_sid, reason)
        self.errors.append(reason)

    def _audio(self, ulaw: bytes) -> None:
        if self._detector is None or self._ended:
            return
        utterances = self._detector.feed(ulaw_to_pcm16(ulaw))
        if self._detector.in_speech or utterances:
            self._barge_in()
        for utt in utterances:
            if not utt.final:
                self._guess_early(utt)
                continue
            self.timing = {"end_of_speech": time.monotonic()}
            guess, self._guess = self._guess, None
            self._jobs.put(("utterance", (utt, guess)))

    def _guess_early(self, utt) -> None:
        if self._digits:
            return
        if self._guess is not None:  # the caller went on after the last pause
            self._guess.drop()
        reply = self._reply
        guess = self._guess = _Guess(utt.start_s, utt.voiced_s, reply, self._recognise(utt, reply))
        guess.future.add_done_callback(lambda _f: self._prepare(guess))

    def _prepare(self, guess: _Guess) -> None:
        """The guess is recognised: make the first audio of the reply it would get."""
        if not guess.dropped and not guess.future.cancelled() and guess.future.exception() is None:
            threading.Thread(target=self._warm, args=(guess,), name="stream-prepare", daemon=True).start()

    def _warm(self, guess: _Guess) -> None:
        try:
            reply = self.dialog.preview(guess.future.result())
            if reply is None or not reply.speech or guess.dropped:  # the caller went on
                return
            first = reply.speech[0]
            with self.deps.slots:  # the audio lands in the cache the real reply reads
                next(iter(self.deps.speak(first.text, first.language, first.slow)), None)
        except Exception:  # only a head start: the real turn does the work if this fails
            log.exception("stream %s: preparing a reply failed", self.stream_sid)

    def _recognise(self, utt, reply: Reply) -> Future:
        return self.deps.recognisers.submit(
            self.deps.transcribe, utt.samples, utt.rate, reply.listen_language, reply.phrases
        )

    def _barge_in(self) -> None:
        if self._player.interrupt():
            self.send(tm.clear_message(self.stream_sid or ""))
        self._player.heard_at = None  # the caller is acting: no silence time-out now

    def send(self, message: str) -> None:
        if self.closed.is_set() and '"clear"' not in message:
            return
        with self._send_lock:
            try:
                self._send_raw(message)
            except Exception as exc:  # the caller is gone; the stop/close path ends the call
                log.info("stream %s: send failed: %s", self.stream_sid, exc)
                self.closed.set()

    # ---- the worker thread -----------------------------------------------------------

    def _work(self) -> None:
        while True:
            try:
                kind, item = self._jobs.get(timeout=0.1)
            except queue.Empty:
                self._check_timers()
                continue
            if kind == "stop":
                self._finish(item)
                return
            try:
                reply = self._run(kind, item)
            except Exception:  # a bug in one call: apologise via the dialog, never silence
                log.exception("stream %s: %s failed", self.stream_sid, kind)
                reply = None
            if reply is not None and not self._ended:
                self._start_reply(reply)

    def _run(self, kind: str, item: object) -> Reply | None:
        if kind == "begin":
            return self.dialog.begin(item)  # type: ignore[arg-type]
        if kind == "key":
            return self._key(str(item))
        if kind == "digits_done":
            digits, self._digits = self._digits, ""
            return self.dialog.pressed(digits) if digits else None
        if kind == "utterance":
            utt, guess = item  # type: ignore[misc]
            if self._digits:
                if guess is not None:
                    guess.drop()
                return None  # typing a number: speech in between is noise
            early = guess is not None and guess.covers(utt, self._reply)
            if guess is not None and not early:
                guess.drop()
            transcript = (guess.future if early else self._recognise(utt, self._reply)).result()
            self.timing["stt_end"] = time.monotonic()
            self.timing["early"] = float(early)
            log.debug("stream %s heard %.1f s: %r", self.stream_sid, len(utt.samples) / utt.rate, transcript.text)
            reply = self.dialog.heard(transcript)
            self.timing["dialog_end"] = time.monotonic()
            return reply
        if kind == "silence":
            return self.dialog.silence()
        return None

    def _key(self, digit: str) -> Reply | None:
        if self._reply.max_digits is None or (not self._digits and digit == "*"):
            return self.dialog.pressed(digit)  # one key, or "repeat" before any digit
        if digit != "#":
            self._digits += digit
            self._digit_at = time.monotonic()
        if digit == "#" or len(self._digits) >= self._reply.max_digits:
            digits, self._digits = self._digits, ""
            return self.dialog.pressed(digits + "#") if digits else None
        return None

    def _check_timers(self) -> None:
        deadline = self._player.end_deadline
        if deadline is not None and time.monotonic() > deadline:
            self.ended_by_us()
        if self._digits and time.monotonic() - self._digit_at > DIGIT_PAUSE_S:
            self._jobs.put(("digits_done", None))
            return
        heard, timeout = self._player.heard_at, self._reply.timeout
        in_speech = self._detector is not None and self._detector.in_speech
        waiting = heard is not None and timeout is not None and not in_speech and not self._digits
        if waiting and time.monotonic() - heard > timeout:  # type: ignore[operator]
            self._player.heard_at = None
            self._jobs.put(("silence", None))

    def _start_reply(self, reply: Reply) -> None:
        self._reply = reply
        self._digits = ""
        self._player.play(reply)

    def _finish(self, reason: str) -> None:
        if self._guess is not None:
            self._guess.drop()
        self._player.stop()
        if not self._ended:
            self._ended = True
            try:
                self.dialog.ended(reason)
            except Exception:
                log.exception("stream %s: ending the dialog failed", self.stream_sid)

    def log_turn(self) -> None:
        """How long each step of a spoken turn took (end of speech -> first reply frame)."""
        t = self.timing
        if "end_of_speech" not in t or "dialog_end" not in t:
            return
        now = time.monotonic()
        log.info(
            "stream %s turn: recognised %.0f ms after the end of speech (%s), dialog %.0f ms, synthesis %.0f ms, total %.0f ms",
            self.stream_sid, (t["stt_end"] - t["end_of_speech"]) * 1000, "started early" if t.get("early") else "started at the end",
            (t["dialog_end"] - t["stt_end"]) * 1000, (now - t["dialog_end"]) * 1000, (now - t["end_of_speech"]) * 1000,
        )
        self.timing = {}

    def ended_by_us(self) -> None:
        """The reply asked to end the stream (transfer, hang-up) and has played."""
        self._ended = True
        self.closed.set()
        self._jobs.put(("stop", "ended by the dialog"))


class _Player:
    """Paces a reply's audio out at real time; marks tell when the caller has heard it."""

    def __init__(self, call: StreamCall) -> None:
        self.call = call
        self.thread = threading.Thread(target=self._run, name="stream-player", daemon=True)
        self._replies: queue.Queue = queue.Queue()
        self._generation = 0
        self._lock = threading.Lock()
        self._playing = False
        self._pending_mark: str | None = None
        self._end_after_mark = False
        self._marks = 0
        self.heard_at: float | None = None  # when the caller finished hearing the last prompt
        self.end_deadline: float | None = None

    def play(self, reply: Reply) -> None:
        with self._lock:
            self._generation += 1
            self._replies.put((self._generation, reply))

    def interrupt(self) -> bool:
        """Drop what is playing; True when something was (so Twilio must clear its buffer)."""
        with self._lock:
            was = self._playing or self._pending_mark is not None
            if self._end_after_mark:
                return False  # a goodbye or transfer notice is not interruptible
            self._generation += 1
            self._playing, self._pending_mark = False, None
        if was:
            self.heard_at = time.monotonic()  # the prompt ends here for the silence clock
        return was

    def stop(self) -> None:
        self._replies.put((None, None))

    def marked(self, name: str) -> None:
        with self._lock:
            if name != self._pending_mark:
                return  # a mark from before a clear
            self._pending_mark = None
            end = self._end_after_mark
        self.heard_at = time.monotonic()
        if end:
            self.call.ended_by_us()

    def _run(self) -> None:
        while True:
            generation, reply = self._replies.get()
            if reply is None:
                return
            try:
                self._play(generation, reply)
            except Exception:
                log.exception("stream %s: playing a reply failed", self.call.stream_sid)
                if reply.end:
                    self.call.ended_by_us()

    def _play(self, generation: int, reply: Reply) -> None:
        sid = self.call.stream_sid or ""
        with self._lock:
            if generation != self._generation:
                return
            self._playing, self.heard_at = True, None
        pieces: queue.Queue = queue.Queue()
        threading.Thread(target=self._synthesise, args=(generation, reply, pieces), daemon=True).start()
        framer, start, sent = Framer(tm.FRAME_BYTES), 0.0, 0
        while (piece := pieces.get()) is not None:
            for frame in framer.push(piece):
                if sent == 0:
                    start = time.monotonic()
                if not self._pace(generation, start, sent):
                    return
                self.call.send(tm.media_message(sid, frame))
                if sent == 0:
                    self.call.log_turn()
                sent += 1
        last = framer.flush(ULAW_SILENCE)
        if last is not None and self._pace(generation, start, sent):
            self.call.send(tm.media_message(sid, last))
        with self._lock:
            if generation != self._generation:
                return
            self._marks += 1
            self._playing, self._pending_mark = False, f"prompt-{self._marks}"
            self._end_after_mark = reply.end
            name = self._pending_mark
        if reply.end:  # Twilio echoes the mark once played; if it never does, end anyway
            self.end_deadline = time.monotonic() + max(0.0, start + sent * 0.02 - time.monotonic()) + 3.0
        self.call.send(tm.mark_message(sid, name))

    def _synthesise(self, generation: int, reply: Reply, out: queue.Queue) -> None:
        """Sentence by sentence, ahead of the player, so the line never waits mid-reply."""
        try:
            for spoken in reply.speech:
                sentences = self.call.deps.speak(spoken.text, spoken.language, spoken.slow)
                while generation == self._generation:
                    with self.call.deps.slots:
                        piece = next(sentences, None)
                    if piece is None:
                        break
                    out.put(piece)
        except Exception:
            log.exception("stream %s: synthesis failed", self.call.stream_sid)
        finally:
            out.put(None)

    def _pace(self, generation: int, start: float, sent: int) -> bool:
        """Wait for frame ``sent``'s turn; False when the reply was interrupted meanwhile."""
        delay = start + sent * tm.FRAME_BYTES / tm.RATE - LEAD_S - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        return generation == self._generation and not self.call.closed.is_set()
