"""The spoken name of each intent a town's flows offer, for whatever says an intent to a
person: a caller choosing between two, the summary a member of staff hears."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flows.model import MenuNode

if TYPE_CHECKING:
    from flows.runtime import Runtime


def intent_labels(rt: Runtime) -> dict[str, str]:
    """intent -> prompt key of its spoken name: the label of a choice that offers it, or a
    shortcut's own label (the flow checker requires one for every intent)."""
    labels: dict[str, str] = {}
    for node in rt.flows.nodes.values():
        if isinstance(node, MenuNode):
            for choice in node.choices:
                if choice.intent and choice.label:
                    labels.setdefault(choice.intent, choice.label)
    for node in rt.flows.nodes.values():
        if isinstance(node, MenuNode):
            for shortcut in node.shortcuts:
                if shortcut.label:
                    labels.setdefault(shortcut.intent, shortcut.label)
    return labels
