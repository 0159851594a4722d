"""An `ask` node: a value for a slot (an address, a date, a number, a kind…), by voice or by
keypad, possibly already in the sentence that led here."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flows.dialog import pick, switch
from flows.dialog.answers import Answer, Moved
from flows.dialog.escalation import keypad_hint, not_understood
from flows.model import AskNode
from flows.session import Ask, Candidate, Expect, Option, PickQuestion

if TYPE_CHECKING:
    from flows.dialog.turn import Turn

NUMBER_TYPES = ("number", "phone")
MAX_DIGITS = 15  # a phone number with its country code
MAX_CANDIDATES = 4  # more than this cannot be read out as a choice
# Questions for a value a "yes" cannot be: a yes alone there only agrees to give it.
AGREED_TYPES = ("address", "date", *NUMBER_TYPES)


def reach(turn: Turn, node_id: str, node: AskNode) -> str | None:
    if node.slot in turn.state.slots and not node.always:
        return node.next
    utterance, turn.state.utterance = turn.state.utterance, None
    if utterance:
        moved = take_slot(turn, node, utterance, prefill=True)
        if moved is not None:
            return moved.next
    turn.say(node.prompt)
    max_digits = MAX_DIGITS if node.type in NUMBER_TYPES else None
    options = tuple(
        Option(key, value["text"]) for key, value in turn.understanding.keypad_choices(node.type, turn.lang)
    )
    turn.ask(Ask(Expect.SLOT, node_id, options, slot=node.slot, slot_type=node.type, max_digits=max_digits))
    return None


def answer(turn: Turn, node: AskNode, given: Answer) -> str | None:
    text = given.text
    if given.key is not None:
        choices = dict(turn.understanding.keypad_choices(node.type, turn.lang))
        if given.key in choices:
            turn.state.slots[node.slot] = choices[given.key]
            return node.next
        if node.type in NUMBER_TYPES and given.key.isdigit():
            text = given.key
        else:
            return not_understood(turn)
    text = text or ""
    if node.type in AGREED_TYPES and given.key is None and len(text.split()) <= 2 \
            and turn.understanding.yes_no(text, turn.lang) is True:
        # "Yes" to "what is your address?": the caller agrees to give it. The question again,
        # not "I do not know the street 'yes'".
        turn.say(node.prompt)
        turn.reask()
        return None
    moved = take_slot(turn, node, text)
    if moved is not None:
        return moved.next
    if switch.offer(turn, text):
        return None
    return not_understood(turn, text=text)


def take_slot(turn: Turn, node: AskNode, text: str, prefill: bool = False) -> Moved | None:
    """Tries to fill the node's slot from what the caller said; None if it was not taken.

    With prefill (the sentence was said before the question), nothing is said on failure:
    the question is simply asked.
    """
    state = turn.state
    if prefill and node.type == "address" and not turn.understanding.plainly_an_address(text, turn.lang):
        return None  # the sentence asked for the service; the address is asked for itself
    result = turn.understanding.slot(node.type, text, turn.lang, turn.now, state.slots)
    if result.outcome == "ok":
        state.slots[node.slot] = result.value
        return Moved(node.next)
    if result.outcome == "ambiguous" and result.candidates:
        if "ambiguous" in node.on:
            state.slots[node.slot + "_candidates"] = result.candidates
            return Moved(node.on["ambiguous"])
        candidates = tuple(
            Candidate(str(i), c["text"], value=dict(c))
            for i, c in enumerate(result.candidates[:MAX_CANDIDATES], start=1)
        )
        question = PickQuestion("slot", candidates, state.node, slot=node.slot, next=node.next)
        options = ", ".join(turn.text("common.candidate", text=c.text, key=c.key) for c in candidates)
        pick.ask(turn, question, "common.which_one", options=options)
        return Moved(None)
    if prefill:
        return None
    options_read = state.keypad_read == state.node
    if result.outcome == "not_found" and not options_read and state.last_ask and state.last_ask.options:
        # Before the flow's own way out, a caller not understood hears the keypad choices.
        state.retries += 1
        state.failures += 1
        turn.say("common.not_understood")
        keypad_hint(turn)
        turn.reask()
        return Moved(None)
    if result.outcome == "not_found" and "not_found" in node.on:
        state.slots[node.slot + "_heard"] = text
        return Moved(node.on["not_found"])
    return None
