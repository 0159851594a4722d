"""`@pick`: which one did the caller mean? Two intents a sentence matched about as well, or
a few values for a slot (two streets of that name). By key, by number, or by name."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rapidfuzz import fuzz, process

from flows.dialog.answers import Answer
from flows.dialog.escalation import not_understood
from flows.session import Ask, Candidate, Expect, Option, PickQuestion

if TYPE_CHECKING:
    from flows.dialog.turn import Turn

NODE = "@pick"


def ask(turn: Turn, question: PickQuestion, prompt: str, **values: str) -> None:
    turn.state.pick = question
    turn.state.node = NODE
    turn.say(prompt, **values)
    turn.ask(Ask(Expect.PICK, NODE, tuple(Option(c.key, c.text) for c in question.candidates)))


def answer(turn: Turn, given: Answer) -> str | None:
    question = turn.state.pick
    candidates = question.candidates if question is not None else ()
    chosen: Candidate | None = None
    if given.key is not None:
        chosen = next((c for c in candidates if c.key == given.key), None)
    elif given.text:
        # A key said as a number ("deux", "option two") reaches here as that key
        # (engine.said_key); words are matched against the candidates' names.
        text = given.text
        labels = [c.text for c in candidates]
        match = process.extractOne(text, labels, scorer=fuzz.token_set_ratio, score_cutoff=60)
        chosen = candidates[match[2]] if match else None
    if chosen is None or question is None:
        return not_understood(turn, text=given.text)
    turn.state.pick = None
    turn.state.node = question.node
    if question.kind == "intent":
        if chosen.intent:
            turn.remember(chosen.intent, None)
        turn.apply_slots(chosen.slots)
        turn.state.utterance = question.utterance
        return chosen.next
    assert question.slot is not None
    turn.state.slots[question.slot] = dict(chosen.value)
    return question.next
