"""The paced player: a reply's audio goes out at real time (on the call's clock) in the
provider's frames, a little ahead so that network jitter does not starve the line, sentence
by sentence as synthesis makes it; a mark after each prompt tells when the caller has heard
it, and a barge-in drops the rest."""

from __future__ import annotations

import logging
import queue
import threading
from typing import TYPE_CHECKING

from voice.audio.frames import Framer
from voice.telephony.dialog import Reply

if TYPE_CHECKING:
    from voice.telephony.stream import StreamCall

log = logging.getLogger(__name__)

ULAW_SILENCE = b"\xff"
LEAD_S = 0.06  # audio sent ahead of real time, so network jitter does not starve the line
MARK_GRACE_S = 3.0  # after the last reply has played, how long its mark may take to come back


class Player:
    """Paces a reply's audio out at real time; marks tell when the caller has heard it."""

    def __init__(self, call: StreamCall) -> None:
        self.call, self.clock = call, call.clock
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
        """Drop what is playing; True when something was (so the provider must clear its buffer)."""
        with self._lock:
            was = self._playing or self._pending_mark is not None
            if self._end_after_mark:
                return False  # a goodbye or transfer notice is not interruptible
            self._generation += 1
            self._playing, self._pending_mark = False, None
        if was:
            self.heard_at = self.clock.now()  # the prompt ends here for the silence clock
        return was

    def stop(self) -> None:
        self._replies.put((None, None))

    def marked(self, name: str) -> None:
        with self._lock:
            if name != self._pending_mark:
                return  # a mark from before a clear
            self._pending_mark = None
            end = self._end_after_mark
        self.heard_at = self.clock.now()
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
                log.exception("stream %s: playing a reply failed", self.call.stream_id)
                if reply.end:
                    self.call.ended_by_us()

    def _play(self, generation: int, reply: Reply) -> None:
        sid, wire = self.call.stream_id or "", self.call.wire
        with self._lock:
            if generation != self._generation:
                return
            self._playing, self.heard_at = True, None
        pieces: queue.Queue = queue.Queue()
        threading.Thread(target=self._synthesise, args=(generation, reply, pieces), daemon=True).start()
        framer, start, sent = Framer(wire.frame_bytes), 0.0, 0
        while (piece := pieces.get()) is not None:
            for frame in framer.push(piece):
                if sent == 0:
                    start = self.clock.now()
                if not self._pace(generation, start, sent):
                    return
                self.call.send(wire.media(sid, frame))
                if sent == 0:
                    self.call.log_turn()
                sent += 1
        last = framer.flush(ULAW_SILENCE)
        if last is not None and self._pace(generation, start, sent):
            self.call.send(wire.media(sid, last))
        with self._lock:
            if generation != self._generation:
                return
            self._marks += 1
            self._playing, self._pending_mark = False, f"prompt-{self._marks}"
            self._end_after_mark = reply.end
            name = self._pending_mark
        if reply.end:  # the provider echoes the mark once played; if it never does, end anyway
            played_at = start + sent * wire.frame_bytes / wire.rate
            self.end_deadline = max(self.clock.now(), played_at) + MARK_GRACE_S
        self.call.send(wire.mark(sid, name))

    def _synthesise(self, generation: int, reply: Reply, out: queue.Queue) -> None:
        """Sentence by sentence, ahead of the player, so the line never waits mid-reply."""
        try:
            for spoken in reply.speech:
                sentences = self.call.deps.speak(spoken.text, spoken.language, spoken.slow)
                while generation == self._generation:
                    piece = next(sentences, None)
                    if piece is None:
                        break
                    out.put(piece)
        except Exception:
            log.exception("stream %s: synthesis failed", self.call.stream_id)
        finally:
            out.put(None)

    def _pace(self, generation: int, start: float, sent: int) -> bool:
        """Wait for frame ``sent``'s turn; False when the reply was interrupted meanwhile."""
        wire = self.call.wire
        delay = start + sent * wire.frame_bytes / wire.rate - LEAD_S - self.clock.now()
        if delay > 0:
            self.clock.wait(self.call.closed, delay)
        return generation == self._generation and not self.call.closed.is_set()
