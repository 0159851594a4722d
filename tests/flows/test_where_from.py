"""'Where does that come from?': by voice or by the # key, at any question after an answer."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.session import Ask, Pressed, Said
from support.flowkit import OPEN, says

ROOT = Path(__file__).resolve().parents[2]


def answered(engine, lang="en"):
    step = engine.start("call-1", OPEN, caller="+33612345678", language=lang)
    for event in (Pressed("1"), Said("12 rue du Port"), Pressed("1")):
        step = engine.step(step.state, event, OPEN)
    assert step.state.node == "main.anything_else", says(step)
    return step


def test_the_pound_key_says_the_source_and_its_date_then_the_question_again(engine):
    step = answered(engine)
    assert "According to" not in says(step)  # not said unless asked (spoken_provenance off)
    step = engine.step(step.state, Pressed("#"), OPEN)
    text = says(step)
    assert "According to the town's waste collection information (" in text
    assert "checked on 2 October 2026." in text
    assert text.endswith(engine.runtime.catalogs.render("main.anything_else", "en").text)
    assert any(isinstance(a, Ask) for a in step.actions) and step.intent == "source"
    # Asked twice, said twice: the answer's sources outlive the question that followed it.
    again = engine.step(step.state, Pressed("#"), OPEN)
    assert "checked on 2 October 2026" in says(again)


def test_asked_in_words_in_each_language(engine):
    for lang, question, expected in (("en", "who says so", "checked on"), ("fr", "d'où vient cette information", "dernière vérification le"),
                                     ("es", "de dónde viene esa información", "última comprobación el")):
        step = engine.step(answered(engine, lang).state, Said(question), OPEN)
        assert step.intent == "source" and expected in says(step), (lang, says(step))


def test_before_any_answer_the_caller_is_told_how_it_works(engine):
    step = engine.start("call-1", OPEN, language="en")
    step = engine.step(step.state, Pressed("#"), OPEN)
    assert "not given you an answer" in says(step) and step.state.node == "main.menu"


def test_a_fee_checked_apart_from_its_permit_is_said_with_its_own_document_and_date(engine):
    from datetime import date

    from flows.dialog.turn import Turn
    from flows.provenance import Source

    turn = Turn(engine.runtime, answered(engine).state, OPEN)
    turn.say_sources([Source("permits", "terrace", "", date(2025, 9, 15), "Guide 2025").to_json(),
                      Source("permits", "terrace.fee", "", date(2026, 12, 4), "Tarifs 2026").to_json(),
                      Source("permits", "terrace", "", date(2025, 9, 15), "Guide 2025").to_json()], asked=True)
    text = " ".join(a.text for a in turn.actions)
    assert "(Guide 2025), checked on 15 September 2025" in text
    assert "(Tarifs 2026), checked on 4 December 2026" in text and text.count("Guide 2025") == 1


@pytest.fixture(scope="module")
def demo_engine():
    from civicline.config import load_config
    from civicline.wiring import load_runtime
    from flows.dialog import Engine

    return Engine(load_runtime(load_config(ROOT / "civicline.toml", env={})))


def test_an_answer_in_two_parts_names_both_sources_and_offers_one_copy(demo_engine):
    """Where an object goes, then the recycling centre's hours: asked where that comes from,
    the sorting guide and the centre's own document are both said; the copy by text message
    is offered once, after the last part, and holds both parts."""
    step = demo_engine.start("call-1", OPEN, caller="+33612345678", language="en")
    step = demo_engine.step(step.state, Said("where do old batteries go"), OPEN)
    offers = [a for a in step.actions if getattr(a, "prompt", None) == "copy.offer"]
    assert len(offers) == 1, says(step)
    assert step.actions.index(offers[0]) > max(
        i for i, a in enumerate(step.actions) if getattr(a, "prompt", None) in ("sorting.answer", "waste.centre_answer")), says(step)
    given = step.state.last_answer
    assert given is not None and "Battery" in given.text and "Chemin des Vignes" in given.text, given
    step = demo_engine.step(step.state, Pressed("#"), OPEN)
    text = says(step)
    assert "sorting guide" in text and "waste collection information" in text, text
    centre = demo_engine.runtime.town.collections.centre.origin.document
    assert f"({centre})" in text, text
