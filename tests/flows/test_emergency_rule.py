"""Safety first: an emergency heard at any question, in any enabled language, is answered at
once with the emergency number and the offer of a person, and flagged for staff; never a menu."""

from __future__ import annotations

import pytest

from flows.dialog import Engine
from flows.session import (
    Ask,
    EndCall,
    NoInput,
    Pressed,
    Said,
    Say,
    SessionState,
    StaffRequest,
    Transfer,
)
from flows.town.emergency import EmergencyNumbers
from support.flowkit import CLOSED, OPEN, FakeTown, make_runtime, of, says


def at_address(engine, lang="en", now=OPEN):
    step = engine.start("call-1", now, caller="+33612345678", language=lang)
    return engine.step(step.state, Pressed("1"), now)  # waste: the address question


def test_an_emergency_at_the_address_question_gets_the_number_a_person_and_a_review(engine):
    step = at_address(engine)
    assert step.state.node == "waste.start"
    step = engine.step(step.state, Said("hurry my kitchen is on fire"), OPEN)
    text = says(step)
    assert "hang up now" in text and "1 1 2" in text  # the test town gives no numbers: 112
    assert "press 1" in text and "What is your address" not in text
    reviews = [r for r in of(step, StaffRequest) if r.kind == "review"]
    assert reviews and reviews[0].details["kind"] == "emergency"
    assert reviews[0].details["context"]["heard"] == "hurry my kitchen is on fire"
    assert step.state.node == "@emergency" and step.state.emergency == "fire"
    ask = of(step, Ask)[0]
    assert ask.expect == "yes_no"


def test_yes_or_zero_puts_the_caller_through_with_the_reason(engine):
    alarm = engine.step(at_address(engine).state, Said("my father collapsed and is not breathing"), OPEN)
    for answer in (Said("yes"), Pressed("1"), Pressed("0")):
        step = engine.step(alarm.state, answer, OPEN)
        transfer = of(step, Transfer)
        assert transfer and transfer[0].reason == "emergency", answer
        assert "emergency" in transfer[0].summary


def test_no_takes_the_caller_back_to_the_question_without_a_second_review(engine):
    alarm = engine.step(at_address(engine, "fr").state, Said("il y a une fuite de gaz dans l'immeuble"), OPEN)
    step = engine.step(alarm.state, Said("non ce n'est pas une urgence"), OPEN)
    assert step.state.node == "waste.start"
    assert "Quelle est votre adresse" in says(step)
    assert not of(step, StaffRequest)
    step = engine.step(step.state, Said("12 rue du Port"), OPEN)
    assert step.state.node == "waste.confirm"


def test_a_second_alarm_repeats_the_advice_but_flags_the_call_once(engine):
    alarm = engine.step(at_address(engine).state, Said("someone is attacking my neighbour with a knife"), OPEN)
    step = engine.step(alarm.state, Said("he has a knife please"), OPEN)
    assert "hang up now" in says(step)
    assert not of(step, StaffRequest)


def test_another_enabled_language_is_heard_and_answered_in_it_first(engine):
    step = engine.step(at_address(engine, "fr").state, Said("help my husband is not breathing"), OPEN)
    langs = [a.lang for a in of(step, Say)]
    assert langs[0] == "en" and "fr" in langs


def test_before_the_language_question_is_answered(engine):
    start = engine.start("c", OPEN)
    step = engine.step(start.state, Said("au secours ça sent le gaz partout"), OPEN)
    assert step.state.lang == "fr" and step.state.emergency == "gas" and "112" in says(step)
    step = engine.step(step.state, Pressed("2"), OPEN)  # not an emergency: the language question again
    assert step.state.node == "@language"


def test_after_hours_no_person_is_promised_and_silence_frees_the_line(engine):
    step = engine.step(at_address(engine, "en", CLOSED).state, Said("I want to kill myself"), CLOSED)
    assert "closed" in says(step) and "1 1 2" in says(step)
    step = engine.step(step.state, Pressed("1"), CLOSED)  # a person, but nobody is there
    assert of(step, EndCall) and not of(step, Transfer) and "1 1 2" in says(step)
    step = engine.step(at_address(engine, "en", CLOSED).state, Said("I want to kill myself"), CLOSED)
    step = engine.step(step.state, NoInput(), CLOSED)
    assert not of(step, EndCall) and "1 1 2" in says(step)
    step = engine.step(step.state, NoInput(), CLOSED)
    assert of(step, EndCall) and step.state.ended


def test_free_text_is_no_shelter(engine):
    """A message left for staff is the caller's own words, yet an emergency in it is heard."""
    runtime = make_runtime()
    engine = Engine(runtime)
    state = engine.start("c", OPEN, language="en").state
    state.node = "waste.start"
    state.last_ask = Ask("slot", "waste.start", slot="message", slot_type="text")
    step = engine.step(state, Said("please someone come my wife is unconscious"), OPEN)
    assert step.state.node == "@emergency"


def test_ordinary_questions_with_alarming_words_are_not_alarms(engine):
    state = engine.start("call-1", OPEN, language="en").state
    for text in ("where do I take an old fire extinguisher", "can I put a gas bottle in the bin",
                 "the smoke detector in the hall needs a battery"):
        step = engine.step(state, Said(text), OPEN)
        assert step.state.node != "@emergency", text


def test_the_state_with_an_alarm_round_trips_through_json(engine):
    step = engine.step(at_address(engine).state, Said("there's a fire"), OPEN)
    again = SessionState.from_json(step.state.to_json())
    assert again.emergency == "fire" and again.emergency_return == {"node": "waste.start"}
    assert engine.step(again, Pressed("2"), OPEN).state.node == "waste.start"


def test_a_doubtful_sentence_hears_the_number_first_then_its_answer(engine):
    """Alarming words that the meaning does not support: a notice, not an alarm."""
    state = engine.start("call-1", OPEN, language="en").state
    step = engine.step(state, Said("is there a knife amnesty bin at the police station"), OPEN)
    text = says(step)
    assert text.startswith("If someone is in danger, hang up and call 1 1 2, or press 0 for a person. Otherwise:"), text
    assert len(of(step, Say)) > 1  # the call goes on with what it says to any such question
    assert step.state.node != "@emergency" and step.state.emergency is None
    assert not [r for r in of(step, StaffRequest) if r.kind == "review"]


class TownWithTextNumber(FakeTown):
    emergency = EmergencyNumbers("112", {"fire": "18"}, text_number="114")


@pytest.mark.parametrize("channel", ["sms", "chat"])
def test_in_writing_the_number_to_text_follows_the_advice(channel):
    """Who writes may be deaf or unable to speak: after the number to call, the number the
    emergency services take text messages on (town.yaml emergency: text_number), in every
    language the advice is given in, from the engine, whatever carries the conversation."""
    engine = Engine(make_runtime(town=TownWithTextNumber()))
    state = engine.start("c", OPEN, language="fr", channel=channel).state
    step = engine.step(state, Said("help my kitchen is on fire"), OPEN)
    said = [(a.prompt, a.lang) for a in of(step, Say)]
    assert said[:4] == [("emergency.fire", "en"), ("emergency.by_text", "en"),
                        ("emergency.fire", "fr"), ("emergency.by_text", "fr")], said
    assert "114" in of(step, Say)[1].text and "deaf" in of(step, Say)[1].text  # the written wording
    # A notice (the number said as a precaution) is followed by it too.
    state = engine.start("c", OPEN, language="en", channel=channel).state
    step = engine.step(state, Said("is there a knife amnesty bin at the police station"), OPEN)
    assert [a.prompt for a in of(step, Say)][:2] == ["emergency.notice", "emergency.by_text"]


def test_by_voice_the_number_to_text_is_not_said():
    engine = Engine(make_runtime(town=TownWithTextNumber()))
    step = engine.step(at_address(engine).state, Said("help my kitchen is on fire"), OPEN)
    assert "emergency.fire" in [a.prompt for a in of(step, Say)]
    assert "114" not in says(step) and "emergency.by_text" not in [a.prompt for a in of(step, Say)]
    step = engine.step(engine.start("c", OPEN, language="en").state,
                       Said("is there a knife amnesty bin at the police station"), OPEN)
    assert "114" not in says(step)


def test_in_writing_a_town_without_a_number_to_text_writes_only_the_advice():
    engine = Engine(make_runtime())
    state = engine.start("c", OPEN, language="en", channel="sms").state
    step = engine.step(state, Said("help my kitchen is on fire"), OPEN)
    assert "emergency.by_text" not in [a.prompt for a in of(step, Say)]
