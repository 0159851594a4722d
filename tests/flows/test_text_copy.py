"""A copy of the answer by SMS, asked for on the phone (key 7 or in words): consent first, the
number used for that one message, the answer with its source, date and the town's page."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from flows.dialog import Engine
from flows.session import Ask, Pressed, Said, SendText
from support.flowkit import OPEN, FakeTown, make_runtime, says

COPIES = SimpleNamespace(sms_copies=True, spoken_provenance=False)
WORDS = {"en": "can you send it to me by text", "fr": "envoyez-moi la réponse par sms", "es": "envíemelo por sms por favor"}
ANSWER = {"en": "At 12 Rue Victor Hugo, the bin goes out on Tuesday.",
          "fr": "Au 12 Rue Victor Hugo, la poubelle sort le mardi.",
          "es": "En 12 Rue Victor Hugo, el contenedor sale el martes."}
CONSENT = {"en": "ending in 7 8", "fr": "qui finit par 7 8", "es": "que termina en 7 8"}
SOURCE = {"en": "Source: the town's waste collection information (calendrier.pdf), checked on 2 October 2026.",
          "fr": "Source : les informations de la ville sur la collecte des déchets (calendrier.pdf) ; dernière vérification le 2 octobre 2026.",
          "es": "Fuente: la información del ayuntamiento sobre la recogida de residuos (calendrier.pdf); última comprobación el 2 de octubre de 2026."}


class TownWithPage(FakeTown):
    country = "FR"
    website = "https://www.testville.example/dechets"


def answered(lang: str, caller: str | None = "+33612345678", config=COPIES):
    """A call that has just heard its collection day (and now hears: anything else?)."""
    engine = Engine(make_runtime(config=config, town=TownWithPage()))
    step = engine.start("c", OPEN, caller=caller, language=lang)
    step = engine.step(step.state, Pressed("1"), OPEN)
    step = engine.step(step.state, Said("12 rue victor hugo"), OPEN)
    step = engine.step(step.state, Pressed("1"), OPEN)
    assert ANSWER[lang] in says(step)
    return engine, step


@pytest.mark.parametrize("lang", ["fr", "en", "es"])
def test_by_key_the_caller_consents_and_gets_the_answer_with_its_source_date_and_page(lang):
    engine, step = answered(lang)
    offer = {"en": "press 7", "fr": "appuyez sur 7", "es": "pulse 7"}[lang]
    assert offer in says(step)  # said after the answer, before "anything else?"
    asked_before = step.state.last_ask
    step = engine.step(step.state, Pressed("7"), OPEN)
    assert CONSENT[lang] in says(step) and step.state.node == "@text_copy"
    assert not [a for a in step.actions if isinstance(a, SendText)]  # nothing before consent
    step = engine.step(step.state, Pressed("1"), OPEN)
    [sent] = [a for a in step.actions if isinstance(a, SendText)]
    assert sent.to is None and sent.lang == lang  # the number calling: the shell knows it
    assert sent.text.splitlines() == [ANSWER[lang], SOURCE[lang], "Testville" + (" : " if lang == "fr" else ": ")
                                      + "https://www.testville.example/dechets"]
    # Back where the call was: the question is asked again.
    assert step.state.node == "main.anything_else" and step.state.last_ask == asked_before
    assert step.state.copy_offer is None and step.intent == "text_copy.sent"


@pytest.mark.parametrize("lang", ["fr", "en", "es"])
def test_by_voice_and_a_no_sends_nothing(lang):
    engine, step = answered(lang)
    step = engine.step(step.state, Said(WORDS[lang]), OPEN)
    assert step.state.node == "@text_copy" and CONSENT[lang] in says(step)
    step = engine.step(step.state, Said({"en": "no thanks", "fr": "non merci", "es": "no gracias"}[lang]), OPEN)
    assert not [a for a in step.actions if isinstance(a, SendText)]
    assert step.state.node == "main.anything_else" and step.intent == "text_copy.declined"


def test_a_hidden_number_is_typed_read_back_then_forgotten():
    engine, step = answered("fr", caller=None)
    step = engine.step(step.state, Pressed("7"), OPEN)
    assert "tapez votre numéro de portable" in says(step)
    assert step.state.last_ask.max_digits  # a number, ended by the pound key
    step = engine.step(step.state, Pressed("0611223344#"), OPEN)
    assert "06 11 22 33 44" in says(step)
    step = engine.step(step.state, Pressed("1"), OPEN)
    [sent] = [a for a in step.actions if isinstance(a, SendText)]
    assert sent.to == "+33611223344"
    assert "611223344" not in step.state.to_json()  # the session keeps no trace of it


def test_a_landline_is_refused_then_the_call_goes_on():
    engine, step = answered("en", caller="+33199001234")  # a landline: it cannot get an SMS
    step = engine.step(step.state, Pressed("7"), OPEN)
    assert "type your mobile number" in says(step)
    step = engine.step(step.state, Pressed("0145678901#"), OPEN)  # a Paris landline
    assert "does not seem to be a mobile number" in says(step)
    step = engine.step(step.state, Pressed("12#"), OPEN)
    assert "no text message was sent" in says(step)
    assert step.state.node == "main.anything_else" and not [a for a in step.actions if isinstance(a, SendText)]


def test_a_wrong_number_read_back_is_typed_again():
    engine, step = answered("en", caller=None)
    step = engine.step(step.state, Pressed("7"), OPEN)
    step = engine.step(step.state, Pressed("0611223344#"), OPEN)
    step = engine.step(step.state, Pressed("2"), OPEN)
    assert "Type the mobile number again" in says(step)
    step = engine.step(step.state, Pressed("0699887766#"), OPEN)
    step = engine.step(step.state, Pressed("1"), OPEN)
    assert [a.to for a in step.actions if isinstance(a, SendText)] == ["+33699887766"]


def test_no_offer_where_the_town_sends_no_copies_and_7_is_then_not_a_rule():
    engine, step = answered("en", config=SimpleNamespace(sms_copies=False, spoken_provenance=False))
    assert "press 7" not in says(step)
    step = engine.step(step.state, Pressed("7"), OPEN)
    assert step.state.node == "main.anything_else" and "didn't understand" in says(step)


NOTHING_YET = {"en": "There is no answer to send by text message yet", "fr": "Il n'y a pas encore de réponse à envoyer",
               "es": "Todavía no hay ninguna respuesta que enviar"}


@pytest.mark.parametrize("lang", ["fr", "en", "es"])
def test_before_any_answer_the_caller_hears_what_a_copy_is_for_then_the_question(lang):
    engine = Engine(make_runtime(config=COPIES, town=TownWithPage()))
    start = engine.start("c", OPEN, caller="+33612345678", language=lang)
    for event in (Pressed("7"), Said(WORDS[lang])):
        step = engine.step(start.state, event, OPEN)
        said = says(step)
        assert said.startswith(NOTHING_YET[lang]), said
        assert step.state.node == "main.menu" and step.state.last_ask == start.state.last_ask
        assert not [a for a in step.actions if isinstance(a, SendText)] and step.state.copy_offer is None
        assert step.intent == "text_copy"


def test_a_written_conversation_is_never_offered_a_copy():
    engine = Engine(make_runtime(config=COPIES, town=TownWithPage()))
    step = engine.start("c", OPEN, caller="+33612345678", language="en", channel="sms")
    step = engine.step(step.state, Pressed("1"), OPEN)
    step = engine.step(step.state, Said("12 rue victor hugo"), OPEN)
    step = engine.step(step.state, Pressed("1"), OPEN)
    assert ANSWER["en"] in says(step) and "press 7" not in says(step)


def test_the_offer_survives_the_session_json_round_trip():
    engine, step = answered("fr", caller=None)
    step = engine.step(step.state, Pressed("7"), OPEN)
    step = engine.step(step.state, Pressed("0611223344#"), OPEN)
    again = type(step.state).from_json(step.state.to_json())
    assert again == step.state and again.copy_offer.stage == "confirm"
    assert isinstance(again.copy_offer.back, Ask)
    assert json.loads(step.state.to_json())["last_answer"]["sources"][0]["dataset"] == "collections"
