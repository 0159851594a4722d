"""An object edited in the console keeps its names in a language the town does not offer yet
(Italian in the demo town: the form shows fr, en and es only)."""

from __future__ import annotations

from pathlib import Path

import yaml

from civicline.console.sorting_edit import SortingItemValues, set_sorting_item

GUIDE = Path(__file__).resolve().parents[2] / "towns/port-lumiere/data/sorting.yaml"


def test_an_edit_in_the_offered_languages_keeps_the_italian_names():
    text = GUIDE.read_text(encoding="utf-8")
    edited = SortingItemValues("fridge", "bulky", {"fr": ["frigo"], "en": ["fridge"], "es": ["nevera"]})
    new = set_sorting_item(text, edited, old_id="fridge")
    item = next(i for i in yaml.safe_load(new)["items"] if i["id"] == "fridge")
    assert item["fr"] == ["frigo"] and item["en"] == ["fridge"]
    assert item["it"] == ["frigorifero", "frigo"]
    assert len(new.splitlines()) == len(text.splitlines())


def test_a_language_given_in_the_form_replaces_the_old_names():
    text = GUIDE.read_text(encoding="utf-8")
    edited = SortingItemValues("fridge", "bulky", {"fr": ["frigo"], "it": ["frigorifero"]})
    item = next(i for i in yaml.safe_load(set_sorting_item(text, edited, old_id="fridge"))["items"]
                if i["id"] == "fridge")
    assert item["it"] == ["frigorifero"] and item["es"] == ["nevera", "frigorífico", "refrigerador"]
