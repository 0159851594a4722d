"""The whisper the person taking a transfer hears: what was asked and the details, each slot
by the name the catalogs give it in the town's main language, never an internal key; a slot
without a name is left out, and the caller's phone number or free text is never said."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from civicline.config import load_config
from civicline.wiring import load_runtime
from flows.dialog import Engine
from flows.session import Pressed, Said, Transfer
from support.flowkit import OPEN, make_runtime, of

ROOT = Path(__file__).resolve().parents[2]


def transfer_from(engine, state) -> Transfer:
    [transfer] = of(engine.step(state, Pressed("0"), OPEN), Transfer)
    return transfer


def details(summary: str) -> str:
    return summary.split("Détails : ", 1)[1]


@pytest.fixture(scope="module")
def demo_engine():
    return Engine(load_runtime(load_config(ROOT / "civicline.toml", env={})))


def test_a_transfer_after_a_waste_question_in_french_names_the_address_in_french(demo_engine):
    at = datetime(2026, 12, 1, 10, 15, tzinfo=ZoneInfo("Europe/Paris"))
    step = demo_engine.start("c", at, caller="+33612345678", language="fr")
    for event in (Said("quel jour passe la poubelle"), Said("12 rue du port"), Said("oui")):
        step = demo_engine.step(step.state, event, at)
    assert step.state.slots["collections"]  # the answer was given: its working values are slots too
    [transfer] = of(demo_engine.step(step.state, Pressed("0"), at), Transfer)
    said = details(transfer.summary)
    assert said.startswith(
        "adresse: 12 Rue du Port; secteurs de collecte: secteur Centre et port"
    ), said
    for key in ("address", "street", "zones", "collections", "tomorrow", "_confirmed"):
        assert key not in said, said  # internal names, or a handler's working values


def test_a_slot_without_a_name_is_left_out_and_a_phone_number_is_never_whispered():
    engine = Engine(make_runtime())
    state = engine.start("c", OPEN, caller="+33612345678", language="en").state
    state.slots.update(
        {
            "address": {"text": "12 Rue du Port", "street_id": "port"},
            "day_name": "mardi",
            "phone": {"text": "06 12 34 56 78", "digits": "0612345678"},
        }
    )
    transfer = transfer_from(engine, state)
    assert details(transfer.summary) == "adresse: 12 Rue du Port."
    assert (
        transfer.context["slots"]["day_name"] == "mardi"
    )  # still in the context staff see on screen


def test_the_whisper_is_in_the_town_s_main_language_whatever_the_caller_s():
    engine = Engine(make_runtime())
    step = engine.start("c", OPEN, caller="+33612345678", language="es")
    step = engine.step(step.state, Pressed("1"), OPEN)
    step = engine.step(step.state, Said("12 rue du port"), OPEN)
    transfer = transfer_from(engine, step.state)
    assert transfer.summary.startswith("Appel en espagnol") and "adresse: " in transfer.summary, (
        transfer.summary
    )
