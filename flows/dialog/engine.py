"""The call engine: ``step(state, event) -> Step``.

Safety comes first: a caller who speaks of an emergency, at any question, is told to hang up
and call the emergency number (flows.dialog.emergency). The accessibility rules live here,
once, rather than in every flow: `0` reaches a person,
`*` repeats, `9` slows the voice down, and a caller who is not understood hears the
prompt again, then the keypad options, then the offer of a person, and is never left in
silence. Nodes that wait for the caller (menu, ask, confirm) end a step; the others run
straight through.
"""

from __future__ import annotations

import copy
import logging
from datetime import datetime

from flows.dialog import emergency, text_copy
from flows.dialog.answers import Answer, Moved
from flows.dialog.escalation import (
    CALLBACK_FLOW,
    context,
    fail_to_person,
    hang_up,
    not_understood,
    summary,
    to_person,
)
from flows.dialog.kinds import answer
from flows.dialog.language import ask_language
from flows.dialog.turn import Turn
from flows.loader import ENTRY
from flows.model import AskNode
from flows.runtime import Runtime
from flows.session import (
    VOICE,
    CallerHungUp,
    Event,
    Expect,
    NoInput,
    Pressed,
    SessionState,
    StaffRequest,
    Step,
)
from nlu.numbers import lone_number
from nlu.text import fold

log = logging.getLogger(__name__)

PERSON = "0"
REPEAT = "*"
SLOWER = "9"
SOURCE = "#"  # where the last answer comes from (a key no menu uses)
APOLOGIES = ("common.not_understood", "common.no_input", "common.error")


class Engine:
    """Stateless: all call state is in SessionState, so one engine serves every call."""

    def __init__(self, runtime: Runtime):
        self.runtime = runtime

    def start(
        self,
        call_id: str,
        now: datetime,
        *,
        caller: str | None = None,
        language: str | None = None,
        channel: str = VOICE,
    ) -> Step:
        """``channel``: voice, sms or chat; on a written channel prompts take their written
        wording (``KEY.text`` in the catalogs) and the voice-only rules (9: slower) are off."""
        state = SessionState(
            call_id=call_id,
            started_at=now.isoformat(),
            caller=caller,
            flow_version=self.runtime.flows.version,
            channel=channel,
        )
        turn = Turn(self.runtime, state, now)
        lang = language or self.runtime.fixed_language
        if lang is None and len(self.runtime.languages) == 1:
            lang = self.runtime.languages[0]
        if lang:
            state.lang = lang
            turn.goto(ENTRY)
        else:
            ask_language(turn)
        return turn.result()

    def transfer_failed(self, state: SessionState, now: datetime, status: str) -> Step:
        """The person did not answer (busy, no-answer, failed): the call goes on in the
        town's callback flow, as after office hours; without one, a callback request to
        the caller's number is stored and the caller told so."""
        state = copy.deepcopy(state)
        state.ended, state.outcome = False, None
        turn = Turn(self.runtime, state, now)
        reason = "transfer_" + status.replace("-", "_")
        if CALLBACK_FLOW in self.runtime.flows.nodes:
            state.slots["transfer_reason"] = reason
            turn.goto(CALLBACK_FLOW)
        else:
            turn.say("common.error")
            details = {"number": state.caller, "reason": reason, "summary": summary(turn, context(turn))}
            turn.actions.append(StaffRequest("callback", details))
            state.outcome = "callback"
            hang_up(turn, "common.goodbye", reason)
        return turn.result()

    def step(self, state: SessionState, event: Event, now: datetime) -> Step:
        state = copy.deepcopy(state)
        turn = Turn(self.runtime, state, now)
        if state.ended:
            return turn.result()
        try:
            turn.goto(handle(turn, event))
        except Exception:  # the caller must never be left in silence by our bug
            log.exception("call %s: engine failure at %s on %r", state.call_id, state.node, event)
            turn.actions.clear()
            turn.goto(fail_to_person(turn, "engine_error"))
        return turn.result()


def handle(turn: Turn, event: Event) -> str | None:
    """One event: the node to run next, or None when the turn stops here."""
    state = turn.state
    if isinstance(event, CallerHungUp):
        state.ended = True
        state.outcome = state.outcome or "abandoned"
        return None
    if isinstance(event, NoInput):
        if state.node == emergency.NODE:
            return emergency.silence(turn)
        node = turn.rt.flows.nodes.get(state.node)
        if isinstance(node, AskNode) and "no_input" in node.on:
            return node.on["no_input"]  # an optional question: silence is an answer
        state.no_inputs += 1
        return not_understood(turn, "common.no_input")
    state.no_inputs = 0
    if isinstance(event, Pressed):
        key = event.key.strip()
        if key.endswith("#") and len(key) > 1:
            key = key[:-1]
        if state.node == emergency.NODE and key in (*emergency.PERSON_KEYS, "2"):
            return emergency.answer(turn, Answer(key=key))
        moved = global_key(turn, key)
        return moved.next if moved is not None else answer(turn, Answer(key=key))
    text = (event.text or "").strip()
    if not text:
        state.no_inputs += 1
        if state.node == emergency.NODE:
            return emergency.silence(turn)
        return not_understood(turn, "common.no_input")
    # Safety first: an emergency, at any question, in any enabled language.
    alarm = emergency.heard(turn, text)
    if alarm is not None and alarm.sure:
        return emergency.raise_alarm(turn, alarm, text)
    if alarm is not None:  # maybe an emergency: the number first, then the answer asked for
        emergency.notice(turn, alarm)
    said = said_key(turn, text)
    if said is not None:  # "tres", "il tre", "zero", "dièse": a key said aloud where keys are asked
        return handle(turn, Pressed(said))
    if not state.node.startswith("@"):
        if greeted(turn, text):
            return None
        moved = global_words(turn, text)
        if moved is not None:
            return moved.next
    return answer(turn, Answer(text=text))


# Where the caller is asked to press a key, a key said aloud is that key: the menu's
# choices, the pick's candidates, yes (1) and no (2), a language, and the keys that do the
# same everywhere. Never at a question for a value (a house number, a date).
_KEYED = (Expect.CHOICE, Expect.PICK, Expect.YES_NO, Expect.LANGUAGE)


def said_key(turn: Turn, text: str) -> str | None:
    ask = turn.state.last_ask
    if ask is None or ask.expect not in _KEYED:
        return None
    keys = {o.key for o in ask.options} | {PERSON}
    if ask.expect == Expect.YES_NO:
        keys |= {"1", "2"}
    keypad = turn.rt.catalogs[turn.lang].keypad
    named = {fold(keypad.get("star", "")): REPEAT, fold(keypad.get("pound", "")): SOURCE}
    named.pop("", None)
    if fold(text) in named:
        return named[fold(text)]
    # At the language menu the caller may count in any of the languages offered.
    langs = [o.label for o in ask.options] if ask.expect == Expect.LANGUAGE else [turn.lang]
    for lang in dict.fromkeys([turn.lang, *langs]):
        number = lone_number(text, lang) if lang in turn.rt.catalogs.languages else None
        if number is not None:
            return str(number) if str(number) in keys else None
    return None


def greeted(turn: Turn, text: str) -> bool:
    """A greeting alone ("bonjour", "buenas tardes") is greeted back and the question asked
    again: nothing was asked yet, and it is never a goodbye. "ciao" and "salut" are both:
    after an answer, they take leave."""
    if not turn.understanding.greeting_only(text, turn.lang):
        return False
    if turn.state.last_answer is not None and turn.understanding.global_intent(text, turn.lang) == "goodbye":
        return False
    turn.intent = "greeting"
    turn.say("common.hello")
    for said in [s for s in turn.state.last_said if s.key not in APOLOGIES][-1:]:
        turn.say_again(said)
    turn.reask()
    return True


def global_key(turn: Turn, key: str) -> Moved | None:
    """0, *, 9 and # do the same everywhere (9 on the phone only), and 7 after an answer asks
    for a copy by text message where the question waiting has no 7; None for any other key."""
    if key == PERSON:
        turn.intent = "human"
        return Moved(to_person(turn, "caller_asked"))
    if key == REPEAT:
        turn.intent = "repeat"
        repeat(turn)
        return Moved(None)
    if key == SLOWER and turn.state.node != "@language" and not turn.written:
        turn.intent = "slower"
        slower(turn)
        return Moved(None)
    if key == text_copy.KEY and text_copy.key_free(turn) and (moved := copy_asked(turn)) is not None:
        return moved
    if key == SOURCE:
        turn.intent = "source"
        sources(turn)
        return Moved(None)
    return None


def global_words(turn: Turn, text: str) -> Moved | None:
    """Asking for a person, to repeat, to slow down, where an answer comes from, or saying
    goodbye, at any question."""
    ask = turn.state.last_ask
    if ask is not None and ask.slot_type == "text" and not _requests_heard(turn, text):
        return None  # free text is the caller's own words, whatever they are
    intent = turn.understanding.global_intent(text, turn.lang)
    if intent is None or (intent == "slower" and turn.written):
        return None
    if intent == text_copy.INTENT:
        return copy_asked(turn)
    turn.intent = intent
    if intent == "human":
        return Moved(to_person(turn, "caller_asked"))
    if intent == "repeat":
        repeat(turn)
    elif intent == "slower":
        slower(turn)
    elif intent == "source":
        sources(turn)
    elif intent == "goodbye":
        hang_up(turn, "common.goodbye", "caller_goodbye")
    return Moved(None)


def _requests_heard(turn: Turn, text: str) -> bool:
    """At a free-text question that hears requests (``requests_heard``), a sentence that
    names no object of the sorting guide: "a piano" or "a desk" are objects to pick up, never
    "slower" or "the front desk"."""
    node = turn.rt.flows.nodes.get(turn.state.node)
    return bool(getattr(node, "requests_heard", False)) and turn.understanding.sorting_object(text, turn.lang) is None


def copy_asked(turn: Turn) -> Moved | None:
    """An SMS copy asked for (key or words): offered after an answer; before one, what it is
    for; None where copies are not offered (the key or words are then the question's)."""
    if text_copy.available(turn):
        return Moved(text_copy.offer(turn))
    if text_copy.too_early(turn):
        text_copy.explain_too_early(turn)
        return Moved(None)
    return None


def repeat(turn: Turn) -> None:
    # The apology of a failed turn is not worth hearing twice; the question is.
    said = [s for s in turn.state.last_said if s.key not in APOLOGIES]
    if not said:
        turn.say("common.repeat_nothing")
    for item in said:
        turn.say_again(item)
    turn.reask()


def sources(turn: Turn) -> None:
    """The source of the last answer and the day it was checked, then the question again."""
    question = [s for s in turn.state.last_said if s.key not in APOLOGIES][-1:]
    given = turn.state.last_answer
    if given is not None and given.sources:
        turn.say_sources(list(given.sources), asked=True)
    else:
        turn.say("common.source_none")
    for said in question:
        turn.say_again(said)
    turn.reask()


def slower(turn: Turn) -> None:
    turn.state.slow = True
    turn.say("common.slower")
    for said in turn.state.last_said[-1:]:
        turn.say_again(said)
    turn.reask()
