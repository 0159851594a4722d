"""The call engine: events in, actions out, with the accessibility rules of every call."""

from __future__ import annotations

import json

from flows.dialog import Engine
from flows.session import (
    Ask,
    CallerHungUp,
    EndCall,
    NoInput,
    Pressed,
    Said,
    Say,
    SessionState,
    StaffRequest,
    Transfer,
)
from support.flowkit import CLOSED, OPEN, make_runtime, of, says


def start(engine, lang="fr", now=OPEN):
    return engine.start("call-1", now, caller="+33612345678", language=lang)


def test_language_menu_is_announced_in_each_language_and_chosen_by_key(engine):
    step = engine.start("c", OPEN)
    langs = [a.lang for a in of(step, Say)]
    assert langs == ["fr", "en", "es"]
    assert "press 2" in says(step)
    ask = of(step, Ask)[0]
    assert ask.expect == "language" and [o.key for o in ask.options] == ["1", "2", "3"]
    step = engine.step(step.state, Pressed("3"), OPEN)
    assert step.state.lang == "es"
    assert "asistente automático" in says(step)
    assert step.state.node == "main.menu"


def test_language_chosen_by_speaking(engine):
    step = engine.step(engine.start("c", OPEN).state, Said("english please"), OPEN)
    assert step.state.lang == "en"


def test_fixed_language_skips_the_language_menu():
    engine = Engine(make_runtime(fixed_language="en"))
    step = engine.start("c", OPEN)
    assert step.state.lang == "en" and step.state.node == "main.menu"


def test_keypad_only_call_reaches_an_answer_with_provenance(engine):
    step = start(engine, "en")
    step = engine.step(step.state, Pressed("1"), OPEN)
    assert step.intent == "waste.collection_day"
    assert of(step, Ask)[0].slot_type == "address"
    step = engine.step(step.state, Said("12 victor hugo street"), OPEN)
    assert "12 Rue Victor Hugo" in says(step)
    step = engine.step(step.state, Pressed("1"), OPEN)  # 1 = yes
    answer = [a for a in of(step, Say) if a.prompt == "test.answer"][0]
    assert "Tuesday" in answer.text
    assert answer.provenance and answer.provenance[0].dataset == "collections"
    assert str(answer.provenance[0].verified) == "2026-10-02"
    # The question after the answer carries no provenance: it states no fact.
    assert not [a for a in of(step, Say) if a.prompt == "main.anything_else"][0].provenance
    step = engine.step(step.state, Pressed("2"), OPEN)
    assert of(step, Ask)[0].slot == "satisfaction"  # the optional rating
    step = engine.step(step.state, Pressed("5"), OPEN)
    assert of(step, EndCall) and step.state.ended and step.state.outcome == "answered"
    assert step.state.slots["satisfaction"]["number"] == 5


def test_several_things_at_once_prefill_the_slot(engine):
    step = start(engine, "fr")
    step = engine.step(step.state, Said("bonjour oui je voulais savoir quel jour passe la poubelle au 12 rue victor hugo"), OPEN)
    assert step.intent == "waste.collection_day"
    assert step.state.node == "waste.confirm"  # the address question was skipped
    assert "12 Rue Victor Hugo" in says(step)


def test_zero_reaches_a_person_from_anywhere_with_context(engine):
    step = start(engine, "en")
    step = engine.step(step.state, Pressed("1"), OPEN)
    step = engine.step(step.state, Said("12 rue du port"), OPEN)
    step = engine.step(step.state, Pressed("0"), OPEN)
    transfer = of(step, Transfer)[0]
    assert transfer.number == "+33199001234"
    assert transfer.reason == "caller_asked"
    assert transfer.context["slots"]["address"] == "12 Rue du Port"
    # what was asked, in words staff understand (never an internal intent name)
    assert "anglais" in transfer.summary and "collectes de déchets" in transfer.summary
    assert "waste.collection_day" not in transfer.summary
    assert any(r.details["reason"] == "asked for a person" for r in of(step, StaffRequest))
    assert step.state.outcome == "transferred"


def test_asking_for_a_person_by_voice(engine):
    step = engine.step(start(engine, "es").state, Said("quiero hablar con una persona"), OPEN)
    assert of(step, Transfer)


def test_person_after_hours_becomes_a_callback_request(engine):
    step = start(engine, "fr", now=CLOSED)
    step = engine.step(step.state, Pressed("0"), CLOSED)
    assert not of(step, Transfer)
    assert of(step, Ask)[0].slot_type == "phone"
    step = engine.step(step.state, Pressed("0612345678#"), CLOSED)
    assert of(step, StaffRequest)[0].kind == "callback"
    assert "06 12 34 56 78" in says(step)
    assert step.state.outcome == "callback" and of(step, EndCall)


def test_star_repeats_the_last_prompt(engine):
    step = start(engine, "en")
    step = engine.step(step.state, Pressed("*"), OPEN)
    assert "How can I help you" in says(step)
    assert of(step, Ask)[0].node == "main.menu"


def test_nine_or_slower_makes_every_later_prompt_slow(engine):
    step = start(engine, "fr")
    step = engine.step(step.state, Said("plus lentement s'il vous plaît"), OPEN)
    assert step.intent == "slower"
    assert all(a.slow for a in of(step, Say))
    step = engine.step(step.state, Pressed("1"), OPEN)
    assert all(a.slow for a in of(step, Say))
    step2 = engine.step(start(engine, "en").state, Pressed("9"), OPEN)
    assert step2.state.slow


def test_failure_ladder_reprompts_then_keypad_options_then_person(engine):
    step = start(engine, "en")
    step = engine.step(step.state, Said("purple elephants"), OPEN)
    assert "sorry" in says(step).lower() and "How can I help" in says(step)
    step = engine.step(step.state, Said("purple giraffes"), OPEN)
    assert "for waste collection, press 1" in says(step)  # the short prompt with keys
    step = engine.step(step.state, NoInput(), OPEN)
    assert "put you through to a person" in says(step)
    assert of(step, StaffRequest)[0].details["reason"] == "not understood 3 times"
    step = engine.step(step.state, Said("purple"), OPEN)
    assert of(step, Transfer)[0].reason == "not_understood"


def test_timeouts_lengthen_after_silence(engine):
    step = start(engine, "en")
    first = of(step, Ask)[0].timeout
    step = engine.step(step.state, NoInput(), OPEN)
    assert of(step, Ask)[0].timeout > first


def test_ambiguous_street_is_asked_by_voice_or_keypad(runtime):
    from nlu.addresses import AddressResult, StreetMatch

    port, pont = StreetMatch("port", "Rue du Port", 80.0), StreetMatch("pont", "Rue du Pont", 79.0)
    resolver = runtime.understanding._addresses
    resolver.resolve = lambda text, lang, known_street_id=None: AddressResult("ambiguous", None, 12, [port, pont])
    engine = Engine(runtime)
    step = start(engine, "fr")
    step = engine.step(step.state, Pressed("1"), OPEN)
    step = engine.step(step.state, Said("douze rue du po"), OPEN)
    assert step.state.node == "@pick"
    options = of(step, Ask)[0].options
    assert [o.label for o in options] == ["12 Rue du Port", "12 Rue du Pont"]
    assert "pour 12 Rue du Pont, appuyez sur 2" in says(step)
    by_key = engine.step(step.state, Pressed("2"), OPEN)
    assert by_key.state.slots["address"]["street_id"] == "pont"
    assert by_key.state.node == "waste.confirm"
    by_voice = engine.step(step.state, Said("rue du port"), OPEN)
    assert by_voice.state.slots["address"]["street_id"] == "port"


def test_which_street_takes_a_key_said_as_a_number_with_its_courtesy(runtime):
    from nlu.addresses import AddressResult, StreetMatch

    port, pont = StreetMatch("port", "Rue du Port", 80.0), StreetMatch("pont", "Rue du Pont", 79.0)
    runtime.understanding._addresses.resolve = lambda text, lang, known_street_id=None: AddressResult(
        "ambiguous", None, 12, [port, pont])
    engine = Engine(runtime)
    step = start(engine, "fr")
    step = engine.step(step.state, Pressed("1"), OPEN)
    step = engine.step(step.state, Said("douze rue du po"), OPEN)
    assert step.state.node == "@pick"
    said = engine.step(step.state, Said("deux s'il vous plaît"), OPEN)
    assert said.state.slots["address"]["street_id"] == "pont"
    # More than a key: not taken as one, and not a street either.
    more = engine.step(step.state, Said("deux gros canapés"), OPEN)
    assert more.state.node == "@pick" and more.state.slots.get("address", {}).get("street_id") is None


def test_unknown_street_goes_where_the_flow_says(engine):
    step = start(engine, "en")
    step = engine.step(step.state, Pressed("1"), OPEN)
    step = engine.step(step.state, Said("42 avenue of the unknown galaxy"), OPEN)
    assert "do not know the street" in says(step) and of(step, Transfer)


def test_failing_handler_apologises_and_offers_a_person(tmp_path):
    from support.flowkit import FIXTURES

    flows_dir = tmp_path / "flows"
    flows_dir.mkdir()
    for f in (FIXTURES / "flows").iterdir():
        (flows_dir / f.name).write_text(f.read_text().replace("test.collection", "test.broken"))
    engine = Engine(make_runtime(flows_dir))
    step = start(engine, "en")
    step = engine.step(step.state, Pressed("1"), OPEN)
    step = engine.step(step.state, Said("3 rue du port"), OPEN)
    step = engine.step(step.state, Pressed("1"), OPEN)
    assert "something went wrong" in says(step)
    assert of(step, Transfer)


def test_language_switch_is_offered_mid_call(engine):
    step = start(engine, "en")
    step = engine.step(step.state, Said("je voudrais savoir quand passe la poubelle"), OPEN)
    assert step.state.node == "@switch"
    assert of(step, Say)[0].lang == "fr"
    step = engine.step(step.state, Pressed("1"), OPEN)
    assert step.state.lang == "fr"
    assert "continuons en français" in says(step)


def test_state_round_trips_through_json_between_turns(engine):
    step = start(engine, "en")
    step = engine.step(step.state, Pressed("1"), OPEN)
    restored = SessionState.from_json(step.state.to_json())
    assert restored == step.state
    step = engine.step(restored, Said("12 rue victor hugo"), OPEN)
    json.loads(step.state.to_json())
    assert step.state.slots["address"]["number"] == 12


def test_hang_up_ends_the_call_as_abandoned(engine):
    step = engine.step(start(engine, "en").state, CallerHungUp(), OPEN)
    assert step.state.ended and step.state.outcome == "abandoned" and not step.actions
    assert not engine.step(step.state, Pressed("1"), OPEN).actions


def test_empty_and_hostile_input_never_crash(engine):
    state = start(engine, "en").state
    for text in ["", " ", "x" * 10_000, "\x00\x01\xff", "Привет 你好 bin"]:
        step = engine.step(state, Said(text), OPEN)
        assert says(step)  # the caller always hears something
        assert of(step, Ask) or of(step, Transfer)


def test_spoken_provenance_names_the_source_and_its_date_when_the_city_wants_it():
    from types import SimpleNamespace

    engine = Engine(make_runtime(config=SimpleNamespace(spoken_provenance=True)))
    step = start(engine, "fr")
    step = engine.step(step.state, Pressed("1"), OPEN)
    step = engine.step(step.state, Said("12 rue victor hugo"), OPEN)
    step = engine.step(step.state, Said("oui"), OPEN)
    assert "D'après les informations de la ville sur la collecte des déchets ; dernière vérification le 2 octobre 2026" in says(step)
    quiet = Engine(make_runtime())
    step = start(quiet, "fr")
    for event in (Pressed("1"), Said("12 rue victor hugo"), Said("oui")):
        step = quiet.step(step.state, event, OPEN)
    assert "D'après" not in says(step)


def test_two_close_intents_are_asked_about_by_voice_or_keypad(runtime):
    from nlu.intents import IntentDecision, IntentScore

    ranked = [IntentScore("meetings.next", 80.0), IntentScore("waste.collection_day", 78.0)]
    runtime.understanding.decide = lambda text, lang, only: IntentDecision("ambiguous", ranked)
    engine = Engine(runtime)
    step = engine.step(start(engine, "en").state, Said("when is the next collection meeting"), OPEN)
    assert step.state.node == "@pick"
    assert "council meetings" in says(step) and "waste collection" in says(step)
    by_key = engine.step(step.state, Pressed("2"), OPEN)
    assert by_key.intent == "waste.collection_day" and by_key.state.node == "waste.start"
    by_voice = engine.step(step.state, Said("council meetings"), OPEN)
    assert by_voice.intent == "meetings.next"


def test_a_failed_transfer_goes_on_in_the_callback_flow(engine):
    step = engine.step(start(engine, "fr").state, Pressed("0"), OPEN)
    assert step.state.ended and of(step, Transfer)
    step = engine.transfer_failed(step.state, OPEN, "no-answer")
    assert not step.state.ended and of(step, Ask)[0].slot_type == "phone"
    assert step.state.slots["transfer_reason"] == "transfer_no_answer"
    step = engine.step(step.state, Pressed("0612345678#"), OPEN)
    assert of(step, StaffRequest)[0].kind == "callback" and step.state.outcome == "callback"


def test_a_menu_tells_the_recogniser_what_callers_say_there():
    """One example per intent the menu understands by voice, the longest (most words), in
    the call's language; nothing for a node that is not a menu (docs/voice.md)."""
    from flows.dialog.menu import menu_examples

    rt = make_runtime()
    assert menu_examples(rt, "main.menu", "es") == ("qué día pasa la basura", "reunión del ayuntamiento")
    assert menu_examples(rt, "main.menu", "en")[0] == "when is my garbage collected"
    assert len(menu_examples(rt, "main.menu", "fr", per_intent=2)) == 4
    assert menu_examples(rt, "main.survey", "en") == () and menu_examples(rt, "no.such", "en") == ()


def test_a_failed_transfer_without_a_callback_flow_leaves_staff_a_callback_with_context(tmp_path):
    import shutil

    from support.flowkit import FIXTURES

    for name in ("common.yaml", "main.yaml", "meetings.yaml", "waste.yaml"):
        shutil.copy(FIXTURES / "flows" / name, tmp_path / name)
    engine = Engine(make_runtime(tmp_path))
    step = engine.step(start(engine, "en").state, Pressed("0"), OPEN)
    step = engine.transfer_failed(step.state, OPEN, "busy")
    [request] = of(step, StaffRequest)
    assert request.kind == "callback" and request.details["reason"] == "transfer_busy"
    assert request.details["summary"].startswith("Appel en anglais")
    assert step.state.ended and step.state.outcome == "callback"


def test_a_key_said_aloud_is_that_key_where_keys_are_asked(engine):
    # The main menu: "deux" is key 2 (meetings), "el dos" too; "zéro" is a person.
    by_key = engine.step(start(engine, "fr").state, Pressed("2"), OPEN)
    step = engine.step(start(engine, "fr").state, Said("deux"), OPEN)
    assert step.state.node == by_key.state.node != "main.menu" and step.intent == by_key.intent
    assert engine.step(start(engine, "es").state, Said("el dos"), OPEN).state.node == by_key.state.node
    assert engine.step(start(engine, "fr").state, Said("trois"), OPEN).state.node == "main.menu"  # no key 3 here
    assert of(engine.step(start(engine, "fr").state, Said("zéro"), OPEN), Transfer)
    # The star said aloud repeats, as the key does.
    first = start(engine, "en")
    again = engine.step(first.state, Said("star"), OPEN)
    assert [a.prompt for a in of(again, Say)][-1] == [a.prompt for a in of(first, Say)][-1]
    # The language menu counts in any language offered.
    assert engine.step(engine.start("c", OPEN).state, Said("tres"), OPEN).state.lang == "es"


def test_a_number_is_a_value_where_a_value_is_asked(engine):
    step = engine.step(start(engine, "fr").state, Pressed("1"), OPEN)
    assert of(step, Ask)[0].slot_type == "address"
    step = engine.step(step.state, Said("zéro"), OPEN)  # heard as a street: the flow's own way on
    assert "address_heard" in step.state.slots and all(t.reason != "caller_asked" for t in of(step, Transfer))


def test_a_greeting_alone_is_greeted_back_and_never_a_goodbye(engine):
    first = start(engine, "fr")
    step = engine.step(first.state, Said("allô oui bonjour"), OPEN)
    assert not step.state.ended and says(step).startswith("Bonjour !")
    assert [a.prompt for a in of(step, Say)][-1] == [a.prompt for a in of(first, Say)][-1]  # the question again
    assert not engine.step(start(engine, "es").state, Said("buenas tardes"), OPEN).state.ended
    # "salut" greets before anything was answered, and takes leave after an answer.
    step = start(engine, "en")
    step = engine.step(step.state, Pressed("1"), OPEN)
    step = engine.step(step.state, Said("12 victor hugo street"), OPEN)
    step = engine.step(step.state, Pressed("1"), OPEN)
    assert step.state.last_answer is not None
    assert engine.step(step.state, Said("bye"), OPEN).state.ended
    fr = engine.step(start(engine, "fr").state, Pressed("1"), OPEN)
    fr = engine.step(engine.step(fr.state, Said("12 rue victor hugo"), OPEN).state, Pressed("1"), OPEN)
    assert fr.state.last_answer is not None and engine.step(fr.state, Said("salut"), OPEN).state.ended


def test_a_question_the_town_does_not_answer_is_said_so_not_misheard(engine):
    """A passport question is not "not understood": the caller is told the line cannot answer
    it (and hears the menu), rather than being led to say it again."""
    step = start(engine, "en")
    step = engine.step(step.state, Said("how do i renew my passport"), OPEN)
    assert "this line can answer" in says(step) and "didn't understand" not in says(step), says(step)
    assert any(getattr(a, "prompt", None) == "common.not_handled" for a in step.actions)
