"""Permits: which authorisation fits a project (kind of works, surface), what it covers,
documents, where to apply, processing time, and its fee under the freshness rule: a fee
is said only if a person verified it less than max_age_days ago, naming that date."""

from __future__ import annotations

from typing import Any

from flows.dialog.review_reasons import reason
from flows.handlers import HandlerContext, HandlerResult, handler
from flows.services.common import (
    is_fresh,
    local_now,
    max_age_days,
    reads,
    sentence,
    slot_number,
    slot_text,
    text,
)
from flows.town.common import Origin
from translations.formatting import format_date_long, format_list, format_money, format_number

# The town data sets these handlers read.
PERMITS_DATA = ("permits",)


def _kind_key(ctx: HandlerContext) -> str:
    value = ctx.slots.get("permit_kind") or {}
    return str(value.get("key", "")) if isinstance(value, dict) else str(value)


@handler("permits.decide", needs=PERMITS_DATA)
def decide(ctx: HandlerContext) -> HandlerResult:
    """From the project the caller described (slot permit_kind: a permit or a kind of works,
    and slot surface) to a permit. Outcomes: ok (slot permit), needs_surface, none (nothing
    needed, in general), not_found."""
    data = ctx.town.permits
    key = _kind_key(ctx)
    main = ctx.town.main_language
    if key in data.permits:
        return HandlerResult("ok", {"permit": key, "guidance": ""})
    works = data.works.get(key)
    if works is None:
        return HandlerResult("not_found")
    surface = slot_number(ctx.slots.get("surface"))
    decided, permit_id = works.decide(surface)
    if not decided:
        return HandlerResult("needs_surface", {"works": works.name(ctx.lang, main)})
    values: dict[str, Any] = {
        "works": works.name(ctx.lang, main),
        "surface": format_number(surface, ctx.lang) if surface is not None else "",
        "source": works.origin.document,
    }
    source = ctx.town.source("permits", f"works.{works.id}", works.origin)
    if permit_id is None:
        return HandlerResult("none", {"guidance": text(ctx, "permits.guidance_none", **values)},
                             provenance=[source])
    values["permit"] = data.permits[permit_id].name(ctx.lang, main)
    key = "permits.guidance_surface" if surface is not None else "permits.guidance"
    return HandlerResult("ok", {"permit": permit_id, "guidance": text(ctx, key, **values)},
                         provenance=[source])


def _fee_text(ctx: HandlerContext, permit: Any) -> tuple[str, bool]:
    """(what to say about the fee, whether it may be said)."""
    fee = permit.fee
    if fee is None:
        return "", True
    today = local_now(ctx).date()
    verified = format_date_long(fee.verified, ctx.lang) if fee.verified else ""
    if not is_fresh(fee.verified, today, max_age_days(ctx)):
        return text(ctx, "permits.fee_unverified", verified=verified), False
    if fee.amount == 0:
        return text(ctx, "permits.fee_free", verified=verified), True
    amount = format_money(fee.amount, fee.currency, ctx.lang)
    return text(ctx, f"permits.fee_{fee.unit}", amount=amount, verified=verified), True


@handler("permits.describe", needs=PERMITS_DATA)
@reads(permit_question=("documents", "fee"))
def describe(ctx: HandlerContext) -> HandlerResult:
    """What the permit covers, documents and forms, where to apply, how long, and the fee.
    Outcomes: ok, fee_unverified (the amount must be confirmed: offer a person), not_found;
    for a fee question (slot permit_question = fee), fee_first and fee_unverified_first:
    the fee is said first (slot fee_text), the rest (permit_info) on request; for a documents
    question, documents_first: the documents (slot documents_text), the rest with the fee on
    request. Texts not
    written in the caller's language are not said: permit_info says a person explains them,
    and the permit goes on the review list."""
    permit = ctx.town.permits.permits.get(str(ctx.slots.get("permit") or _kind_key(ctx)))
    if permit is None:
        return HandlerResult("not_found")
    lang, main = ctx.lang, ctx.town.main_language
    untranslated = permit.texts_missing(lang) if lang != main else []
    documents = None  # said apart for a documents question
    if untranslated:
        # Not read out in the town's language instead: the caller may not understand it,
        # and a translation nobody checked is not verified data. A person explains.
        parts = [str(ctx.slots.get("guidance") or ""), text(ctx, "permits.not_in_language")]
    else:
        documents = text(ctx, "permits.documents", documents=permit.text("documents", lang, main))
        parts = [
            str(ctx.slots.get("guidance") or ""),
            permit.text("covers", lang, main),
            documents,
            permit.text("apply", lang, main),
            text(ctx, "permits.processing", processing=permit.text("processing", lang, main)),
        ]
    fee_text, fee_ok = _fee_text(ctx, permit)
    sources = [ctx.town.source("permits", permit.id, permit.origin)]
    if permit.fee is not None:
        sources.append(ctx.town.source("permits", f"{permit.id}.fee",
                                       Origin(permit.fee.document, permit.fee.verified)))
    slots = {
        "permit": permit.id,
        "permit_name": permit.name(lang, main),
        "permit_info": " ".join(sentence(p.strip()) for p in parts if p.strip()),
        "forms": format_list(list(permit.forms), lang),
        "fee_text": fee_text,
    }
    question = slot_text(ctx.slots.get("permit_question"))
    fee_question = question == "fee"
    if fee_question and not fee_text:
        fee_text = text(ctx, "permits.fee_none")
        slots["fee_text"] = fee_text
    reviews = []
    if untranslated:
        reviews.append(reason("permit_not_in_language", permit=permit.id, fields=", ".join(untranslated), lang=lang))
    if not fee_ok:
        reviews.append(reason("stale_fee", permit=permit.id, verified=permit.fee.verified or "never",
                              days=max_age_days(ctx)))
        outcome = "fee_unverified_first" if fee_question else "fee_unverified"
    elif question == "documents" and documents is not None:
        # Asked for the documents, the caller hears them first; what the permit covers, where
        # to apply, the time it takes and the fee follow on request.
        outcome = "documents_first"
        slots["documents_text"] = sentence(documents.strip())
        rest = [p for p in parts if p is not documents] + [fee_text]
        slots["permit_info"] = " ".join(sentence(p.strip()) for p in rest if p.strip())
    else:
        outcome = "fee_first" if fee_question else "ok"
    return HandlerResult(outcome, slots, provenance=sources, review=reviews)
