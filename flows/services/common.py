"""What the service handlers share: the town's clock, the fee age rule, sources."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any

from flows.handlers import Handler, HandlerContext

DEFAULT_MAX_AGE_DAYS = 180


def reads(**slots: Iterable[str] | Callable[[Any], Iterable[str]]) -> Callable[[Handler], Handler]:
    """Declares slots a handler reads that a flow's menu choice may set (`set:`), with the
    values the handler can use: `civicline flows check` refuses any other slot or value.
    The values may depend on the town's data: then give a function of the town.

        @handler("waste.next_collections")
        @reads(waste_kind=town_kinds, waste_day=("tomorrow",))
    """

    def declare(fn: Handler) -> Handler:
        # A function attribute, read back with getattr by flows.validator.handler_slot_values
        fn.slot_values = {  # type: ignore[attr-defined]
            slot: values if callable(values) else tuple(values) for slot, values in slots.items()
        }
        return fn

    return declare


def local_now(ctx: HandlerContext) -> datetime:
    """The call's clock in the town's timezone (the engine gives an aware datetime)."""
    tz = getattr(ctx.town, "timezone", None)
    if tz is None:
        return ctx.now
    return ctx.now.astimezone(tz) if ctx.now.tzinfo else ctx.now.replace(tzinfo=tz)


def max_age_days(ctx: HandlerContext) -> int:
    """The configuration wins over town.yaml, which wins over the default."""
    for holder in (ctx.config, ctx.town):
        value = getattr(holder, "max_age_days", None)
        if isinstance(value, int) and value > 0:
            return value
    return DEFAULT_MAX_AGE_DAYS


def is_fresh(verified: date | None, today: date, max_age: int) -> bool:
    """Verified less than max_age days ago (a date in the future counts as not verified)."""
    return verified is not None and 0 <= (today - verified).days < max_age


def slot_text(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("text", ""))
    return "" if value is None else str(value)


def slot_number(value: Any) -> float | None:
    """A number slot ({"number": 12, "text": "12"}) or a plain number."""
    if isinstance(value, dict):
        value = value.get("number")
    if isinstance(value, bool):
        return None
    return float(value) if isinstance(value, int | float) else None


def sentence(text: str) -> str:
    """Capitalise the first letter of a sentence built from pieces."""
    return text[:1].upper() + text[1:] if text else text


def text(ctx: HandlerContext, key: str, **values: Any) -> str:
    """A catalog prompt, tidied: an abbreviation at the end of a sentence ("7 p.m.") must
    not get a second full stop from the prompt."""
    rendered = ctx.t(key, **values)
    return rendered.replace("..", ".").replace(".. ", ". ")
