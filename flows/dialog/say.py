"""A `say` node: states an answer (with the sources the last action found) and goes on."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flows.model import SayNode

if TYPE_CHECKING:
    from flows.dialog.turn import Turn


def reach(turn: Turn, node_id: str, node: SayNode) -> str | None:
    turn.say_answer(node.prompt)
    return node.next
