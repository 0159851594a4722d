"""A call's state written as JSON and copied by the engine: the same JSON as ``asdict`` gave,
and a copy whose changes never reach the original."""

from __future__ import annotations

import copy
import json
from dataclasses import asdict

from flows.session import (
    Ask,
    Candidate,
    CopyOffer,
    Expect,
    GivenAnswer,
    Option,
    PickQuestion,
    PromptSaid,
    SessionState,
    SwitchOffer,
)

ASK = Ask(Expect.CHOICE, "main.menu", (Option("1", "les collectes"), Option("2", "les réunions")), timeout=8.0)


def full_state() -> SessionState:
    return SessionState(
        call_id="c1", started_at="2026-12-01T10:15:00+01:00", caller="+33611223344", lang="fr", node="waste.address",
        slots={"address": {"text": "12 rue du Port", "street": "rue du Port", "number": 12}, "dates": ("a", "b"),
               "n": 3},
        retries=1, no_inputs=2, failures=1, slow=True,
        last_said=[PromptSaid("main.menu", "fr", {"key": "1", "nested": {"x": [1, 2]}})],
        last_ask=ASK, provenance=[{"dataset": "collections", "verified": "2026-10-02"}],
        switch_offer=SwitchOffer("en", "main.menu", "hello"),
        pick=PickQuestion("slot", (Candidate("1", "rue du Port", slots={"a": 1}, value={"v": [1]}),), "n", "u", "s", "x"),
        not_understood=["euh"], keypad_read="main.menu", utterance="bonjour", asked=["waste"], outcome="answered",
        transfer_reason="asked", flow_version="v3", emergency="fire", emergency_return={"node": "n", "lang": "fr"},
        ended=False, channel="voice", last_answer=GivenAnswer("Mardi.", "fr", ({"dataset": "collections"},)),
        copy_offer=CopyOffer("main.menu", ASK, PromptSaid("main.menu", "fr", {"k": "v"}), "number", "0611223344"),
    )


def asdict_json(state: SessionState) -> str:
    """How the state was written before: ``asdict``, then the two fields with their own form."""
    data = asdict(state)
    data["last_ask"] = state.last_ask.to_json() if state.last_ask else None
    data["copy_offer"] = state.copy_offer.to_json() if state.copy_offer else None
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def test_the_json_is_what_asdict_gave():
    for state in (full_state(), SessionState("c2", "2026-12-01T10:15:00+01:00")):
        assert state.to_json() == asdict_json(state)
        assert SessionState.from_json(state.to_json()).to_json() == state.to_json()


def test_a_copy_shares_only_what_cannot_change():
    state = full_state()
    copied = copy.deepcopy(state)
    assert copied == state and copied.last_ask is state.last_ask  # a question cannot change
    copied.slots["address"]["number"] = 14
    copied.last_said[0].extra["nested"]["x"].append(3)
    copied.provenance[0]["dataset"] = "other"
    assert state.slots["address"]["number"] == 12 and state.last_said[0].extra["nested"]["x"] == [1, 2]
    assert state.provenance[0]["dataset"] == "collections"
