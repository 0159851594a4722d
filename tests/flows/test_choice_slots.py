"""A menu choice's `set:` fills slots, by keypad, by voice, from a pending sentence and
through "which one?", and the state keeps them through JSON."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from flows.dialog import Engine
from flows.handlers import HandlerContext, HandlerResult
from flows.loader import flow_files, load_flows
from flows.runtime import Runtime
from flows.session import Candidate, PickQuestion, Pressed, Said, SessionState
from support.flowkit import FIXTURES, HANDLERS, OPEN, FakeTown, make_catalogs

KIND_MENU = """
  kinds:
    kind: menu
    prompt: main.menu
    choices:
      - {key: 1, intent: waste.collection_day, label: main.choice_waste, next: start}
      - {key: 2, intent: waste.green, label: main.choice_waste, set: {waste_kind: green}, next: start}
      - {key: 3, intent: waste.tomorrow, label: main.choice_waste, set: {waste_kind: household, when: tomorrow}, next: start}
"""
SEEN: list[dict] = []


def collection(ctx: HandlerContext) -> HandlerResult:
    SEEN.append(dict(ctx.slots))
    return HANDLERS["test.collection"](ctx)


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    flows_dir = tmp_path / "flows"
    shutil.copytree(FIXTURES / "flows", flows_dir)
    main = flows_dir / "main.yaml"
    text = main.read_text().replace("next: waste.start}", "next: waste.kinds}")
    main.write_text(text.replace("next: meetings}\n", "next: meetings}\n    shortcuts:\n      - {intent: waste.green, next: waste.kinds}\n"))
    waste = flows_dir / "waste.yaml"
    waste.write_text(waste.read_text().replace("start: start\n", "start: kinds\n") + KIND_MENU)
    flows, problems = load_flows(flow_files(flows_dir))
    assert not problems, problems
    SEEN.clear()
    handlers = {**HANDLERS, "test.collection": collection}
    return Engine(Runtime(flows=flows, catalogs=make_catalogs(), handlers=handlers, town=FakeTown()))


def run(engine: Engine, *events, lang="en"):
    step = engine.start("c", OPEN, language=lang)
    for event in events:
        # Through JSON at every turn, as a call kept outside the process would be.
        state = SessionState.from_json(step.state.to_json())
        step = engine.step(state, event, OPEN)
    return step


def test_choice_by_keypad_sets_the_slot_the_handler_reads(engine):
    step = run(engine, Pressed("1"), Pressed("2"))
    assert step.state.slots["waste_kind"] == {"key": "green", "text": "green waste"}  # named in the call's language
    run(engine, Pressed("1"), Pressed("2"), Said("12 rue victor hugo"), Pressed("1"))
    assert SEEN[-1]["waste_kind"]["key"] == "green"


def test_choice_by_voice_sets_the_slot(engine):
    step = run(engine, Pressed("1"), Said("garden waste"), lang="en")
    assert step.intent == "waste.green" and step.state.slots["waste_kind"]["key"] == "green"


def test_a_sentence_that_prefills_the_menu_sets_the_slot(engine):
    step = run(engine, Said("quand passent les déchets verts au 12 rue victor hugo"), lang="fr")
    assert step.state.node == "waste.confirm"
    assert step.state.slots["waste_kind"] == {"key": "green", "text": "déchets verts"}


def test_another_choice_forgets_what_the_first_one_set(engine):
    step = run(engine, Pressed("1"), Pressed("3"))
    assert step.state.slots["waste_kind"]["key"] == "household" and step.state.slots["when"] == {"text": "tomorrow"}
    state = step.state
    state.node = "waste.kinds"
    step = engine.step(state, Pressed("2"), OPEN)
    assert step.state.slots["waste_kind"]["key"] == "green" and "when" not in step.state.slots
    state = step.state
    state.node = "waste.kinds"
    step = engine.step(state, Pressed("1"), OPEN)
    assert "waste_kind" not in step.state.slots


def test_which_one_keeps_the_slots_of_each_candidate_through_json(engine):
    step = run(engine, Pressed("1"))
    state = step.state
    state.node = "@pick"
    state.pick = PickQuestion(
        "intent",
        (
            Candidate("1", "days", "waste.collection_day", "start", {"waste_kind": None, "when": None}),
            Candidate("2", "green", "waste.green", "start",
                      {"waste_kind": {"key": "green", "text": "green waste"}, "when": None}),
        ),
        node="waste.kinds",
    )
    state = SessionState.from_json(state.to_json())
    step = engine.step(state, Pressed("2"), OPEN)
    assert step.state.node == "waste.start" and step.state.slots["waste_kind"]["key"] == "green"
