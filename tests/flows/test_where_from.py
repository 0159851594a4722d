"""'Where does that come from?': by voice or by the # key, at any question after an answer."""

from __future__ import annotations

from flows.session import Ask, Pressed, Said
from support.flowkit import OPEN, says


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
    assert "According to the town's collection calendar, checked on 2 October 2026." in text
    assert text.endswith(engine.runtime.catalogs.render("main.anything_else", "en").text)
    assert any(isinstance(a, Ask) for a in step.actions) and step.intent == "source"
    # Asked twice, said twice: the answer's sources outlive the question that followed it.
    again = engine.step(step.state, Pressed("#"), OPEN)
    assert "checked on 2 October 2026" in says(again)


def test_asked_in_words_in_each_language(engine):
    for lang, question, expected in (("en", "who says so", "checked on"), ("fr", "d'où vient cette information", "vérifié le"),
                                     ("es", "de dónde viene esa información", "verificado el")):
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
