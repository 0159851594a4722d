"""The dialog of a call's media stream, whichever provider carries it: the real-time loop's
events (voice.telephony) to the call session (civicline.calls) and its actions back to a
Reply; and the words the recogniser should expect, on a stream and in TwiML mode alike."""

from __future__ import annotations

import logging
from typing import Any

from flows.dialog.menu import menu_examples
from flows.session import Action, Ask, CallerHungUp, Expect, NoInput, Pressed, Said, Say, Step
from voice.events import StreamStarted, Transcript
from voice.stt.base import any_of
from voice.telephony.dialog import Reply, Spoken

log = logging.getLogger(__name__)
MAX_STREET_HINTS = 40  # Whisper's prompt is short; a big town needs a smarter choice


def recognition_hints(runtime: Any, ask: Ask | None, lang: str) -> tuple[str, ...]:
    """Words the recogniser should expect, on a stream and in TwiML mode alike: the options
    and, at a menu, one example of what callers say for each choice, or the town's street
    names when an address is asked (Whisper hears "rue Victor Hugo" far better that way).

    Measured at the demo town's main menu on questions worded unlike the catalog, each
    at 8 alignments (docs/voice.md): the right choice fr 17 → 20 of 24, es 22 → 24, en
    24 → 24 with the examples; three examples per choice were worse (en 16, es 16)."""
    if ask is None:
        return ()
    if ask.expect == Expect.LANGUAGE:  # the languages' own names: "français", "English", "español"
        return tuple(runtime.catalogs.render("lang.name", o.label).text for o in ask.options)
    if ask.slot_type == "address":
        try:
            streets = [names[0] for _, names in runtime.town.street_gazetteer() if names]
        except Exception:  # a town without a gazetteer
            streets = []
        return tuple(streets[:MAX_STREET_HINTS])
    labels = tuple(o.label for o in ask.options)
    return labels + menu_examples(runtime, ask.node, lang)



class CallDialog:
    """The stream loop's dialog: events to the Call, its actions to a Reply."""

    def __init__(self, tel: Any, kept: Any) -> None:
        self.tel, self.kept = tel, kept

    def _step(self, event: Any) -> Reply:
        with self.tel.in_progress.editing(self.kept):
            call = self.tel.phone_call(self.kept)
            if call.ended:
                return Reply(timeout=None, end=True)
            return self._reply(call.send(event).actions, call.state)

    def begin(self, start: StreamStarted) -> Reply:
        with self.tel.in_progress.editing(self.kept):
            call = self.tel.phone_call(self.kept)
            if self.kept.pending:  # a stream after a failed transfer or a broken stream
                actions, self.kept.pending = self.kept.pending, []
                return self._reply(actions, call.state)
            if self.kept.state is not None:  # a second stream for a call already running
                return self._reply(call.send(Pressed("*")).actions, call.state)
            step: Step = call.start()
            return self._reply(step.actions, call.state)

    def heard(self, transcript: Transcript) -> Reply:
        return self._step(Said(transcript.text, transcript.language, transcript.confidence))

    def preview(self, transcript: Transcript) -> Reply | None:
        """The reply this answer would get, computed ahead and recorded nowhere, so its audio
        can be made while the end of speech is still being confirmed."""
        with self.kept.lock:
            call = self.tel.phone_call(self.kept)
            if call.ended or call.state is None:
                return None
            step = call.preview(Said(transcript.text, transcript.language, transcript.confidence))
        return self._reply(step.actions, step.state)

    def pressed(self, keys: str) -> Reply:
        return self._step(Pressed(keys))

    def silence(self) -> Reply:
        return self._step(NoInput())

    def ended(self, reason: str) -> None:
        with self.tel.in_progress.editing(self.kept):
            call = self.tel.phone_call(self.kept)
            if not call.ended:
                log.info("call %s: %s", self.kept.call_sid, reason)
                call.send(CallerHungUp())

    @staticmethod
    def listen_language(ask: Ask | None, state: Any, lang: str) -> str:
        """The call's language, or any of several where the caller may answer in another:
        the language question (its options are the enabled languages), and the offer to
        switch, which is made in the new language. Recognition then says which it heard
        (``Transcript.language``, passed on as ``Said.lang``)."""
        if ask is not None and ask.expect == Expect.LANGUAGE:
            return any_of([lang, *(o.label for o in ask.options)])
        if ask is not None and ask.node == "@switch" and state is not None:
            offer = state.switch_offer
            return any_of([lang, offer.to]) if offer is not None else lang
        return lang

    def _reply(self, actions: list[Action], state: Any) -> Reply:
        runtime = self.tel.runtime(self.kept)
        lang = (state.lang if state else None) or runtime.main_language
        ask = next((a for a in reversed(actions) if isinstance(a, Ask)), None)
        speech = tuple(Spoken(a.text, a.lang, a.slow) for a in actions if isinstance(a, Say))
        return Reply(
            speech=speech,
            listen_language=self.listen_language(ask, state, lang),
            timeout=ask.timeout if ask else None,
            max_digits=ask.max_digits if ask else None,
            phrases=recognition_hints(runtime, ask, lang),
            end=bool(state and state.ended),
        )
