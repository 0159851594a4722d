"""A `confirm` node: a yes/no question (1 yes, 2 no, or the words)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flows.dialog import menu, switch
from flows.dialog.answers import YES_NO_OPTIONS, Answer, yes_no
from flows.dialog.escalation import not_understood
from flows.model import ConfirmNode
from flows.session import Ask, Expect

if TYPE_CHECKING:
    from flows.dialog.turn import Turn


def reach(turn: Turn, node_id: str, node: ConfirmNode) -> str | None:
    turn.say(node.prompt)
    turn.ask(Ask(Expect.YES_NO, node_id, YES_NO_OPTIONS))
    return None


def answer(turn: Turn, node: ConfirmNode, given: Answer) -> str | None:
    yes = yes_no(turn, given)
    if yes is None:
        if given.text is not None and switch.offer(turn, given.text):
            return None
        # Neither yes nor no, but a request of its own ("and the glass?" at "anything
        # else?"): the caller is taken at their word.
        request = menu.request_anywhere(turn, given.text) if given.text else None
        if request is not None:
            return request
        return not_understood(turn, text=given.text)
    turn.intent = "yes" if yes else "no"
    return node.yes if yes else node.no
