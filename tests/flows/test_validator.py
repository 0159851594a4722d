"""Each validator rule rejects a bad flow and names the file and the line."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

from flows.loader import flow_files, load_flows
from flows.validator import validate
from staff_files.problems import FlowError
from support.flowkit import FIXTURES, HANDLERS, FakeTown, make_catalogs
from translations.catalog import Catalogs


def check(flows_dir: Path, catalogs=None, handlers=HANDLERS):
    flows, problems = load_flows(flow_files(flows_dir))
    return problems + validate(flows, catalogs or make_catalogs(), handlers, town=FakeTown())


@pytest.fixture
def flows_dir(tmp_path: Path) -> Path:
    target = tmp_path / "flows"
    shutil.copytree(FIXTURES / "flows", target)
    return target


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1))


def line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


def only(problems, needle: str):
    found = [p for p in problems if needle in p.message]
    assert found, f"no problem mentions {needle!r}: {[str(p) for p in problems]}"
    return found[0]


def test_the_fixture_flows_are_valid(flows_dir):
    assert check(flows_dir) == []


def test_unreachable_node(flows_dir):
    waste = flows_dir / "waste.yaml"
    waste.write_text(waste.read_text() + "  orphan:\n    kind: say\n    prompt: test.answer\n    next: answer\n")
    problem = only(check(flows_dir), "no caller can reach")
    assert problem.file.endswith("waste.yaml") and problem.line == line_of(waste, "orphan:")


def test_dead_end_without_hangup_or_transfer(flows_dir):
    meetings = flows_dir / "meetings.yaml"
    edit(meetings, "    next: main.anything_else", "    next: loop\n  loop:\n    kind: ask\n    slot: x\n    type: text\n    prompt: test.ask_date\n    next: loop")
    problems = [p for p in check(flows_dir) if "ends in a hangup or a transfer" in p.message]
    loop = only(problems, "meetings.loop")
    assert loop.file.endswith("meetings.yaml") and loop.line == line_of(meetings, "  loop:")


def test_menu_choice_without_key_or_with_reserved_key(flows_dir):
    main = flows_dir / "main.yaml"
    edit(main, "{key: 2, intent: meetings.next", "{key: 0, intent: meetings.next")
    problem = only(check(flows_dir), "kept for everyone")
    assert problem.line == line_of(main, "key: 0")
    edit(main, "{key: 0, intent: meetings.next", "{intent: meetings.next")
    problem = only(check(flows_dir), "'nodes.menu.choices.1.key' is missing")
    assert problem.line == line_of(main, "{intent: meetings.next")


def test_duplicate_menu_keys(flows_dir):
    main = flows_dir / "main.yaml"
    edit(main, "{key: 2, intent: meetings.next", "{key: 1, intent: meetings.next")
    assert only(check(flows_dir), "used by two choices").line == line_of(main, "intent: meetings.next")


def test_choice_sets_a_slot_nothing_reads(flows_dir):
    main = flows_dir / "main.yaml"
    edit(main, "{key: 2, intent: meetings.next,", "{key: 2, set: {satisfction: '5'}, intent: meetings.next,")
    problem = only(check(flows_dir), "which no handler reads and no question asks")
    assert "'satisfction'" in problem.message and "satisfaction" in problem.message  # names the known ones
    assert problem.file.endswith("main.yaml") and problem.line == line_of(main, "satisfction")


def test_a_bad_set_is_reported_at_its_own_line(flows_dir):
    """Written in block style, the problem names the slot's line, not the choice's first."""
    main = flows_dir / "main.yaml"
    edit(main, "      - {key: 2, intent: meetings.next, label: main.choice_meetings, next: meetings}",
         "      - key: 2\n        intent: meetings.next\n        label: main.choice_meetings\n"
         "        set:\n          satisfaction: '5'\n          satisfction: '5'\n        next: meetings")
    problem = only(check(flows_dir), "which no handler reads and no question asks")
    assert problem.line == line_of(main, "satisfction") > line_of(main, "key: 2")


@pytest.mark.parametrize(
    ("slot", "value", "says"),
    [
        ("waste_kind", "glas", "handler test.kinds cannot use (it knows: household, green)"),
        ("satisfaction", "lots", "not a number"),
        ("address", "12 rue du Port", "can only come from the caller"),
    ],
)
def test_choice_sets_a_value_the_answer_cannot_use(flows_dir, slot, value, says):
    from flows.handlers import HandlerResult
    from flows.services.common import reads

    kinds = reads(waste_kind=("household", "green"))(lambda ctx: HandlerResult())
    main = flows_dir / "main.yaml"
    edit(main, "{key: 2, intent: meetings.next,", f"{{key: 2, set: {{{slot}: {value}}}, intent: meetings.next,")
    handlers = {**HANDLERS, "test.kinds": kinds}
    problem = only(check(flows_dir, handlers=handlers), says)
    assert f"choice sets '{slot}' to '{value}'" in problem.message
    assert problem.line == line_of(main, "key: 2")
    usable = {"waste_kind": "green", "satisfaction": "5"}
    if slot in usable:
        edit(main, f"{slot}: {value}", f"{slot}: {usable[slot]}")
        assert not [p for p in check(flows_dir, handlers=handlers) if "choice sets" in p.message]


def test_prompt_missing_in_one_language(flows_dir):
    catalogs = make_catalogs()
    es = catalogs["es"]
    prompts = {k: v for k, v in es.prompts.items() if k != "test.ask_date"}
    catalogs.by_lang["es"] = dataclasses.replace(es, prompts=prompts)
    problem = only(check(flows_dir, catalogs), "test.ask_date")
    assert "es" in problem.message and "fr" not in problem.message.split("of")[-1]
    assert problem.line == line_of(flows_dir / "meetings.yaml", "prompt: test.ask_date")


def test_todo_prompt_counts_as_missing(flows_dir):
    catalogs = make_catalogs()
    en = catalogs["en"]
    catalogs.by_lang["en"] = dataclasses.replace(en, prompts={**en.prompts, "test.ask_date": "TODO: Quel jour ?"})
    assert "en" in only(check(flows_dir, catalogs), "test.ask_date").message


def test_greeting_must_disclose_the_automated_assistant(flows_dir):
    catalogs = make_catalogs()
    fr = catalogs["fr"]
    catalogs.by_lang["fr"] = dataclasses.replace(fr, prompts={**fr.prompts, "main.greeting": "Bonjour, mairie de {town}."})
    problem = only(check(flows_dir, catalogs), "automated assistant")
    assert "'fr'" in problem.message and problem.file.endswith("main.yaml")


def test_unknown_handler(flows_dir):
    waste = flows_dir / "waste.yaml"
    edit(waste, "handler: test.collection", "handler: test.nope")
    assert only(check(flows_dir), "no handler named 'test.nope'").line == line_of(waste, "test.nope")


def test_duplicate_node_ids(flows_dir):
    waste = flows_dir / "waste.yaml"
    waste.write_text(waste.read_text() + "  answer:\n    kind: say\n    prompt: test.answer\n    next: main.anything_else\n")
    problem = only(check(flows_dir), "appears twice")
    assert problem.line == len(waste.read_text().splitlines()) - 3


def test_cycle_without_input(flows_dir):
    waste = flows_dir / "waste.yaml"
    edit(waste, "    prompt: test.answer\n    next: main.anything_else", "    prompt: test.answer\n    next: lookup")
    problem = only(check(flows_dir), "loop without waiting")
    assert "waste.lookup" in problem.message and "waste.answer" in problem.message


def test_reference_to_a_missing_node(flows_dir):
    waste = flows_dir / "waste.yaml"
    edit(waste, "no: start_again", "no: nowhere")
    assert only(check(flows_dir), "'nowhere', which is no node").line == line_of(waste, "no: nowhere")


def test_unknown_node_kind_and_typo_field(flows_dir):
    waste = flows_dir / "waste.yaml"
    edit(waste, "kind: confirm", "kind: confirmation")
    assert only(check(flows_dir), "unknown node kind 'confirmation'").line == line_of(waste, "  confirm:")
    edit(waste, "kind: confirmation", "kind: confirm\n    promt: x")
    assert only(check(flows_dir), "'promt' is not a field").line == line_of(waste, "promt")


def test_yaml_syntax_error_names_the_line(flows_dir):
    main = flows_dir / "main.yaml"
    edit(main, "    next: menu", "    next: [menu")
    with pytest.raises(FlowError) as info:
        check(flows_dir)
    problem = info.value.problems[0]
    assert problem.file.endswith("main.yaml") and "not valid YAML" in problem.message
    assert problem.line is not None and abs(problem.line - line_of(main, "next: [menu")) <= 2


def test_yes_and_no_keys_are_not_booleans(flows_dir):
    flows, problems = load_flows(flow_files(flows_dir))
    confirm = flows.nodes["waste.confirm"]
    assert confirm.yes == "lookup" and confirm.no == "start_again"


def test_a_slot_the_caller_is_asked_for_needs_a_name_staff_hear_in_every_language(flows_dir):
    """The transfer whisper names slots as the catalogs do (slot.<name>); a slot without a
    name would be left out of it, so the checker says which language lacks it, at the ask."""
    catalogs = make_catalogs()
    en = catalogs["en"]
    without = dataclasses.replace(en, prompts={k: v for k, v in en.prompts.items() if k != "slot.day"})
    problems = check(flows_dir, Catalogs({**catalogs.by_lang, "en": without}, "fr"))
    problem = only(problems, "slot 'day' has no name for staff in en (prompt 'slot.day')")
    assert problem.file.endswith("meetings.yaml") and problem.line == line_of(flows_dir / "meetings.yaml", "slot: day")
    # A phone number (the callback flow's 'phone') is never whispered: it needs no name.
    assert not [p for p in problems if "slot 'phone'" in p.message]


def test_requests_heard_only_at_a_free_text_question(flows_dir):
    waste = flows_dir / "waste.yaml"
    edit(waste, "    type: address\n", "    type: address\n    requests_heard: true\n")
    problem = only(check(flows_dir), "requests_heard is for a free-text question")
    assert problem.file.endswith("waste.yaml")
