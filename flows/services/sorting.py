"""What goes where: the object the caller named (slot sorting_item), from the town's
sorting guide, and the service that takes it."""

from __future__ import annotations

from flows.handlers import HandlerContext, HandlerResult, handler

# Services with a node of their own in the waste flow (the points, the hours, the
# appointment): the flow goes on there after saying where the object goes.
ROUTED = ("glass", "recycling_centre", "bulky")


@handler("sorting.lookup", needs=("sorting",))
def lookup(ctx: HandlerContext) -> HandlerResult:
    """Outcomes: ok (said, then the flow goes on), glass, recycling_centre, bulky, none."""
    guide = getattr(ctx.town, "sorting", None)
    value = ctx.slots.get("sorting_item") or {}
    key = str(value.get("key", "")) if isinstance(value, dict) else str(value)
    item = guide.items.get(key) if guide is not None else None
    if guide is None or item is None:
        return HandlerResult("none")
    main = ctx.town.main_language
    slots = {
        "sorting_object": _capitalised(item.name(ctx.lang, main)),
        "sorting_where": guide.service_name(item.goes, ctx.lang, main),
        "sorting": {"key": item.id, "service": item.goes, "text": item.name(ctx.lang, main)},
    }
    source = ctx.town.source("sorting", item.id, item.origin)
    return HandlerResult(item.goes if item.goes in ROUTED else "ok", slots, provenance=[source])


def _capitalised(name: str) -> str:
    return name[:1].upper() + name[1:]
