"""The town's sorting guide: loaded with its source and date, every object named in every
language, checked by `civicline data check`, and what the `sorting.lookup` handler says."""

from __future__ import annotations

from datetime import datetime

from flows.services.sorting import lookup
from flows.town import check_town
from support.townkit import replace_in


def test_the_demo_guide_is_of_a_realistic_size_in_every_language(town):
    guide = town.sorting
    assert guide is not None and len(guide.items) >= 150
    for lang in ("fr", "en", "es"):
        assert len(guide.synonyms(lang)) == len(guide.items)
    fridge = guide.items["fridge"]
    assert fridge.goes == "bulky"
    assert fridge.origin.document.startswith("Guide du tri") and fridge.origin.verified is not None


def test_an_object_going_nowhere_known_is_refused_with_its_line(town_copy):
    file = town_copy / "data" / "sorting.yaml"
    line = replace_in(file, "{id: sofa, goes: bulky,", "{id: sofa, goes: landfill,")
    problems = [p for p in check_town(town_copy) if p.file == str(file)]
    assert any("landfill" in p.message and p.line == line for p in problems), problems


def test_an_object_without_a_name_in_a_language_is_refused(town_copy):
    file = town_copy / "data" / "sorting.yaml"
    replace_in(file, 'es: ["lavadora"]', "es: []")
    problems = [p.message for p in check_town(town_copy) if p.file == str(file)]
    assert any("washing_machine" in m and "es" in m for m in problems), problems


def test_lookup_says_where_the_object_goes_with_its_source(make_ctx):
    now = datetime(2026, 12, 1, 10, 15)
    result = lookup(make_ctx(now, "en", {"sorting_item": {"key": "pizza_box", "text": "pizza box"}}))
    assert result.outcome == "ok"
    assert result.slots["sorting_object"] == "Pizza box"
    assert "yellow recycling bin" in result.slots["sorting_where"]
    assert result.provenance[0].dataset == "sorting"
    routed = lookup(make_ctx(now, "fr", {"sorting_item": {"key": "battery", "text": "pile"}}))
    assert routed.outcome == "recycling_centre"
    assert lookup(make_ctx(now, "fr", {"sorting_item": {"key": "nothing"}})).outcome == "none"
