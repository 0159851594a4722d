"""Intent matching on the real catalogs: menu words, several things at once, bad input."""

from __future__ import annotations

import pytest

from nlu.intents import IntentMatcher
from support.nlu_data import LANGS, catalog

MENU = {
    "en": {
        "waste": "waste.collection_day",
        "meetings": "meetings.next",
        "permits": "permits.which",
    },
    "fr": {
        "déchets": "waste.collection_day",
        "conseil": "meetings.next",
        "permis": "permits.which",
    },
    "es": {
        "residuos": "waste.collection_day",
        "reuniones": "meetings.next",
        "permisos": "permits.which",
    },
}


@pytest.fixture(scope="module")
def matchers():
    return {lang: IntentMatcher(catalog(lang).intents, lang) for lang in LANGS}


@pytest.mark.parametrize("lang", LANGS)
def test_menu_words_lead_to_the_first_intent_of_each_service(matchers, lang):
    for word, intent in MENU[lang].items():
        assert matchers[lang].decide(word).intent == intent, word


def test_a_more_specific_example_beats_a_menu_word(matchers):
    # "waste" alone is waste.collection_day; "green waste" is not.
    assert matchers["en"].decide("green waste").intent == "waste.green"
    assert matchers["fr"].decide("les déchets verts").intent == "waste.green"


def test_a_global_word_inside_a_sentence_is_not_a_global_intent(matchers):
    # "pardon" alone asks to repeat; at the start of a question it is politeness.
    m = matchers["fr"]
    assert m.decide("pardon").intent == "repeat"
    ranked = m.rank("pardon je voulais savoir quand passe la poubelle jaune")
    assert ranked[0].intent == "waste.collection_day"
    repeat = next((s.score for s in ranked if s.intent == "repeat"), 0.0)
    assert repeat < 88.0  # the engine's bar for interrupting with a global intent


def test_only_restricts_the_intents(matchers):
    ranked = matchers["en"].rank("when is my bin collected", only={"human", "goodbye"})
    assert all(s.intent in {"human", "goodbye"} for s in ranked)
    assert matchers["en"].decide("when is my bin collected", only={"human"}).kind == "none"


def test_a_sentence_asked_about_again_gets_the_same_answer_whatever_was_done_with_the_first(matchers):
    m = matchers["en"]
    said = "when is my bin collected on rue victor hugo"
    ranked, explained = m.analyse(said)
    fresh = IntentMatcher(catalog("en").intents, "en").analyse(said)
    assert (ranked, explained) == fresh
    ranked.clear()
    explained.clear()
    assert m.analyse(said) == fresh  # the answer kept for the turn is not the caller's copy
    narrow = m.analyse(said, only={"human", "waste.collection_day"})[0]
    assert {s.intent for s in narrow} <= {"human", "waste.collection_day"}  # kept per question
    m.rank(said, limit=20)  # every request ranked first: the narrower question reuses it
    other = IntentMatcher(catalog("en").intents, "en")
    some = {"waste.collection_day", "waste.tomorrow", "human"}
    assert m.rank(said, only=some, limit=20) == other.rank(said, only=some, limit=20)


def test_close_intents_are_reported_as_ambiguous():
    m = IntentMatcher({"a": ["bin day"], "b": ["bin night"]}, "en")
    decision = m.decide("bin day or night")
    assert decision.kind == "ambiguous" and decision.intent is None
    assert {s.intent for s in decision.ranked[:2]} == {"a", "b"}


def test_recogniser_errors(matchers):
    en = matchers["en"]
    assert en.decide("when is the garbagetruck coming").intent == "waste.collection_day"
    assert en.decide("which bin goes out tomorow").intent == "waste.tomorrow"
    assert en.decide("re cycling centre opening hours").intent == "waste.recycling_centre"


def test_scores_are_ranked_and_bounded(matchers):
    ranked = matchers["es"].rank("qué contenedor saco mañana", limit=3)
    assert 1 <= len(ranked) <= 3
    assert all(0 <= s.score <= 100 for s in ranked)
    assert [s.score for s in ranked] == sorted((s.score for s in ranked), reverse=True)
