"""The service handlers: outcomes for every caller input (never an exception), facts with
their sources, and the after-hours callback and message requests."""

from __future__ import annotations

from datetime import datetime

import pytest

from flows.handlers import registered_handlers
from flows.services.callback import message, request, status
from flows.services.waste import bulky, check_address, glass, next_collections, recycling_centre
from flows.town import load_town
from support.townkit import replace_in

NOW = datetime(2026, 12, 1, 14, 0)  # a Tuesday afternoon


def _address(street_id, street, number=None):
    return {"street_id": street_id, "street": street, "number": number, "text": street}


def test_the_flows_handlers_are_registered():
    names = set(registered_handlers())
    assert {"waste.check_address", "waste.next_collections", "waste.glass", "waste.recycling_centre",
            "waste.bulky", "meetings.next", "meetings.on_date", "meetings.this_week", "permits.decide",
            "permits.describe", "human.status", "callback.request", "callback.message"} <= names


@pytest.mark.parametrize(
    ("slots", "outcome"),
    [
        ({}, "not_found"),
        ({"address": _address("rue-de-nulle-part", "Rue de Nulle Part", 3)}, "not_found"),
        ({"address": _address("rue-du-port", "Rue du Port")}, "needs_number"),
        ({"address": _address("rue-du-port", "Rue du Port"), "house_number": {"number": 70, "text": "70"}}, "ok"),
        ({"address": _address("route-de-lyon", "Route de Lyon")}, "ok"),
        ({"address": _address("rue-victor-hugo", "Rue Victor Hugo", 12), "address_confirmed": "12 Rue Victor Hugo"}, "known"),
    ],
)
def test_check_address_outcomes(make_ctx, slots, outcome):
    assert check_address(make_ctx(NOW, "fr", slots)).outcome == outcome


def test_a_number_outside_every_range_has_no_zone(town_copy, make_ctx):
    replace_in(town_copy / "data" / "streets.csv", "Imp. des Lilas|en: Lilac Close|es: Callejón de las Lilas|it: Vicolo dei Lillà,,",
               "Imp. des Lilas|en: Lilac Close|es: Callejón de las Lilas|it: Vicolo dei Lillà,1-20,")
    small = load_town(town_copy)
    slots = {"address": _address("impasse-des-lilas", "Impasse des Lilas", 40)}
    assert check_address(make_ctx(NOW, "fr", slots, town_=small)).outcome == "no_zone"
    assert next_collections(make_ctx(NOW, "fr", slots, town_=small)).outcome == "no_zone"


def test_next_collections_say_each_kind_with_sources(make_ctx):
    slots = {"address": _address("rue-victor-hugo", "Rue Victor Hugo", 13)}  # odd: zone A
    result = next_collections(make_ctx(NOW, "en", slots))
    assert result.outcome == "ok" and result.slots["zones"] == "zone Centre et port"  # its name, not its id
    text = result.slots["collections"]
    # Tuesday afternoon: today's household collection has passed, the next is a week later.
    assert "household waste: Tuesday 8 December" in text
    assert "recycling in the yellow bin: Thursday 10 December" in text
    assert "green waste: Monday 5 April 2027" in text  # the season ended on 30 November
    assert result.slots["address_confirmed"] == "13 Rue Victor Hugo"
    datasets = [s.dataset for s in result.provenance]
    assert datasets.count("collections") == 3 and "streets" in datasets
    assert all(s.verified and s.document and s.version for s in result.provenance)


def test_tomorrow_line(make_ctx):
    slots = {"address": _address("avenue-jean-jaures", "Avenue Jean Jaurès", 4)}  # zone B
    result = next_collections(make_ctx(NOW, "fr", slots))  # tomorrow is Wednesday: household
    assert result.slots["tomorrow"] == "Collecte demain : ordures ménagères. Sortez les bacs ce soir."
    result = next_collections(make_ctx(datetime(2026, 12, 4, 9), "fr", slots))  # Friday
    assert result.slots["tomorrow"] == "Il n'y a pas de collecte demain à cette adresse."


def test_zone_c_has_no_green_waste(make_ctx):
    result = next_collections(make_ctx(NOW, "es", {"address": _address("boulevard-pasteur", "Boulevard Pasteur", 8)}))
    assert "no hay recogida de restos de jardín" in result.slots["collections"]


def test_glass_centre_bulky(make_ctx):
    result = glass(make_ctx(NOW, "fr"))
    assert "Parking du Port" in result.slots["glass_points"] and len(result.provenance) == 4
    sunday = recycling_centre(make_ctx(datetime(2026, 12, 6, 10), "en"))
    assert "closed today" in sunday.slots["centre_status"] and "Monday 7 December at 9 a.m." in sunday.slots["centre_status"]
    lunch = recycling_centre(make_ctx(datetime(2026, 12, 5, 12, 30), "fr"))
    assert "ouvre aujourd'hui de 9 h à 12 h et de 14 h à 18 h" in lunch.slots["centre_status"]
    assert bulky(make_ctx(NOW, "fr")).provenance[0].record == "bulky"


def test_human_status_next_opening(make_ctx):
    result = status(make_ctx(datetime(2026, 12, 24, 17, 30), "fr"))
    assert result.slots["opening"] == "Il rouvre lundi 28 décembre à 8 h 30."
    lunch = status(make_ctx(datetime(2026, 12, 1, 12, 15), "en"))
    assert lunch.slots["opening"] == "It opens again today at 1:30 p.m."


def test_callback_request_is_stored_for_staff(make_ctx):
    slots = {"callback_number": {"digits": "0612345678", "text": "06 12 34 56 78"}, "transfer_reason": "caller_asked"}
    result = request(make_ctx(datetime(2026, 12, 5, 11), "fr", slots))
    assert result.outcome == "ok"
    [req] = result.requests
    assert req.kind == "callback" and req.details["number"] == "+33612345678"
    assert req.details["language"] == "fr" and req.details["reason"] == "caller_asked"


@pytest.mark.parametrize("digits", ["12345678", "0000000000", "", "abc"])
def test_an_invalid_callback_number_is_asked_again(make_ctx, digits):
    result = request(make_ctx(NOW, "fr", {"callback_number": {"digits": digits}}))
    assert result.outcome == "invalid" and not result.requests


def test_message_is_stored_or_asked_again(make_ctx):
    result = message(make_ctx(NOW, "es", {"message": {"text": "Mi contenedor no se vació"}}))
    assert result.requests[0].kind == "message" and result.requests[0].details["message"] == "Mi contenedor no se vació"
    assert message(make_ctx(NOW, "es", {"message": {"text": "  "}})).outcome == "none"


@pytest.mark.parametrize("name", sorted(n for n in registered_handlers() if n.split(".")[0] in
                                        ("waste", "meetings", "permits", "human", "callback")))
@pytest.mark.parametrize("slots", [{}, {"address": "garbage", "permit_kind": 3, "meeting_date": {"date": "soon"},
                                        "surface": "big", "callback_number": None, "message": None}])
def test_no_handler_raises_on_odd_slots(make_ctx, name, slots):
    result = registered_handlers()[name](make_ctx(NOW, "fr", slots))
    assert isinstance(result.outcome, str)
