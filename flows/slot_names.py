"""What staff hear a slot called in the transfer whisper: the catalogs' ``slot.<name>``,
said in the town's main language, never the slot's internal name.

A slot the caller gives as a phone number or as free text (ask types ``phone``, ``text``:
a number to call back, a message for staff) is never whispered. The person taking the call
has the caller on the line and needs what was asked, not the caller's number or words;
the whisper may also be read by the telephony provider's voice (docs/privacy.md), and is
kept as the call's summary."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flows.model import AskNode

if TYPE_CHECKING:
    from flows.loader import FlowSet

PRIVATE_TYPES = ("phone", "text")


def label_key(slot: str) -> str:
    """The catalog prompt that names a slot for staff."""
    return f"slot.{slot}"


def private_slots(flows: FlowSet) -> set[str]:
    """Slots asked as a phone number or free text anywhere in the flows."""
    return {
        node.slot
        for node in flows.nodes.values()
        if isinstance(node, AskNode) and node.type in PRIVATE_TYPES
    }
