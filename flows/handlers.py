"""Named Python handlers that `action` nodes of a flow call.

A handler is a plain function ``(ctx: HandlerContext) -> HandlerResult`` registered under a
dotted name with :func:`handler`. Flows name it (``handler: waste.next_collections``); the
validator refuses a flow that names an unknown handler. Handlers must not raise for a
caller's bad input: they return an outcome (``not_found``, ``ambiguous``, ``error``…) that
the flow routes on. An exception is caught by the engine, logged, and turned into the
``error`` outcome so the caller hears an apology and is offered a person.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from flows.provenance import Source

if TYPE_CHECKING:
    from flows.dialog.review_reasons import Reason


@dataclass
class HandlerContext:
    """What a handler may read. Handlers never write to the session directly.

    slots:   the call's slots so far (``address``, ``date``, ``permit_kind``…)
    lang:    the call's language ("fr", "en", "es")
    now:     the call's clock, timezone-aware, in the town's timezone
    town:    the loaded town (its data sources); ``None`` in flow tests without a town
    config:  the application configuration
    t:       renders a catalog prompt in the call's language: ``t("waste.line", kind=...)``
    caller:  the caller's number as the phone line gave it (to offer a callback to it), or None
    heard:   the caller's sentence that led to this action ("when is the next council
             meeting"), when the action follows it without a question in between, else None
    call_id: the call's id
    desk:    where requests to the city's systems go (flows.city_requests.CityDesk), or
             None when the shell gave none (then they go on the staff's list)

    Dates, times and amounts are written with ``translations.formatting``; the voice layer
    turns the written text into words.
    """

    slots: Mapping[str, Any]
    lang: str
    now: datetime
    town: Any = None
    config: Any = None
    t: Callable[..., str] = lambda key, **kw: key
    caller: str | None = None
    heard: str | None = None
    call_id: str = ""
    desk: Any = None


@dataclass
class HandlerResult:
    """What a handler returns.

    outcome:    the branch the flow takes (``ok`` unless said otherwise); a flow's
                ``on:`` map routes outcomes to nodes, ``next`` is used for ``ok``
    slots:      new or updated slots, usable as ``{placeholders}`` in later prompts
    provenance: the records behind any fact the next prompts will say
    review:     the reasons to put this call on the staff's to-verify list (stale fee, texts
                not written in the caller's language…), each a code and its values
                (``flows.dialog.review_reasons.reason``), so that staff read them in
                their language; none: the call is not listed
    requests:   things staff must act on, as ``flows.session.StaffRequest`` (a callback
                request with the number the caller confirmed, a message); a "callback" or
                "message" request also sets the call's outcome
    """

    outcome: str = "ok"
    slots: dict[str, Any] = field(default_factory=dict)
    provenance: list[Source] = field(default_factory=list)
    review: list[Reason] = field(default_factory=list)
    requests: list[Any] = field(default_factory=list)


Handler = Callable[[HandlerContext], HandlerResult]

_REGISTRY: dict[str, Handler] = {}


def handler(name: str, needs: tuple[str, ...] = ()) -> Callable[[Handler], Handler]:
    """Register a function as the handler called ``name`` in flow files. `needs`: the town
    data sets it reads (town.yaml `data:`); `civicline flows check` refuses a flow that
    calls it in a town that does not publish them."""

    def register(fn: Handler) -> Handler:
        if name in _REGISTRY and _REGISTRY[name] is not fn:
            raise ValueError(f"two handlers are registered as {name!r}")
        fn.needs = needs  # type: ignore[attr-defined]
        _REGISTRY[name] = fn
        return fn

    return register


def registered_handlers() -> Mapping[str, Handler]:
    """All handlers, after importing the modules that define the built-in ones."""
    import flows.services  # noqa: F401  (registers the town services' handlers)

    return dict(_REGISTRY)

