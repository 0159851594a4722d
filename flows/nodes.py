"""Running the nodes of a flow, one turn at a time (``flows.engine._Turn``): each returns the
next node's reference, or None when the turn stops there (the node waits for the caller, or
the call ends). What the caller says or presses back is in ``flows.inputs``."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from flows.escalation import _is_open
from flows.handlers import HandlerContext, HandlerResult
from flows.inputs import apply_slots, choice_slots, take_slot, voice_targets
from flows.model import (
    ActionNode,
    AskNode,
    ConfirmNode,
    HangupNode,
    MenuNode,
    SayNode,
    TransferNode,
)
from flows.session import Ask, Option, StaffRequest

if TYPE_CHECKING:
    from flows.engine import _Turn

log = logging.getLogger(__name__)


def run_node(turn: _Turn, node_id: str, node: Any) -> str | None:
    """Runs one node; returns the next reference, or None when the turn stops here."""
    if isinstance(node, SayNode):
        turn.say_answer(node.prompt)
        return node.next
    if isinstance(node, MenuNode):
        chosen = prefilled_choice(turn, node)
        if chosen:
            return chosen
        turn.say(node.prompt)
        options = tuple(
            Option(c.key, turn.text(c.label) if c.label else c.key) for c in node.choices
        )
        turn.ask(Ask("choice", node_id, options))
        return None
    if isinstance(node, AskNode):
        return run_ask(turn, node_id, node)
    if isinstance(node, ConfirmNode):
        turn.say(node.prompt)
        turn.ask(Ask("yes_no", node_id, (Option("1", "yes"), Option("2", "no"))))
        return None
    if isinstance(node, ActionNode):
        return run_action(turn, node_id, node)
    if isinstance(node, TransferNode):
        return run_transfer(turn, node)
    if isinstance(node, HangupNode):
        turn.hang_up(node.prompt, "flow_end")
        return None
    raise TypeError(f"unknown node {node!r}")


def prefilled_choice(turn: _Turn, node: MenuNode) -> str | None:
    """A menu reached with the caller's sentence still pending ("when does the truck
    come to 12 rue du Port?" said at the main menu) is answered from that sentence."""
    if not turn.state.utterance:
        return None
    targets = voice_targets(node)
    decision = turn.rt.understanding.decide(turn.state.utterance, turn.lang, only=list(targets))
    if decision.kind != "match" or not decision.intent:
        return None
    turn.intent, turn.score = decision.intent, decision.ranked[0].score
    if decision.intent not in turn.state.asked:
        turn.state.asked.append(decision.intent)
    target, choice = targets[decision.intent]
    apply_slots(turn, choice_slots(turn, node, choice))
    return target


def run_ask(turn: _Turn, node_id: str, node: AskNode) -> str | None:
    if node.slot in turn.state.slots and not node.always:
        return node.next
    utterance, turn.state.utterance = turn.state.utterance, None
    if utterance and take_slot(turn, node, utterance, prefill=True):
        return None
    turn.say(node.prompt)
    max_digits = 15 if node.type in ("number", "phone") else None
    options = tuple(
        Option(key, value["text"]) for key, value in turn.rt.understanding.keypad_choices(node.type, turn.lang)
    )
    turn.ask(Ask("slot", node_id, options, slot=node.slot, slot_type=node.type, max_digits=max_digits))
    return None


def run_action(turn: _Turn, node_id: str, node: ActionNode) -> str | None:
    fn = turn.rt.handlers.get(node.handler)
    ctx = HandlerContext(
        slots=dict(turn.state.slots),
        lang=turn.lang,
        now=turn.now,
        town=turn.rt.town,
        config=turn.rt.config,
        t=lambda key, **kw: turn.text(key, **kw),
        caller=turn.state.caller,
    )
    try:
        if fn is None:
            raise LookupError(f"no handler named {node.handler!r}")
        result = fn(ctx)
        if not isinstance(result, HandlerResult):
            raise TypeError(f"handler {node.handler} returned {type(result).__name__}")
    except Exception:
        log.exception("call %s: handler %s failed", turn.state.call_id, node.handler)
        result = HandlerResult(outcome="error")
    turn.state.slots.update(result.slots)
    if result.provenance:
        turn.state.provenance = [s.to_json() for s in result.provenance]
    if result.review:
        turn.actions.append(
            StaffRequest("review", {"reason": result.review, "context": turn.context()})
        )
    for request in result.requests:
        turn.actions.append(request)
        if request.kind in ("callback", "message"):
            turn.state.outcome = request.kind
    if result.outcome == "ok":
        return node.next
    if result.outcome in node.on:
        return node.on[result.outcome]
    log.error("call %s: handler %s gave outcome %r that the flow does not route",
              turn.state.call_id, node.handler, result.outcome)
    turn.say("common.error")
    turn.fail_to_person("handler_" + result.outcome)
    return None


def run_transfer(turn: _Turn, node: TransferNode) -> str | None:
    line = turn.human_line(node.to)
    if line is not None and not _is_open(line, turn.now):
        turn.state.slots["transfer_reason"] = node.reason
        return node.after_hours
    if node.prompt:
        turn.say(node.prompt)
    turn.transfer(node.reason, node.to)
    return None
