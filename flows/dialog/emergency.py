"""`@emergency`: a caller who speaks of an emergency, at any point of a call, is told at once
to hang up and call the emergency number, is offered a person, and the call goes on the
staff's review list. Never a menu: the only question is whether they want a person; "no"
(it was not an emergency) takes them back to the question they were at. A sentence that only
may speak of one (nlu.emergency: a notice) hears the number first, with a person offered in
the same sentence ("or press 0 for a person"), then its answer; a caller who then asks for a
person is put through as an emergency and the call is flagged (`flows.dialog.escalation`)."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from flows.dialog.answers import NO_KEY, YES_KEY, YES_NO_OPTIONS, Answer, yes_no
from flows.dialog.escalation import context, hang_up, human_line, is_open, transfer
from flows.dialog.language import ask_language
from flows.dialog.review_reasons import review
from flows.loader import ENTRY
from flows.session import Ask, Expect

if TYPE_CHECKING:
    from flows.dialog.turn import Turn

NODE = "@emergency"
BY_TEXT = "emergency.by_text"
PERSON_KEYS = (YES_KEY, "0")
MAX_SILENCES = 2  # then the call ends, so the line is free to dial the emergency number


def numbers(turn: Turn, kind: str, lang: str) -> dict[str, str]:
    """The numbers to say, as written and digit by digit (each catalog says which it uses:
    "le 15" in French, "one one two" in English)."""
    town_numbers = getattr(turn.rt.town, "emergency", None)
    general = getattr(town_numbers, "general", None) or "112"
    number = town_numbers.number(kind) if town_numbers is not None else general
    also = "" if number == general else turn.text("emergency.or", lang, general=general,
                                                   general_digits=_digits(general))
    return {"number": number, "number_digits": _digits(number), "general": general,
            "general_digits": _digits(general), "also": also}


def _digits(number: str) -> str:
    return " ".join(c for c in number if c.isdigit() or c == "+")


def advise(turn: Turn, kind: str, languages: list[str]) -> None:
    """"Hang up now and call 18, the fire brigade, or 112", in each language given."""
    for lang in languages:
        key = f"emergency.{kind}" if turn.rt.catalogs[lang].has(f"emergency.{kind}") else "emergency.general"
        turn.say(key, lang, **numbers(turn, kind, lang))
        by_text(turn, lang)


def by_text(turn: Turn, lang: str) -> None:
    """In writing, after the advice, the number the emergency services take text messages on
    (town.yaml ``emergency: text_number``): who writes may be deaf or unable to speak, and
    cannot make the call the advice asks for. Every written channel gets it from here; by
    voice the caller can speak, so it is not said."""
    number = getattr(getattr(turn.rt.town, "emergency", None), "text_number", None)
    if turn.written and number:
        turn.say(BY_TEXT, lang, text_number=number)


def notice(turn: Turn, alarm: Any) -> None:
    """A sentence that may speak of an emergency, not surely ("the smoke of my neighbour's
    bonfire"): the emergency number is said first, and a person offered in the same sentence
    while the town hall's line is open (0, a key every question already takes), then the call
    goes on with its answer: no question, no flag, one clause more for an ordinary caller. A
    caller who then asks for a person is put through as an emergency and flagged
    (``emergency_noticed``; `flows.dialog.escalation.to_person`)."""
    general = numbers(turn, "general", turn.lang)
    turn.say("emergency.notice", **general, person=turn.text("emergency.notice_person") if person_open(turn) else "")
    by_text(turn, turn.lang)
    if turn.state.emergency is None:
        turn.state.emergency_noticed = alarm.kind


def person_open(turn: Turn) -> bool:
    """Can a person take the call now (a town without hours for its line: always)?"""
    line = human_line(turn, "main")
    return line is None or is_open(line, turn.now)


def raise_alarm(turn: Turn, alarm: Any, text: str) -> str | None:
    """The caller's sentence spoke of an emergency (an nlu.emergency.Alarm)."""
    state = turn.state
    first = state.emergency is None
    if state.lang is None:
        # Not yet asked which language: the one the words were in, or the sentence's own.
        heard_in = alarm.language or turn.understanding.language_of(text)
        state.lang = heard_in if heard_in in turn.rt.languages else turn.rt.main_language
    languages = [state.lang]
    if alarm.language and alarm.language != state.lang and alarm.language in turn.rt.languages:
        languages.insert(0, alarm.language)  # said in another language: answered in it first
    turn.remember("emergency", None)
    state.retries = 0
    if first:
        state.emergency = alarm.kind
        if state.node != NODE:
            state.emergency_return = {"node": state.node}
        turn.actions.append(review("emergency", {**context(turn), "heard": text, "evidence": alarm.evidence},
                                   item_kind="emergency", kind=alarm.kind, by=alarm.by))
    advise(turn, alarm.kind, languages)
    return offer(turn)


def offer(turn: Turn) -> str | None:
    """A person when the town hall's line is open; after hours, nobody can take the call."""
    if not person_open(turn):
        turn.say("emergency.closed")
        turn.say("emergency.go_on")
    else:
        turn.say("emergency.offer_person")
    turn.state.node = NODE
    turn.ask(Ask(Expect.YES_NO, NODE, YES_NO_OPTIONS))
    return None


SHAPED_SLOTS = ("address", "date", "number", "phone")
"""Answers with a shape of their own: a sentence that has it answers the question."""


def heard(turn: Turn, text: str) -> Any:
    """The nlu.emergency.Alarm in what the caller said, or None. Where the question waits
    for an answer of a given shape and the sentence has it ("I live at 12 rue Victor Hugo"
    at the address question: "live" is near "I do not want to live" for the encoder), the
    meaning alone counts one level less: sure, a notice (the number is still said); unsure,
    nothing. Emergency words count as anywhere."""
    if decided(turn, text):
        return None
    alarm = turn.understanding.emergency(text, turn.state.lang)
    if alarm is None or alarm.by != "meaning" or not answers_the_question(turn, text):
        return alarm
    return replace(alarm, level="notice") if alarm.sure else None


def answers_the_question(turn: Turn, text: str) -> bool:
    """Is the sentence an answer of the shape the waiting question asks for: yes or no, an
    address, a date, a number, a phone number?"""
    ask = turn.state.last_ask
    if ask is None:
        return False
    if ask.expect is Expect.YES_NO:
        return yes_no(turn, Answer(text=text)) is not None
    if ask.expect is Expect.SLOT and ask.slot_type in SHAPED_SLOTS:
        found = turn.understanding.slot(ask.slot_type, text, turn.lang, turn.now, turn.state.slots)
        return found.outcome in ("ok", "ambiguous")
    return False


def decided(turn: Turn, text: str) -> bool:
    """Did the caller answer the offer with yes or no ("no, it is not an emergency" is an
    answer here, not a new alarm)?"""
    return turn.state.node == NODE and yes_no(turn, Answer(text=text)) is not None


def answer(turn: Turn, given: Answer) -> str | None:
    state = turn.state
    if given.key in PERSON_KEYS or (given.key is None and yes_no(turn, given)):
        line = human_line(turn, "main")
        if line is not None and not is_open(line, turn.now):
            advise(turn, state.emergency or "general", [turn.lang])
            hang_up(turn, "common.goodbye", "emergency_closed")
            return None
        turn.intent = "human"
        turn.say("common.transferring")
        transfer(turn, "emergency", "main")
        return None
    if given.key == NO_KEY or (given.key is None and yes_no(turn, given) is False):
        turn.intent = "no"
        turn.say("emergency.resume")
        return resume(turn)
    state.retries += 1
    if state.retries > MAX_SILENCES:
        return silence(turn)
    advise(turn, state.emergency or "general", [turn.lang])
    return offer(turn)


def silence(turn: Turn) -> str | None:
    """No answer: the advice again; after that, the call ends so the line is free."""
    state = turn.state
    state.retries += 1
    advise(turn, state.emergency or "general", [turn.lang])
    if state.retries >= MAX_SILENCES:
        hang_up(turn, "emergency.hang_up", "emergency_silence")
        return None
    return offer(turn)


def resume(turn: Turn) -> str | None:
    """Back to the question the caller was at when the alarm was raised: its node runs
    again, so the question is asked again."""
    back = turn.state.emergency_return or {}
    turn.state.retries = 0
    node = back.get("node") or ENTRY
    if node == "@language":
        ask_language(turn)
        return None
    if node.startswith("@") or node not in turn.rt.flows.nodes:
        return ENTRY  # a which-one or switch question: start again from the menu
    return node
