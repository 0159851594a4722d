"""Early recognition: when the caller pauses for a moment, the VAD hands out the speech so
far and recognition starts on it (a :class:`Guess`). If the pause turns out to be the end of
the utterance, that recognition is already done or under way when the end is confirmed; once
it is done, the first audio of the reply it would get is made ahead, into the audio cache
the real reply reads."""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future
from dataclasses import dataclass

from voice.audio.vad import Utterance
from voice.events import Transcript
from voice.telephony.dialog import Dialog, Reply
from voice.telephony.speech import SpeechDeps

log = logging.getLogger(__name__)


def recognise(deps: SpeechDeps, utt: Utterance, reply: Reply) -> Future[Transcript]:
    """Recognition of an utterance under a question, on the pool shared by all calls."""
    return deps.recognisers.submit(deps.transcribe, utt.samples, utt.rate, reply.listen_language, reply.phrases)


@dataclass
class Guess:
    """Recognition started on a pause, before the end of speech was confirmed."""

    start_s: float
    voiced_s: float
    reply: Reply
    future: Future[Transcript]
    dropped: bool = False
    """The caller went on, or the question changed: no reply is prepared from it."""

    @classmethod
    def start(cls, deps: SpeechDeps, utt: Utterance, reply: Reply) -> Guess:
        return cls(utt.start_s, utt.voiced_s, reply, recognise(deps, utt, reply))

    def covers(self, utt: Utterance, reply: Reply) -> bool:
        """Same speech (nothing said since the pause) heard under the same question."""
        return self.reply is reply and (self.start_s, self.voiced_s) == (utt.start_s, utt.voiced_s)

    def drop(self) -> None:
        self.dropped = True
        self.future.cancel()


def prepare_reply(guess: Guess, dialog: Dialog, deps: SpeechDeps, stream_sid: str | None) -> None:
    """Once the guess is recognised, make the first audio of the reply it would get."""

    def recognised(_future: Future[Transcript]) -> None:
        if not guess.dropped and not guess.future.cancelled() and guess.future.exception() is None:
            threading.Thread(target=_warm, args=(guess, dialog, deps, stream_sid), name="stream-prepare", daemon=True).start()

    guess.future.add_done_callback(recognised)


def _warm(guess: Guess, dialog: Dialog, deps: SpeechDeps, stream_sid: str | None) -> None:
    try:
        reply = dialog.preview(guess.future.result())
        if reply is None or not reply.speech or guess.dropped:  # the caller went on
            return
        first = reply.speech[0]
        # The audio lands in the cache the real reply reads.
        next(iter(deps.speak(first.text, first.language, first.slow)), None)
    except Exception:  # only a head start: the real turn does the work if this fails
        log.exception("stream %s: preparing a reply failed", stream_sid)
