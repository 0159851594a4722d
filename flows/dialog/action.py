"""An `action` node: runs a handler (a data look-up: collection days, meetings, permits),
keeps what it found and its sources, and goes where its outcome says."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from flows.dialog.escalation import context, fail_to_person, summary
from flows.dialog.review_reasons import review_of
from flows.handlers import HandlerContext, HandlerResult
from flows.model import ActionNode
from flows.session import StaffRequest

if TYPE_CHECKING:
    from flows.dialog.turn import Turn

log = logging.getLogger(__name__)


def reach(turn: Turn, node_id: str, node: ActionNode) -> str | None:
    fn = turn.rt.handlers.get(node.handler)
    ctx = HandlerContext(
        slots=dict(turn.state.slots),
        lang=turn.lang,
        now=turn.now,
        town=turn.rt.town,
        config=turn.rt.config,
        t=lambda key, **kw: turn.text(key, **kw),
        caller=turn.state.caller,
        heard=turn.state.utterance,
        call_id=turn.state.call_id,
        desk=turn.rt.desk,
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
        turn.actions.append(review_of(result.review, context(turn)))
    for request in result.requests:
        if request.kind in ("callback", "message"):
            # Whoever calls back should know what the caller wanted, as on a transfer.
            request = StaffRequest(request.kind, {"summary": summary(turn, context(turn)), **request.details})
            turn.state.outcome = request.kind
        turn.actions.append(request)
    if result.outcome == "ok":
        return node.next
    if result.outcome in node.on:
        return node.on[result.outcome]
    log.error("call %s: handler %s gave outcome %r that the flow does not route",
              turn.state.call_id, node.handler, result.outcome)
    turn.say("common.error")
    return fail_to_person(turn, "handler_" + result.outcome)
