"""Street names as callers of another language translate them: heard at the address question,
never enough alone to make a sentence name a street."""

from __future__ import annotations

from pathlib import Path

import pytest

from civicline.config import load_config
from civicline.wiring import load_runtime
from flows.town.streets import load_streets
from nlu.addresses import AddressResolver, plainly_an_address, without_address

ROOT = Path(__file__).resolve().parents[2]
STREETS = [("eglise", ["Rue de l'Église"]), ("marche", ["Place du Marché"]), ("hugo", ["Rue Victor Hugo"])]
SAID = [("eglise", ["Church Street", "Calle de la Iglesia"]), ("marche", ["Market Square", "Plaza del Mercado"])]


@pytest.fixture(scope="module")
def resolver():
    return AddressResolver(STREETS, SAID)


@pytest.mark.parametrize(("said", "lang", "street", "number"), [
    ("it's 12 church street", "en", "eglise", 12),
    ("vivo en la plaza del mercado numero 3", "es", "marche", 3),
    ("rue victor hugo", "fr", "hugo", None),
])
def test_a_translated_name_is_heard_at_the_address_question(resolver, said, lang, street, number):
    result = resolver.resolve(said, lang)
    assert result.outcome == "ok" and result.street is not None
    assert (result.street.street_id, result.number) == (street, number)
    assert result.street.translated is (street != "hugo")


def test_its_words_alone_name_no_street(resolver):
    assert not plainly_an_address(resolver, "what time is the market", "en")
    assert without_address(resolver, "what time is the market", "en") is None
    # With a kind of street or a house number it is an address like any other.
    assert plainly_an_address(resolver, "the bins on church street", "en")
    assert without_address(resolver, "garden waste on 4 market square", "en") == "garden waste on"


def test_unknown_streets_are_ignored_and_a_resolver_without_translations_is_the_same(resolver):
    plain = AddressResolver(STREETS)
    assert plain.resolve("rue de l'eglise", "fr") == AddressResolver(STREETS, [("nowhere", ["Ghost Road"])]).resolve(
        "rue de l'eglise", "fr")
    assert plain.resolve("church street", "en").outcome == "not_found"


def test_the_town_file_gives_them_by_language(tmp_path):
    path = tmp_path / "streets.csv"
    path.write_text("id,name,aliases,numbers,side,zone,source,verified\n"
                    "eglise,Rue de l'Église,R. de l'Église|en: Church Street|es:Calle de la Iglesia,,all,A,plan,2026-09-14\n",
                    encoding="utf-8")
    streets, problems = load_streets(path)
    assert not problems
    street = streets["eglise"]
    assert street.aliases == ("R. de l'Église",)
    assert street.translated == (("en", "Church Street"), ("es", "Calle de la Iglesia"))


def test_the_demo_town_is_understood_through_them():
    understanding = load_runtime(load_config(ROOT / "civicline.toml", env={})).understanding
    assert understanding.plainly_an_address("when do they empty the bins on church street", "en")
    assert not understanding.plainly_an_address("is the market open on sunday", "en")


def test_the_kind_said_tells_apart_two_streets_of_one_name():
    resolver = AddressResolver([("place", ["Place du Marché"]), ("rue", ["Rue du Marché"])],
                               [("place", ["Plaza del Mercado"]), ("rue", ["Calle del Mercado"])])
    assert resolver.resolve("3 place du marche", "fr").street.street_id == "place"
    assert resolver.resolve("rue du marche", "fr").street.street_id == "rue"
    assert resolver.resolve("en la plaza del mercado", "es").street.street_id == "place"
    assert resolver.resolve("le marche", "fr").outcome == "ambiguous"  # no kind said: asked which


# The held-out sentences of tests/nlu/data/streets/translated.yaml, counts only (right of 20 per
# language): before the translated names (1cfee25) at the address question en 4 / es 6 / it 7,
# first sentences reaching the street's collection days 3 / 3 / 7; with them and the two
# resolver fixes 18 / 20 / 20 and 15 / 18 / 16. Floors with a small margin.
FLOORS = {("en", "answer"): 17, ("es", "answer"): 19, ("it", "answer"): 19,
          ("en", "first"): 14, ("es", "first"): 17, ("it", "first"): 15}


def test_held_out_callers_translating_street_names_are_understood():
    from datetime import datetime
    from zoneinfo import ZoneInfo

    import yaml

    from civicline.callers_eval import first_sentence, what_was_heard
    from flows.dialog import Engine

    runtime = load_runtime(load_config(ROOT / "civicline.toml", env={"CIVICLINE_LANGUAGES": "fr,en,es,it"}))
    ids = {s.name: s.id for s in runtime.town.streets.values()}
    now = datetime(2026, 12, 1, 10, 15, tzinfo=ZoneInfo("Europe/Paris"))
    engine = Engine(runtime)
    right: dict[tuple[str, str], int] = dict.fromkeys(FLOORS, 0)
    data = yaml.safe_load((ROOT / "tests/nlu/data/streets/translated.yaml").read_text(encoding="utf-8"))
    for case in data["sentences"]:
        lang, kind, want = case["lang"], case["kind"], ids[case["street"]]
        if kind == "answer":
            found = runtime.understanding.slot("address", case["text"], lang, now, {})
            got = found.value["street_id"] if found.outcome == "ok" else None
            right[(lang, kind)] += got == want
        else:
            step = first_sentence(engine, lang, case["text"], now)
            heard = what_was_heard(step) in ("waste.collection_day", "waste.tomorrow")
            right[(lang, kind)] += heard and (step.state.slots.get("address") or {}).get("street_id") == want
    # Counts only: the held-out set is not studied through its failures.
    assert all(right[k] >= FLOORS[k] for k in FLOORS), right
