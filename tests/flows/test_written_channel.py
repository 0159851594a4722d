"""The same flows in writing (SMS, the chat page): written wording where it differs, from the
same catalogs, chosen in one place (the catalogs' rendering); no flow is written twice."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
import yaml

from flows.catalog_checks import check_catalogs
from flows.dialog import Engine
from flows.session import Pressed, Said
from support.flowkit import OPEN, make_catalogs, make_runtime, says
from translations.catalog import Catalogs, with_town_sentences

ROOT = Path(__file__).resolve().parents[2]
SPOKEN_ONLY = re.compile(r"\b(press|appuyez|appuyer|pulse|marque|dites|diga|say it|pound|dièse|almohadilla|hear)\b", re.I)


@pytest.mark.parametrize("lang", ["fr", "en", "es"])
def test_no_written_wording_speaks_of_keys_pressed_or_of_hearing(lang):
    prompts = yaml.safe_load((ROOT / "translations" / f"{lang}.yaml").read_text(encoding="utf-8"))["prompts"]
    written = {k: v for k, v in prompts.items() if k.endswith(".text")}
    assert len(written) >= 30
    assert {k: v for k, v in written.items() if SPOKEN_ONLY.search(v)} == {}
    # Every menu the demo town reads out, and every yes/no question, has one.
    for key in ("main.menu", "waste.menu", "meetings.menu", "permits.menu", "main.anything_else",
                "common.option", "common.always", "lang.choose"):
        assert key + ".text" in written, key


def test_the_written_wording_is_chosen_in_the_callers_language_else_the_spoken_one():
    catalogs = make_catalogs()
    assert catalogs.render("main.menu", "fr", written=True).text.startswith("Que puis-je faire pour vous ? Tapez 1")
    assert "appuyez sur 1" in catalogs.render("main.menu", "fr").text
    # No written wording: the prompt itself.
    assert catalogs.render("common.error", "en", written=True).text == "Sorry, something went wrong on our side."
    # A language without the written wording keeps its own words rather than another's.
    fr = catalogs["fr"]
    without = dataclasses.replace(fr, prompts={k: v for k, v in fr.prompts.items() if k != "main.anything_else.text"})
    mixed = Catalogs({**catalogs.by_lang, "fr": without}, "fr")
    assert mixed.render("main.anything_else", "fr", written=True).text.startswith("Puis-je vous aider")
    assert mixed.render("main.anything_else", "fr", written=True).language == "fr"


def test_a_town_that_words_a_menu_its_own_way_is_written_its_own_way(tmp_path):
    catalogs = Catalogs.load(["en"], "en")
    own = tmp_path / "en.yaml"
    own.write_text('language: en\nprompts:\n  main.menu: "For bins, press 1."\n', encoding="utf-8")
    town = with_town_sentences(catalogs["en"], own)
    assert Catalogs({"en": town}, "en").render("main.menu", "en", written=True).text == "For bins, press 1."
    own.write_text('language: en\nprompts:\n  main.menu: "For bins, press 1."\n  main.menu.text: "Type 1 for bins."\n',
                   encoding="utf-8")
    town = with_town_sentences(catalogs["en"], own)
    assert Catalogs({"en": town}, "en").render("main.menu", "en", written=True).text == "Type 1 for bins."


def test_the_catalog_check_refuses_a_written_wording_without_its_prompt_or_with_a_field_it_cannot_fill():
    catalogs = make_catalogs()
    en = catalogs["en"]
    broken = dataclasses.replace(en, prompts={**en.prompts, "main.menuu.text": "Type 1.",
                                              "common.option.text": "{key} for {label} at {street}"})
    problems = [p.message for p in check_catalogs(Catalogs({**catalogs.by_lang, "en": broken}, "fr"))]
    assert any("'main.menuu.text' is the written wording of 'main.menuu'" in m for m in problems)
    assert any("'common.option.text' uses {street}" in m for m in problems)
    assert check_catalogs(catalogs) == []


@pytest.mark.parametrize(("lang", "menu", "option"), [
    ("fr", "Tapez 1", "1 pour les collectes de déchets"),
    ("en", "Type 1", "1 for waste collection"),
    ("es", "Escriba 1", "1 para la recogida de residuos"),
])
def test_a_written_conversation_runs_the_same_flow_with_written_words(lang, menu, option):
    engine = Engine(make_runtime())
    step = engine.start("c", OPEN, language=lang, channel="sms")
    assert step.state.channel == "sms"
    step = engine.step(step.state, Said("purple elephants"), OPEN)
    step = engine.step(step.state, Said("purple giraffes"), OPEN)  # the second miss reads the choices
    assert option in says(step), says(step)
    assert not SPOKEN_ONLY.search(says(step)), says(step)
    # The same flow and answer as a call.
    step = engine.step(step.state, Pressed("1"), OPEN)
    step = engine.step(step.state, Said("12 rue victor hugo"), OPEN)
    step = engine.step(step.state, Pressed("1"), OPEN)
    assert {"fr": "mardi", "en": "Tuesday", "es": "martes"}[lang] in says(step)
    assert step.state.node == "main.anything_else"
    assert menu.split()[0] in says(step)  # "anything else?" in its written wording


def test_nine_does_not_slow_down_a_text():
    engine = Engine(make_runtime())
    step = engine.start("c", OPEN, language="en", channel="chat")
    step = engine.step(step.state, Pressed("9"), OPEN)
    assert not step.state.slow and step.intent != "slower"
    step = engine.step(step.state, Said("slower please"), OPEN)
    assert not step.state.slow


def test_the_channel_survives_the_session_json_round_trip():
    engine = Engine(make_runtime())
    state = engine.start("c", OPEN, language="en", channel="sms").state
    assert type(state).from_json(state.to_json()).channel == "sms"


@pytest.mark.parametrize("town", sorted(p.parent.name for p in (ROOT / "towns").glob("*/sentences")))
def test_a_shipped_town_that_says_a_sentence_its_own_way_writes_it_its_own_way_too(town):
    """A sentence a town rewords whose catalog has a written wording ("you are writing to")
    needs the town's written wording too, or SMS and chat read the spoken one ("you have
    reached", "press 1")."""
    missing = []
    for file in sorted((ROOT / "towns" / town / "sentences").glob("*.yaml")):
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
        catalog = yaml.safe_load((ROOT / "translations" / file.name).read_text(encoding="utf-8"))["prompts"]
        own = data.get("prompts") or {}
        missing += [f"{file.name}: {key}" for key in own
                    if not key.endswith(".text") and f"{key}.text" in catalog and f"{key}.text" not in own]
    assert missing == []
