"""Objects of the sorting guide named at the first sentence: how many, in which form."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from civicline.callers_eval import first_sentence, what_was_heard
from civicline.config import load_config
from civicline.wiring import load_runtime
from flows.dialog import Engine

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 12, 1, 10, 15, tzinfo=ZoneInfo("Europe/Paris"))


@pytest.fixture(scope="module")
def runtime():
    return load_runtime(load_config(ROOT / "civicline.toml", env={"CIVICLINE_LANGUAGES": "fr,en,es,it"}))


@pytest.mark.parametrize(("lang", "said", "heard"), [
    ("en", "i have old clothes and a pair of shoes to get rid of", "sorting:recycling_centre"),
    ("fr", "un frigo et un congélateur à jeter je fais comment", "sorting:bulky"),
    ("it", "dove butto il cartone della pizza e il resto del cartone", "sorting:recycling"),
])
def test_two_objects_that_go_to_the_same_place_get_the_answer_without_a_question(runtime, lang, said, heard):
    assert what_was_heard(first_sentence(Engine(runtime), lang, said, NOW)) == heard


def test_two_objects_that_go_to_different_places_are_asked_about(runtime):
    said = "my old wardrobe is full of medicines where do they go"
    assert what_was_heard(first_sentence(Engine(runtime), "en", said, NOW)) == "clarify"


@pytest.mark.parametrize(("lang", "said"), [
    ("fr", "trois bouteilles de vin vides c'est pour quel bac"),
    ("es", "tengo botellas de vino vacias donde las tiro"),
    ("it", "ho delle bottiglie di vino vuote dove vanno"),
])
def test_a_name_said_in_the_plural_is_the_object(runtime, lang, said):
    # Where the bottles go, or the glass drop-off itself: either answers, never a question back.
    assert what_was_heard(first_sentence(Engine(runtime), lang, said, NOW)) in ("sorting:glass", "waste.glass")
