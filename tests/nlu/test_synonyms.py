"""Kinds named by their synonyms: a word inside a longer name said of another kind."""

from __future__ import annotations

from nlu.synonyms import match_synonym

PERMITS = {
    "building_permit": ["permis de construire", "PC"],
    "construction": ["une construction ou une extension", "véranda", "construire"],
    "exterior": ["fenêtres", "clôture"],
}


def test_a_word_inside_a_longer_name_names_the_longer_one_alone():
    assert match_synonym("combien coute un permis de construire", "fr", PERMITS) == [("building_permit", 100.0)]


def test_the_same_word_said_apart_still_names_its_own_kind():
    assert [k for k, _ in match_synonym("je veux construire un permis de construire", "fr", PERMITS)] == [
        "building_permit", "construction"]
    assert [k for k, _ in match_synonym("je veux construire", "fr", PERMITS)] == ["construction"]


def test_another_word_of_the_kind_keeps_it():
    found = [k for k, _ in match_synonym("une veranda il me faut un permis de construire", "fr", PERMITS)]
    assert found == ["building_permit", "construction"]


ITEMS = {"can": ["can", "drink can", "cans"], "newspaper": ["newspapers", "newspaper"]}


def test_a_name_that_is_a_function_word_alone_never_names_the_thing():
    assert [k for k, _ in match_synonym("can i put newspapers in the yellow bin", "en", ITEMS)] == ["newspaper"]
    assert [k for k, _ in match_synonym("where does a drink can go", "en", ITEMS)] == ["can"]
    assert [k for k, _ in match_synonym("empty cans", "en", ITEMS)] == ["can"]
