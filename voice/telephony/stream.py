"""One call's media stream, whichever provider carries it: μ-law in -> end of speech ->
recognition -> the dialog -> synthesis -> paced μ-law frames out, with a mark after
each prompt and a clear when the caller barges in. The provider's messages are read and
written by the :class:`~voice.telephony.wire.WireFormat` the call is given.

Three threads per call, so nothing one call does can stall another: the transport's thread
feeds :meth:`StreamCall.handle` (parsing, μ-law decoding and the VAD, all cheap); a worker
runs the dialog in order; a player paces audio out at real time. Recognition runs on a pool
shared by all calls, and starts early: when the caller has paused for a moment the VAD hands
out the speech so far, and if the pause turns out to be the end of the utterance that
recognition is already done (or under way) when the end is confirmed. Synthesis (``SpeechDeps.speak``)
takes a slot from a semaphore shared by all calls, so twenty calls on two cores queue
instead of thrashing; audio already in the cache takes none. The dialog itself is behind the :class:`~voice.telephony.dialog.Dialog`
protocol: the loop knows audio, not flows.

This module holds :class:`StreamCall` (the transport's side and the worker) and the worker's
jobs; the paced player is in :mod:`voice.telephony.player`, early recognition in
:mod:`voice.telephony.early`, the time it all keeps in :mod:`voice.telephony.clock`.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass

from voice.audio.codec import ulaw_to_pcm16
from voice.audio.vad import Utterance
from voice.events import (
    AudioReceived,
    KeyPressed,
    MarkPlayed,
    ProtocolError,
    StreamEvent,
    StreamStarted,
    StreamStopped,
)
from voice.telephony.clock import SYSTEM_CLOCK, Clock
from voice.telephony.dialog import Dialog, Reply
from voice.telephony.early import Guess, prepare_reply, recognise
from voice.telephony.player import Player
from voice.telephony.speech import Detector, SpeechDeps
from voice.telephony.wire import WireFormat

log = logging.getLogger(__name__)

DIGIT_PAUSE_S = 3.0  # between keys of a number typed on the keypad
TICK_S = 0.1  # how often an idle worker looks at its timers
MAX_ERRORS_KEPT = 100  # a flood of bad messages is logged, not kept


# ---- the worker's jobs: what happened on the stream, handled one at a time in order ------


@dataclass(frozen=True)
class Begin:
    """The stream started: the dialog greets the caller."""

    start: StreamStarted


@dataclass(frozen=True)
class Key:
    """The caller pressed a key."""

    digit: str
    at: float
    """When it came in, on the call's clock: the pause that ends a number runs from here."""


@dataclass(frozen=True)
class DigitsDone:
    """The caller paused while typing a number: what was typed so far is the answer."""


@dataclass(frozen=True)
class SpeechEnded:
    """The caller finished an utterance."""

    utterance: Utterance
    guess: Guess | None
    """Recognition started on the utterance's last pause, if any."""


@dataclass(frozen=True)
class Silence:
    """The caller said and pressed nothing for the reply's time-out after hearing it."""


@dataclass(frozen=True)
class Finish:
    """The stream ends: the caller hung up, the transport went away, or the dialog ended it."""

    reason: str


Job = Begin | Key | DigitsDone | SpeechEnded | Silence | Finish


class StreamCall:
    """The state of one stream. ``send`` writes a text message to the transport (the
    websocket); ``wire`` is the provider's format of the messages both ways; ``clock`` keeps
    the time of the pace, the pauses and the time-outs."""

    def __init__(
        self, dialog: Dialog, deps: SpeechDeps, send: Callable[[str], None], *, wire: WireFormat, clock: Clock = SYSTEM_CLOCK
    ) -> None:
        self.dialog, self.deps, self.wire, self.clock = dialog, deps, wire, clock
        self._send_raw, self._send_lock = send, threading.Lock()
        self.stream_id: str | None = None
        self.closed = threading.Event()  # set: the transport must close the websocket
        self.finished = threading.Event()  # set: the dialog has been told the stream ended
        self._jobs: queue.Queue[Job] = queue.Queue()
        self._wake = threading.Event()  # set with each job, so the worker's wait ends
        self._detector: Detector | None = None
        self._reply = Reply(timeout=None)
        self._guess: Guess | None = None  # for the utterance in progress
        self._digits, self._digit_at = "", 0.0
        self._ended = False
        self._player = Player(self)
        self.errors: list[str] = []  # the first MAX_ERRORS_KEPT reasons
        self.bad_messages = 0
        self.timing: dict[str, float] = {}  # the current turn's steps, for the log
        self._worker = threading.Thread(target=self._work, name="stream-worker", daemon=True)

    # ---- the transport's thread ------------------------------------------------------

    def handle(self, raw: str | bytes) -> None:
        """One inbound message of the stream, in the wire format the call was given. Never
        raises: a message that cannot be used, whatever the reason, is skipped and counted
        in :attr:`errors`, and the call goes on."""
        try:
            event = self.wire.parse(raw)
        except Exception as exc:  # a wire format that breaks its promise still only loses a frame
            event = ProtocolError(f"unusable message: {type(exc).__name__}")
        try:
            self._handle(event)
        except Exception as exc:  # a bug on one message must not end the call
            log.exception("stream %s: a message could not be handled", self.stream_id)
            self._bad(f"{type(exc).__name__} while handling a message")

    def _handle(self, event: StreamEvent | ProtocolError | None) -> None:
        match event:
            case None:
                return None
            case ProtocolError():
                return self._bad(event.reason)
            case StreamStarted():
                return self._start(event)
        if self.stream_id is None:
            return self._bad(f"{type(event).__name__} before the stream started")
        if event.stream_id != self.stream_id:
            return self._bad(f"message for unknown stream {event.stream_id!r}")
        match event:
            case AudioReceived():
                self._audio(event.ulaw)
            case KeyPressed():
                self._barge_in()
                self._put(Key(event.digit, self.clock.now()))
            case MarkPlayed():
                self._player.marked(event.name)
            case StreamStopped():
                self._put(Finish("caller hung up"))
                self.closed.set()
        return None

    def _start(self, start: StreamStarted) -> None:
        if self.stream_id is not None:
            return self._bad("a second start on the same stream")
        self.stream_id = start.stream_id
        self._detector = self.deps.detector()
        self._worker.start()
        self._player.thread.start()
        self._put(Begin(start))
        return None

    def transport_closed(self) -> None:
        """The websocket went away without a stop message."""
        self._put(Finish("websocket closed"))
        self.closed.set()

    def _bad(self, reason: str) -> None:
        # Logged and skipped: the provider or a proxy mangling one frame must not end the call.
        # A flood of bad messages is counted, not logged or kept one by one.
        self.bad_messages += 1
        if len(self.errors) < MAX_ERRORS_KEPT:
            log.warning("stream %s: ignored message: %s", self.stream_id, reason)
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
            self.timing = {"end_of_speech": self.clock.now()}
            guess, self._guess = self._guess, None
            self._put(SpeechEnded(utt, guess))

    def _guess_early(self, utt: Utterance) -> None:
        if self._digits:
            return
        if self._guess is not None:  # the caller went on after the last pause
            self._guess.drop()
        self._guess = Guess.start(self.deps, utt, self._reply)
        prepare_reply(self._guess, self.dialog, self.deps, self.stream_id)

    def _barge_in(self) -> None:
        if self._player.interrupt():
            # Even on a closing stream: the provider must drop the audio it has buffered.
            self._write(self.wire.clear(self.stream_id or ""))
        self._player.heard_at = None  # the caller is acting: no silence time-out now

    def send(self, message: str) -> None:
        """Write a message to the transport, unless the stream is closing."""
        if not self.closed.is_set():
            self._write(message)

    def _write(self, message: str) -> None:
        with self._send_lock:
            try:
                self._send_raw(message)
            except Exception as exc:  # the caller is gone; the stop/close path ends the call
                log.info("stream %s: send failed: %s", self.stream_id, exc)
                self.closed.set()

    # ---- the worker thread -----------------------------------------------------------

    def _put(self, job: Job) -> None:
        self._jobs.put(job)
        self._wake.set()

    def _work(self) -> None:
        try:
            while True:
                self._wake.clear()
                try:
                    job = self._jobs.get_nowait()
                except queue.Empty:
                    self._check_timers()
                    self.clock.wait(self._wake, TICK_S)
                    continue
                if isinstance(job, Finish):
                    self._finish(job.reason)
                    return
                try:
                    reply = self._run(job)
                except Exception:  # a bug in one call: apologise via the dialog, never silence
                    log.exception("stream %s: %s failed", self.stream_id, type(job).__name__)
                    reply = None
                if reply is not None and not self._ended:
                    self._start_reply(reply)
        finally:
            self.finished.set()

    def _run(self, job: Job) -> Reply | None:
        match job:
            case Begin(start):
                return self.dialog.begin(start)
            case Key(digit, at):
                return self._key(digit, at)
            case DigitsDone():
                digits, self._digits = self._digits, ""
                return self.dialog.pressed(digits) if digits else None
            case SpeechEnded(utterance, guess):
                return self._heard(utterance, guess)
            case Silence():
                return self.dialog.silence()
        return None

    def _heard(self, utt: Utterance, guess: Guess | None) -> Reply | None:
        if self._digits:
            if guess is not None:
                guess.drop()
            return None  # typing a number: speech in between is noise
        early = guess is not None and guess.covers(utt, self._reply)
        if guess is not None and not early:
            guess.drop()
        transcript = (guess.future if guess is not None and early else recognise(self.deps, utt, self._reply)).result()
        self.timing["stt_end"] = self.clock.now()
        self.timing["early"] = float(early)
        log.debug("stream %s heard %.1f s: %r", self.stream_id, len(utt.samples) / utt.rate, transcript.text)
        reply = self.dialog.heard(transcript)
        self.timing["dialog_end"] = self.clock.now()
        return reply

    def _key(self, digit: str, at: float) -> Reply | None:
        if self._reply.max_digits is None or (not self._digits and digit == "*"):
            return self.dialog.pressed(digit)  # one key, or "repeat" before any digit
        if digit != "#":
            self._digits += digit
            self._digit_at = at
        if digit == "#" or len(self._digits) >= self._reply.max_digits:
            digits, self._digits = self._digits, ""
            return self.dialog.pressed(digits + "#") if digits else None
        return None

    def _check_timers(self) -> None:
        deadline = self._player.end_deadline
        if deadline is not None and self.clock.now() > deadline:
            self.ended_by_us()
        if self._digits and self.clock.now() - self._digit_at > DIGIT_PAUSE_S:
            self._put(DigitsDone())
            return
        heard, timeout = self._player.heard_at, self._reply.timeout
        if heard is None or timeout is None or self._digits:
            return
        in_speech = self._detector is not None and self._detector.in_speech
        if not in_speech and self.clock.now() - heard > timeout:
            self._player.heard_at = None
            self._put(Silence())

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
                log.exception("stream %s: ending the dialog failed", self.stream_id)

    def log_turn(self) -> None:
        """How long each step of a spoken turn took (end of speech -> first reply frame)."""
        t = self.timing
        if "end_of_speech" not in t or "dialog_end" not in t:
            return
        now = self.clock.now()
        log.info(
            "stream %s turn: recognised %.0f ms after the end of speech (%s), dialog %.0f ms, synthesis %.0f ms, total %.0f ms",
            self.stream_id, (t["stt_end"] - t["end_of_speech"]) * 1000, "started early" if t.get("early") else "started at the end",
            (t["dialog_end"] - t["stt_end"]) * 1000, (now - t["dialog_end"]) * 1000, (now - t["end_of_speech"]) * 1000,
        )
        self.timing = {}

    def ended_by_us(self) -> None:
        """The reply asked to end the stream (transfer, hang-up) and has played."""
        self._ended = True
        self.closed.set()
        self._put(Finish("ended by the dialog"))
