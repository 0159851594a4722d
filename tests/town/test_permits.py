"""Permits: the six permits, the decision tree, and the fee freshness rule (a fee is said
only if verified less than max_age_days before the call, naming the date)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest

from flows.dialog.review_reasons import reason
from flows.services.permits import decide, describe


@dataclass
class FakeConfig:
    max_age_days: int


SIX = {"building_permit", "prior_declaration", "demolition_permit", "planning_certificate",
       "street_occupancy", "cafe_terrace"}


def test_six_permits_with_names_in_each_language_and_forms(town):
    permits = town.permits.permits
    assert set(permits) >= SIX
    for permit in permits.values():
        for lang in ("fr", "en", "es"):
            assert permit.names.get(lang), (permit.id, lang)
            assert permit.text("covers", lang) and permit.text("apply", lang)
        assert permit.forms and permit.fee is not None and permit.fee.verified


def test_the_fees_the_issue_gives(town):
    occupancy = town.permits.permits["street_occupancy"].fee
    terrace = town.permits.permits["cafe_terrace"].fee
    assert (occupancy.amount, occupancy.unit, occupancy.verified) == (15, "day", date(2026, 10, 2))
    assert (terrace.amount, terrace.unit, terrace.verified) == (30, "m2_year", date(2025, 9, 15))


def _describe(make_ctx, permit, now, lang="fr", config=None):
    return describe(make_ctx(now, lang, {"permit": permit}, config=config))


@pytest.mark.parametrize("days", [0, 1, 179])
def test_a_fee_verified_less_than_max_age_ago_is_said_with_its_date(make_ctx, days):
    now = datetime(2026, 10, 2, 12) + timedelta(days=days)
    result = _describe(make_ctx, "street_occupancy", now)
    assert result.outcome == "ok" and result.review == []
    assert "15 € par jour" in result.slots["fee_text"]
    assert "2 octobre 2026" in result.slots["fee_text"]
    fee_source = next(s for s in result.provenance if s.record == "street_occupancy.fee")
    assert fee_source.verified == date(2026, 10, 2) and fee_source.version == "2026.4"


@pytest.mark.parametrize("days", [180, 181, 400])
def test_a_stale_fee_is_not_said_and_goes_for_review(make_ctx, days):
    now = datetime(2026, 10, 2, 12) + timedelta(days=days)
    result = _describe(make_ctx, "street_occupancy", now, "en")
    assert result.outcome == "fee_unverified"
    assert "15" not in result.slots["fee_text"] and "€" not in result.slots["fee_text"]
    assert "must be confirmed" in result.slots["fee_text"] and "2 October 2026" in result.slots["fee_text"]
    assert result.review == [reason("stale_fee", permit="street_occupancy", verified="2026-10-02", days=180)]
    assert result.review[0].english == ("stale fee: street_occupancy verified 2026-10-02, older than 180 days; "
                                        "the caller was offered a person")


def test_texts_missing_in_the_caller_s_language_go_for_review_as_a_code_with_the_fields(make_ctx):
    # Italian: the permits' names are written in it, their other texts are not.
    result = _describe(make_ctx, "cafe_terrace", datetime(2026, 12, 1, 10), "it")
    missing, stale = result.review
    assert missing.code == "permit_not_in_language" and stale.code == "stale_fee"
    assert missing.values["permit"] == "cafe_terrace" and missing.values["lang"] == "it"
    assert "covers" in missing.values["fields"].split(", ")
    assert missing.english.startswith("permit cafe_terrace: covers")
    assert stale.values == {"permit": "cafe_terrace", "verified": "2025-09-15", "days": "180"}


def test_the_terrace_fee_is_stale_in_december_2026_but_fresh_in_october_2025(make_ctx):
    stale = _describe(make_ctx, "cafe_terrace", datetime(2026, 12, 1, 10), "es")
    assert stale.outcome == "fee_unverified" and "30" not in stale.slots["fee_text"]
    fresh = _describe(make_ctx, "cafe_terrace", datetime(2025, 10, 15, 10), "es")
    assert fresh.outcome == "ok" and "30 € por metro cuadrado y año" in fresh.slots["fee_text"]


def test_max_age_comes_from_the_configuration(make_ctx):
    now = datetime(2026, 12, 1, 10)
    assert _describe(make_ctx, "cafe_terrace", now, config=FakeConfig(500)).outcome == "ok"
    assert _describe(make_ctx, "street_occupancy", now, config=FakeConfig(30)).outcome == "fee_unverified"


@pytest.mark.parametrize(
    ("kind", "surface", "outcome", "permit"),
    [
        ("construction", None, "needs_surface", None),
        ("construction", 3, "none", None),
        ("construction", 5, "none", None),
        ("construction", 12, "ok", "prior_declaration"),
        ("construction", 20, "ok", "prior_declaration"),
        ("construction", 30, "ok", "building_permit"),
        ("exterior", None, "ok", "prior_declaration"),
        ("cafe_terrace", None, "ok", "cafe_terrace"),
        ("something_else", None, "not_found", None),
    ],
)
def test_decision_tree(make_ctx, kind, surface, outcome, permit):
    slots = {"permit_kind": {"key": kind, "text": kind}}
    if surface is not None:
        slots["surface"] = {"number": surface, "text": str(surface)}
    result = decide(make_ctx(datetime(2026, 12, 1, 10), "fr", slots))
    assert result.outcome == outcome
    assert result.slots.get("permit") == permit
    if surface is not None and outcome in ("ok", "none"):
        # General guidance names its source document.
        assert "Guide des autorisations d'urbanisme 2026" in result.slots["guidance"]
        assert result.provenance and result.provenance[0].dataset == "permits"


def test_permit_words_feed_the_permit_kind_slot(town):
    words = town.permit_kind_synonyms("en")
    assert "skip" in words["street_occupancy"] and "conservatory" in words["construction"]
