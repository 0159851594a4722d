"""`@switch`: a caller not understood in the call's language may be speaking another one;
they are offered to go on in it, in that language, and may answer in either."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flows.dialog.answers import YES_NO_OPTIONS, Answer, yes_no
from flows.loader import ENTRY
from flows.session import Ask, Expect, SwitchOffer

if TYPE_CHECKING:
    from flows.dialog.turn import Turn

NODE = "@switch"


def offer(turn: Turn, text: str) -> bool:
    """Offers the switch when `text` is in another enabled language; True if it was."""
    rt, state = turn.rt, turn.state
    if rt.fixed_language or len(rt.languages) < 2:
        return False
    other = turn.understanding.language_of(text)
    if not other or other == state.lang or other not in rt.languages:
        return False
    state.switch_offer = SwitchOffer(to=other, node=state.node, utterance=text)
    state.node = NODE
    current = turn.text("lang.name")
    turn.say("lang.switch_offer", other, current=current)
    turn.ask(Ask(Expect.YES_NO, NODE, YES_NO_OPTIONS))
    return True


def answer(turn: Turn, given: Answer) -> str | None:
    state = turn.state
    pending, state.switch_offer = state.switch_offer, None
    yes = yes_no(turn, given)
    if yes is None and given.text and pending is not None:
        # The offer is made in the new language: the caller may answer in either.
        yes = yes_no(turn, given, pending.to)
    state.node = pending.node if pending is not None else ENTRY
    if yes and pending is not None:
        state.lang = pending.to
        turn.say("lang.switched")
    state.retries = 0
    # The question again, in the call's language (which may be the new one).
    return state.node
