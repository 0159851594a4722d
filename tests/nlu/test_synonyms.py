"""Kinds named by their synonyms: a word inside a longer name said of another kind."""

from __future__ import annotations

from nlu.synonyms import SAME_STEMS, match_synonym

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


BOTTLES = {"glass_bottle": ["bouteille de vin", "wine bottle", "botella de vino", "bottiglia di vino"],
           "garden_tools": ["outils de jardin"]}


def test_a_name_said_in_another_number_is_still_the_name():
    said = {"fr": "les bouteilles de vin vides c'est dans quelle poubelle",
            "en": "where do empty wine bottles go",
            "es": "las botellas de vino vacias donde van",
            "it": "le bottiglie di vino vuote dove le metto"}
    for lang, text in said.items():
        found = match_synonym(text, lang, BOTTLES)
        assert found[:1] == [("glass_bottle", SAME_STEMS)], (lang, found)
    # Said word for word, it is sure, above a name said in another form.
    assert match_synonym("une bouteille de vin", "fr", BOTTLES) == [("glass_bottle", 100.0)]


def test_a_name_of_one_word_never_counts_by_its_stem():
    # Snowball gives "leave" and "leaves" one stem, and the Italian "come" and "comò".
    found = dict(match_synonym("where can i leave old clothes", "en", {"leaves": ["leaves"], "clothes": ["clothes"]}))
    assert found["clothes"] == 100.0 and found.get("leaves", 0.0) < SAME_STEMS, found
    found = dict(match_synonym("come lo smaltisco", "it", {"chest_of_drawers": ["comò"]}))
    assert found.get("chest_of_drawers", 0.0) < SAME_STEMS, found


def test_a_language_without_a_stemmer_keeps_the_words_as_said():
    found = dict(match_synonym("les bouteilles de vin", "xx", {"glass_bottle": ["bouteille de vin"]}))
    assert found.get("glass_bottle", 0.0) < SAME_STEMS, found


def test_a_name_said_alone_with_its_article_is_still_the_name():
    permits = {"building_permit": ["licencia de obra mayor"], "prior_declaration": ["licencia de obra menor"]}
    said = match_synonym("una licencia de obra", "es", permits)
    assert [k for k, _ in said] == ["building_permit", "prior_declaration"], said
    assert said[0][1] == match_synonym("licencia de obra", "es", permits)[0][1]


def test_an_article_and_one_word_of_a_longer_name_are_not_the_name():
    permits = {"building_permit": ["licencia de obra mayor"]}
    assert match_synonym("una obra", "es", permits) == []
    assert match_synonym("la licencia", "es", permits) == []
