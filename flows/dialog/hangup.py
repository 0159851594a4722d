"""A `hangup` node: the last words, and the call ends."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flows.dialog.escalation import hang_up
from flows.model import HangupNode

if TYPE_CHECKING:
    from flows.dialog.turn import Turn


def reach(turn: Turn, node_id: str, node: HangupNode) -> str | None:
    hang_up(turn, node.prompt, "flow_end")
    return None
