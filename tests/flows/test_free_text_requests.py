"""At a free-text question that hears requests (the objects to pick up), a request for a
person is heard as such, and no object of the sorting guide is ever taken for a request
("piano" is not "slower", "desk" not the front desk, "móvil" not a text message)."""

from __future__ import annotations

from pathlib import Path

import pytest

from civicline.config import load_config
from civicline.wiring import load_runtime
from flows.dialog import Engine
from flows.session import Pressed, Said, Transfer
from support.flowkit import OPEN, says

ROOT = Path(__file__).resolve().parents[2]
LANGS = ("fr", "en", "es", "it")


@pytest.fixture(scope="module")
def engine():
    return Engine(load_runtime(load_config(ROOT / "civicline.toml", env={"CIVICLINE_LANGUAGES": ",".join(LANGS)})))


def at_the_objects_question(engine, lang):
    step = engine.start("call-1", OPEN, caller="+33612345678", language=lang)
    for event in (Pressed("1"), Pressed("6"), Pressed("1")):
        step = engine.step(step.state, event, OPEN)
    assert step.state.node == "requests.bulky_object", says(step)
    return step


@pytest.mark.parametrize(("lang", "asked"), [("en", "can i talk to a real person please"),
                                              ("fr", "je voudrais parler à un conseiller"),
                                              ("es", "quiero hablar con alguien del ayuntamiento"),
                                              ("it", "vorrei parlare con un operatore")])
def test_a_person_asked_for_at_the_objects_question_is_put_through(engine, lang, asked):
    step = engine.step(at_the_objects_question(engine, lang).state, Said(asked), OPEN)
    assert any(isinstance(a, Transfer) for a in step.actions), says(step)


def test_the_message_question_keeps_every_word_as_the_message(engine):
    """A message left after hours is the caller's own words, a request for a person too."""
    node = engine.runtime.flows.nodes["callback.ask_message"]
    assert node.type == "text" and not node.requests_heard


@pytest.mark.parametrize("lang", LANGS)
def test_no_name_of_the_sorting_guide_is_taken_for_a_request(engine, lang):
    from flows.dialog.engine import _requests_heard

    understanding = engine.runtime.understanding
    state = at_the_objects_question(engine, lang).state
    turn = type("T", (), {"rt": engine.runtime, "state": state, "lang": lang, "understanding": understanding})()
    names = [n for names in understanding._synonyms("sorting_item", lang).values() for n in names]
    assert len(names) >= 150
    taken = [n for n in names if _requests_heard(turn, n) and understanding.global_intent(n, lang) is not None]
    assert taken == []
