"""Streets and zones of the demo town: the streets the issue names, odd/even sides,
number ranges, aliases and sound-alike names."""

from __future__ import annotations

import unicodedata

import pytest

REQUIRED = {
    "Rue Victor Hugo", "Avenue Jean Jaurès", "Chemin des Vignes", "Place de la Mairie",
    "Rue du Port", "Boulevard Pasteur", "Rue Émile Zola", "Allée des Tilleuls",
    "Impasse des Lilas", "Route de Lyon", "Rue du Pont", "Allée des Tilleuls Prolongée",
}


def _fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


def _by_name(town, name):
    return next(s for s in town.streets.values() if s.name == name)


def test_at_least_sixty_streets_with_the_required_ones(town):
    names = {s.name for s in town.streets.values()}
    assert len(names) >= 60
    assert names >= REQUIRED


@pytest.mark.parametrize(
    ("name", "number", "zone"),
    [
        ("Rue Victor Hugo", 1, "A"), ("Rue Victor Hugo", 13, "A"),
        ("Rue Victor Hugo", 2, "B"), ("Rue Victor Hugo", 12, "B"),
        ("Avenue Jean Jaurès", 5, "B"), ("Chemin des Vignes", 5, "C"),
        ("Place de la Mairie", 1, "A"), ("Rue du Port", 1, "A"), ("Rue du Port", 60, "A"),
        ("Rue du Port", 61, "C"), ("Rue du Port", 140, "C"), ("Boulevard Pasteur", 8, "C"),
        ("Rue Émile Zola", 3, "B"), ("Allée des Tilleuls", 3, "C"), ("Impasse des Lilas", 2, "A"),
        ("Route de Lyon", 30, "C"),
    ],
)
def test_zone_of_a_house_number(town, name, number, zone):
    assert _by_name(town, name).zones_for(number) == {"zone": zone}


def test_the_number_is_needed_only_where_the_zone_depends_on_it(town):
    assert _by_name(town, "Rue du Port").zones_for(None) is None
    assert _by_name(town, "Rue Victor Hugo").zones_for(None) is None
    assert _by_name(town, "Route de Lyon").zones_for(None) == {"zone": "C"}
    assert not _by_name(town, "Route de Lyon").needs_number


def test_streets_with_accents_have_an_alias_without(town):
    for street in town.streets.values():
        if _fold(street.name) != street.name:
            assert _fold(street.name) in street.aliases, street.name


def test_gazetteer_gives_official_name_first_then_aliases(town):
    gazetteer = dict(town.street_gazetteer())
    assert gazetteer["avenue-jean-jaures"][0] == "Avenue Jean Jaurès"
    assert "Av. Jean Jaurès" in gazetteer["avenue-jean-jaures"]
    assert "Avenue Jean Jaures" in gazetteer["avenue-jean-jaures"]
    assert len(gazetteer) == len(town.streets)


def test_every_street_stretch_has_a_source_and_a_verified_date(town):
    for street in town.streets.values():
        for segment in street.segments:
            assert segment.origin.document and segment.origin.verified, street.id
