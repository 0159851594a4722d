"""Accuracy on the labelled caller utterances, per language (the issue's bar: 95%)."""

from __future__ import annotations

import pytest

from nlu.eval import evaluate, format_report, load_labelled
from support.nlu_data import DATA, LANGS, catalog, gazetteer

INTENTS = [
    "waste.collection_day", "waste.tomorrow", "waste.green", "waste.glass",
    "waste.recycling_centre", "waste.bulky", "meetings.next", "meetings.on_date",
    "permits.which", "permits.fee", "permits.documents", "human", "repeat", "slower", "goodbye",
]  # fmt: skip
ENTITY_KINDS = ["address", "date", "date_range", "number", "digits", "yes_no", "waste_kind"]


def _report(lang: str):
    cat = catalog(lang)
    return evaluate(
        load_labelled(DATA / f"utterances_{lang}.yaml"),
        examples=cat.intents,
        gazetteer=gazetteer(),
        yes_words=cat.yes,
        no_words=cat.no,
        synonyms=cat.entities,
        vocabularies={lg: catalog(lg).vocabulary() for lg in LANGS},
    )


@pytest.mark.parametrize("lang", LANGS)
def test_labelled_set_is_large_and_covers_everything(lang):
    labelled = load_labelled(DATA / f"utterances_{lang}.yaml")
    assert labelled.lang == lang
    assert len(labelled.cases) >= 100
    seen_intents = {c["intent"] for c in labelled.cases if "intent" in c}
    assert set(INTENTS) <= seen_intents
    assert "none" in seen_intents
    for kind in ENTITY_KINDS:
        assert any(kind in c for c in labelled.cases), kind
    outcomes = {c["address"].get("outcome", "ok") for c in labelled.cases if "address" in c}
    assert outcomes == {"ok", "ambiguous", "not_found", "number_only"}
    # Written like recogniser output: no capitals, no punctuation.
    for case in labelled.cases:
        text = case["text"]
        assert text == text.lower() and not any(ch in text for ch in ",.?!;:"), text


@pytest.mark.parametrize("lang", LANGS)
def test_intent_and_address_accuracy(lang):
    report = _report(lang)
    shown = format_report(report, failures=True)
    assert report.tally("intent").total >= 90
    assert report.intent_accuracy >= 0.95, shown
    assert report.tally("address").total >= 15
    assert report.address_accuracy >= 0.95, shown


@pytest.mark.parametrize("lang", LANGS)
def test_other_entities(lang):
    report = _report(lang)
    shown = format_report(report, failures=True)
    for kind in ("date", "number", "yes_no", "waste_kind", "language"):
        assert report.tally(kind).total > 0, kind
        assert report.tally(kind).accuracy >= 0.9, shown


def test_catalogs_define_every_intent_the_flows_use():
    for lang in LANGS:
        intents = catalog(lang).intents
        assert set(INTENTS) <= set(intents), lang
        assert all(len(intents[i]) >= 5 for i in INTENTS), lang
        assert set(catalog(lang).entities["waste_kind"]) == {
            "household", "recycling", "green", "glass", "bulky",
        }  # fmt: skip
