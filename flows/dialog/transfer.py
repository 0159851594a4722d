"""A `transfer` node: puts the caller through to a person, or after hours goes to the
flow the node names (the town's callback flow by default)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flows.dialog.escalation import human_line, is_open, transfer
from flows.model import TransferNode

if TYPE_CHECKING:
    from flows.dialog.turn import Turn


def reach(turn: Turn, node_id: str, node: TransferNode) -> str | None:
    line = human_line(turn, node.to)
    if line is not None and not is_open(line, turn.now):
        turn.state.slots["transfer_reason"] = node.reason
        return node.after_hours
    if node.prompt:
        turn.say(node.prompt)
    transfer(turn, node.reason, node.to)
    return None
