"""End to end: calls driven through the lead's engine and Call, recorded, then reported.

Part one uses the engine's own test flows (tests/flows/fixtures) so that it runs today.
Part two runs the project's scenarios (scenarios/) like ``civicline simulate`` and is
skipped until the demo town can be loaded.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from civicline.calls import Call
from flows.dialog import Engine
from flows.session import CallerHungUp, NoInput, Pressed, Said
from records import CallRecorder, kpis
from support.flowkit import CLOSED, OPEN, make_runtime
from support.records_data import KEY

ROOT = Path(__file__).resolve().parents[2]

A, B, C = "+33611111111", "+14155550100", "+34612345678"


class Ticking:
    """A clock that moves 10 s each time it is read: one read per event in a Call."""

    def __init__(self, at):
        self.at = at - timedelta(seconds=10)

    def __call__(self):
        self.at += timedelta(seconds=10)
        return self.at


CALLS = [  # id, caller, language, when, events
    (
        "waste",
        A,
        "en",
        OPEN,
        # ... "anything else?" no, then the optional rating: 4
        [Pressed("1"), Said("12 victor hugo street"), Pressed("1"), Pressed("2"), Pressed("4")],
    ),
    ("person", B, "en", OPEN, [Pressed("1"), Said("12 rue du port"), Pressed("0")]),
    ("callback", A, "fr", CLOSED, [Pressed("0"), Pressed("0612345678#")]),
    ("hangup", C, "en", OPEN, [CallerHungUp()]),
    (
        "ladder",
        None,
        "en",
        OPEN,
        [Said("purple elephants"), Said("purple giraffes"), NoInput(), Said("purple")],
    ),
]


def test_engine_calls_are_recorded_and_reported_as_counted_by_hand(store):
    engine = Engine(make_runtime())
    recorder = CallRecorder(store, hash_key=KEY, clock=lambda: OPEN, auto_purge=False)
    for call_id, caller, lang, when, events in CALLS:
        call = Call(
            engine, Ticking(when), call_id=call_id, caller=caller, language=lang, recorder=recorder
        )
        call.start()
        for event in events:
            call.send(event)
        assert call.ended, call_id
    assert recorder.health.write_failures == 0

    r = kpis.compute(
        store, since=OPEN - timedelta(days=1), until=CLOSED + timedelta(days=1), minutes_per_call=4
    )
    assert (r["calls"], r["answered"], r["transferred"], r["callback"], r["abandoned"]) == (
        5,
        1,
        2,
        1,
        1,
    )
    assert r["containment_rate"] == 0.2
    assert r["transfer_reasons"] == {"caller_asked": 1, "not_understood": 1}
    assert r["average_handling_s"] == 30.0  # (50 + 30 + 20 + 10 + 40) / 5, 10 s per event
    assert r["repeat_calls_7d"] == 1  # A again four days later
    assert r["time_saved_minutes"] == 4.0
    assert r["satisfaction"]["responses"] == 1 and r["satisfaction"]["average"] == 4
    assert r["by_language"]["fr"]["callback"] == 1
    assert r["by_intent"]["waste.collection_day"]["calls"] == 2
    phrases = {p["text"] for p in r["top_not_understood"]}
    assert {"purple elephants", "purple giraffes"} <= phrases

    # one turn per event plus the greeting, in order
    turns = store.turns()
    for call_id, _, _, _, events in CALLS:
        assert [t["seq"] for t in turns if t["call_id"] == call_id] == list(range(len(events) + 1))
    answer = [t for t in turns if t["call_id"] == "waste" and t["provenance"]]
    assert answer and answer[0]["provenance"][0]["dataset"] == "collections"
    assert answer[0]["provenance"][0]["verified"] == "2026-10-02"
    # the callback number is only in the request, never in what was said
    callback = [t for t in turns if t["call_id"] == "callback"]
    assert all("0612345678" not in (t["key_pressed"] or "") for t in callback)
    assert all("56 78" not in t["assistant_text"] for t in callback)
    assert [r["number"] for r in store.staff_requests()] == ["0612345678"]
    kinds = sorted(i["kind"] for i in store.review_items())
    assert "asked_person" in kinds and "not_understood" in kinds


def _project_engine() -> Engine:
    from civicline.config import load_config
    from civicline.wiring import load_runtime
    from staff_files.problems import FlowError

    try:
        return Engine(load_runtime(load_config(ROOT / "civicline.toml")))
    except (ImportError, FlowError) as exc:
        pytest.fail(f"the demo town cannot be loaded: {exc}")


def expected_outcome(scenario) -> str | None:
    """The outcome a scenario file promises, read from its expectations."""
    actions = [t.expect.action for t in scenario.turns]
    for action, outcome in (
        ("transfer", "transferred"),
        ("callback", "callback"),
        ("message", "message"),
    ):
        if action in actions:
            return outcome
    if any(t.hangup for t in scenario.turns):
        return "abandoned"
    if "hangup" in actions:
        # Ended by the assistant: answered, unless the call was an emergency sent to the
        # emergency number (nothing answered here).
        emergency = any(t.expect.intent == "emergency" for t in scenario.turns)
        return "abandoned" if emergency else "answered"
    return None


def test_project_scenarios_report_matches_a_hand_count(store):
    """What ``civicline simulate scenarios/`` records, reported, equals a count made from
    the scenario files themselves."""
    from civicline.config import load_config
    from civicline.scenarios import TownEngines, load_scenario, run_scenario, scenario_files

    _project_engine()  # fails with the flow problems, if any
    engines = TownEngines(load_config(ROOT / "civicline.toml"))  # each scenario calls its own town
    recorder = CallRecorder(store, hash_key=KEY, auto_purge=False)
    scenarios = [load_scenario(p) for p in scenario_files([ROOT / "scenarios"])]
    for scenario in scenarios:
        assert run_scenario(engines(scenario), scenario, recorder=recorder).passed
    assert recorder.health.write_failures == 0

    # The scenarios' clocks run ahead of the machine's: count over their whole span.
    times = [s.now for s in scenarios]
    r = kpis.compute(store, since=min(times) - timedelta(days=1), until=max(times) + timedelta(days=1))
    assert r["calls"] == len(scenarios)
    promised = [expected_outcome(s) for s in scenarios]
    for outcome in ("transferred", "callback", "message", "abandoned"):
        assert r[outcome] == promised.count(outcome), outcome
    # calls whose file promises nothing may still have been ended by the engine as answered
    assert r["answered"] >= promised.count("answered")
    assert r["ended"] >= len(scenarios) - promised.count(None)
    assert store.count_turns() == sum(len(s.turns) + 1 for s in scenarios)
    reviews = sum(1 for s in scenarios for t in s.turns if t.expect.action == "review")
    assert len(store.review_items()) >= reviews
    # what staff receive: a message with its words (redacted), a callback with what was asked
    requests = store.staff_requests()
    messages = [r for r in requests if r["kind"] == "message"]
    assert messages and all(r["text"] for r in messages), messages
    assert any("bin was not collected" in r["text"] and "56 78" not in r["text"] for r in messages)
    callbacks = [r for r in requests if r["kind"] == "callback"]
    assert callbacks and all((r["text"] or "").startswith("Appel en") for r in callbacks), callbacks
    # repeat callers, from the files' caller and date
    seen: dict[str, list] = {}
    repeats = 0
    for s in sorted(scenarios, key=lambda s: s.now):
        if s.caller:
            repeats += any(s.now - prev <= timedelta(days=7) for prev in seen.get(s.caller, []))
            seen.setdefault(s.caller, []).append(s.now)
    assert r["repeat_calls_7d"] == repeats


def test_the_engine_s_review_reasons_are_kept_as_codes_next_to_their_english(store):
    """The console says a reason from its code and values in the staff's language; the
    English sentence stays the reason (reports, purged items, rows written before codes)."""
    engine = Engine(make_runtime())
    recorder = CallRecorder(store, hash_key=KEY, clock=lambda: OPEN, auto_purge=False)
    for call_id, events in (("person", [Pressed("0")]), ("ladder", [Said("purple elephants")] * 3),
                            ("fire", [Pressed("1"), Said("hurry my kitchen is on fire")])):
        call = Call(engine, Ticking(OPEN), call_id=call_id, caller=A, language="en", recorder=recorder)
        call.start()
        for event in events:
            call.send(event)
    items = {i["call_id"]: i for i in store.review_items()}
    said = {call_id: (i["reason"], i["kind"], i["context"]["reasons"]) for call_id, i in items.items()}
    assert said == {
        "person": ("asked for a person", "asked_person", [{"code": "asked_person", "values": {}}]),
        "ladder": ("not understood 3 times", "not_understood", [{"code": "not_understood", "values": {"times": "3"}}]),
        "fire": ("emergency: fire, heard by words+meaning", "emergency",
                 [{"code": "emergency", "values": {"kind": "fire", "by": "words+meaning"}}]),
    }


def test_a_permit_answered_with_a_stale_fee_records_the_handler_s_reason_as_a_code(store):
    """permits.describe's reason is a code and values like the engine's: the console says it in
    the staff's language; the English sentence stays the reason and gives the item's kind."""
    from civicline.config import load_config
    from civicline.scenarios import TownEngines, load_scenario, run_scenario

    engines = TownEngines(load_config(ROOT / "civicline.toml"))
    recorder = CallRecorder(store, hash_key=KEY, auto_purge=False)
    scenario = load_scenario(ROOT / "scenarios/services/permits-stale-fee-fr.yaml")
    assert run_scenario(engines(scenario), scenario, recorder=recorder).passed
    [item] = [i for i in store.review_items() if i["kind"] == "stale_fee"]
    assert item["reason"] == ("stale fee: cafe_terrace verified 2025-09-15, older than 180 days; "
                              "the caller was offered a person")
    assert item["context"]["reasons"] == [
        {"code": "stale_fee", "values": {"permit": "cafe_terrace", "verified": "2025-09-15", "days": "180"}}]
