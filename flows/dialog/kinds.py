"""Each kind of node, and each of the engine's own steps, with what it does when reached
and what it does with the caller's answer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flows.dialog import (
    action,
    ask,
    confirm,
    emergency,
    hangup,
    language,
    menu,
    pick,
    say,
    switch,
    text_copy,
    transfer,
)
from flows.dialog.answers import Answer
from flows.model import (
    ActionNode,
    AskNode,
    ConfirmNode,
    HangupNode,
    MenuNode,
    SayNode,
    TransferNode,
)

if TYPE_CHECKING:
    from flows.dialog.turn import Turn


@dataclass(frozen=True)
class NodeKind:
    reach: Callable[[Turn, str, Any], str | None]
    """Runs the node: the next node's reference, or None when the turn stops here."""
    answer: Callable[[Turn, Any, Answer], str | None] | None = None
    """The caller's answer to the node; None for nodes that never wait."""


KINDS: dict[type, NodeKind] = {
    SayNode: NodeKind(say.reach),
    MenuNode: NodeKind(menu.reach, menu.answer),
    AskNode: NodeKind(ask.reach, ask.answer),
    ConfirmNode: NodeKind(confirm.reach, confirm.answer),
    ActionNode: NodeKind(action.reach),
    TransferNode: NodeKind(transfer.reach),
    HangupNode: NodeKind(hangup.reach),
}

# The engine's own questions, which are not nodes of a flow: the state's node names them.
ENGINE_STEPS: dict[str, Callable[[Turn, Answer], str | None]] = {
    language.NODE: language.answer,
    switch.NODE: switch.answer,
    pick.NODE: pick.answer,
    text_copy.NODE: text_copy.answer,
    emergency.NODE: emergency.answer,
}


def reach(turn: Turn, node_id: str, node: Any) -> str | None:
    return KINDS[type(node)].reach(turn, node_id, node)


def answer(turn: Turn, given: Answer) -> str | None:
    """Hands the caller's answer to what the call is waiting at."""
    node_id = turn.state.node
    step = ENGINE_STEPS.get(node_id)
    if step is not None:
        return step(turn, given)
    node = turn.rt.flows.nodes[node_id]
    hear = KINDS[type(node)].answer
    if hear is None:
        raise LookupError(f"node {node_id} ({type(node).__name__}) does not wait for the caller")
    return hear(turn, node, given)
