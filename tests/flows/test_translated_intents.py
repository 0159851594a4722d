"""A language without curated intent examples is understood through apertium."""

from __future__ import annotations

import dataclasses

from flows.dialog import Engine
from flows.loader import flow_files, load_flows
from flows.runtime import Runtime
from flows.session import Said
from flows.validator import validate
from nlu.translate.chain import default_chain
from support.flowkit import HANDLERS, OPEN, FakeTown, make_catalogs


def test_spanish_without_examples_reaches_the_right_choice_through_translation():
    from support.flowkit import FIXTURES

    catalogs = make_catalogs()
    catalogs.by_lang["es"] = dataclasses.replace(catalogs["es"], intents={})
    chain = default_chain(["apertium"])
    assert chain.engines, "apertium must be installed (scripts/install-system-deps.sh)"
    flows, _ = load_flows(flow_files(FIXTURES / "flows"))
    # Without an engine the validator refuses a language with no examples; with one, not.
    assert any("no examples" in p.message for p in validate(flows, catalogs, HANDLERS, town=FakeTown()))
    assert not any(
        "no examples" in p.message for p in validate(flows, catalogs, HANDLERS, town=FakeTown(), translated=True)
    )
    engine = Engine(Runtime(flows=flows, catalogs=catalogs, handlers=HANDLERS, town=FakeTown(), translator=chain))
    step = engine.start("c", OPEN, language="es")
    step = engine.step(step.state, Said("cuándo es la próxima reunión del consejo"), OPEN)
    assert step.intent == "meetings.next"


def test_street_names_do_not_make_an_english_caller_sound_french(engine):
    assert engine.runtime.understanding.language_of("what about rue du port") != "fr"
