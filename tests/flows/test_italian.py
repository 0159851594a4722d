"""Italian, added the way a city would (docs/adding-a-language.md): its catalog, its
emergency words, its dates and numbers, through the engine with the demo town. Italian is off
in the demo town's configuration; these calls turn it on."""

from __future__ import annotations

from pathlib import Path

import pytest

from civicline.config import load_config
from civicline.scenarios import load_scenario, run_scenario
from civicline.wiring import check_runtime
from flows.dialog import Engine
from translations.catalog import load_catalog

ROOT = Path(__file__).resolve().parents[2]
CALLS = sorted((Path(__file__).parent / "fixtures" / "italian").glob("*.yaml"))


@pytest.fixture(scope="module")
def engine():
    checked = check_runtime(load_config(ROOT / "civicline.toml", env={"CIVICLINE_LANGUAGES": "fr,en,es,it"}))
    assert checked.problems == [], checked.problems
    return Engine(checked.runtime)


def test_the_catalog_is_translated_through_and_keeps_every_placeholder():
    import string

    italian, english = load_catalog(ROOT / "translations/it.yaml"), load_catalog(ROOT / "translations/en.yaml")
    assert set(italian.prompts) == set(english.prompts)
    assert all(italian.has(key) for key in italian.prompts)  # no TODO left
    names = string.Formatter()

    def fields(text: str) -> set[str]:
        # An emergency number may be said as written or digit by digit: each language chooses.
        return {n.removesuffix("_digits") for _, n, _, _ in names.parse(text) if n}

    for key, text in english.prompts.items():
        assert fields(text) == fields(italian.prompts[key]), key
    assert set(italian.intents) == set(english.intents)
    assert italian.emergency.words and italian.emergency.examples


@pytest.mark.parametrize("path", CALLS, ids=[p.stem for p in CALLS])
def test_italian_calls(engine, path):
    result = run_scenario(engine, load_scenario(path), str(path))
    assert result.passed, "\n".join(result.failures)


def test_dates_and_numbers_are_understood_and_said_in_italian():
    from datetime import datetime

    from nlu.dates import parse_date
    from translations.formatting import format_day
    from voice.tts.speech_text import format_for_speech

    now = datetime(2026, 12, 1, 10, 0)
    assert parse_date("domani", "it", now).isoformat() == "2026-12-02"
    assert parse_date("venerdì prossimo", "it", now).weekday() == 4
    assert parse_date("il 14 gennaio", "it", now).isoformat() == "2027-01-14"
    assert format_day(now, "it") == "martedì 1 dicembre"
    assert format_for_speech("Costo: 3,50 € alle 19:30, Via Roma 12", "it") == (
        "Costo: tre euro cinquanta alle diciannove e trenta, Via Roma dodici")


def test_a_language_added_but_not_translated_cannot_be_enabled(tmp_path):
    """`translations add` copies English with TODO marks: the checker refuses it, and says why,
    emergencies first among what is missing."""
    from argparse import Namespace

    from civicline.commands.translations_cmd import run_add
    from flows.catalog_checks import check_catalogs
    from translations.catalog import Catalogs

    for lang in ("fr", "en"):
        (tmp_path / f"{lang}.yaml").write_text((ROOT / f"translations/{lang}.yaml").read_text(encoding="utf-8"))
    run_add(Namespace(lang="pt", name="Português", dir=tmp_path))
    problems = check_catalogs(Catalogs.load(["fr", "pt"], "fr", directory=tmp_path))
    messages = " ".join(p.message for p in problems if p.file.endswith("pt.yaml"))
    assert "emergency" in messages and "main" not in messages.split("emergency")[0][:0]
    assert "common.goodbye" in messages
