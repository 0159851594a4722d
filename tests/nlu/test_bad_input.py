"""Input a caller, a recogniser or an attacker can produce: no match, no crash."""

from __future__ import annotations

import time
from datetime import datetime

import pytest

from nlu.addresses import AddressResolver
from nlu.dates import parse_date, parse_date_range
from nlu.intents import IntentMatcher
from nlu.language import detect_language
from nlu.normalize import normalize
from nlu.numbers import parse_digits, parse_number
from nlu.synonyms import match_synonym
from nlu.yesno import parse_yes_no
from support.nlu_data import LANGS, catalog, gazetteer

BAD = [
    "",
    "   \n\t ",
    "a" * 10_000,
    "zzqx " * 2_000,  # 10 000 characters of words no catalog has
    "\x00\x01\x02\xff\xfe" * 50,
    # Binary read as text: every byte but the digits and the superscript ones.
    bytes(
        b
        for b in range(256)
        if not (0x30 <= b <= 0x39 or b in (0xB2, 0xB3, 0xB9, 0xBC, 0xBD, 0xBE))
    ).decode("latin-1"),
    "привет 你好 مرحبا 🗑️🗑️",
    "пожалуйста 東京 мусор ゴミ",
    "\ud800",  # a lone surrogate, as a broken decoder can produce
]
NOW = datetime(2025, 3, 12, 10)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("text", BAD, ids=range(len(BAD)))
def test_no_match_and_no_crash(lang, text):
    cat = catalog(lang)
    matcher = IntentMatcher(cat.intents, lang)
    # CPU time of this thread, not wall time: other jobs on a shared machine do not count,
    # and runaway backtracking (seconds of CPU) still does.
    start = time.thread_time()
    decision = matcher.decide(text)
    assert decision.kind == "none", decision
    assert isinstance(normalize(text, lang), str)
    result = AddressResolver(gazetteer()).resolve(text, lang)
    assert result.outcome in {"not_found", "number_only"}
    assert parse_yes_no(text, lang, cat.yes, cat.no) is None
    assert parse_date(text, lang, NOW) is None and parse_date_range(text, lang, NOW) is None
    assert parse_number(text, lang) is None and parse_digits(text, lang) is None
    assert match_synonym(text, lang, cat.entities["waste_kind"]) == []
    assert detect_language(text, {lg: catalog(lg).vocabulary() for lg in LANGS}) is None
    assert time.thread_time() - start < 2.0  # bounded work, even on 10 000 characters


def test_non_strings_are_treated_as_empty():
    matcher = IntentMatcher({"a": ["hello there"]}, "en")
    assert matcher.decide(None).kind == "none"  # type: ignore[arg-type]
    assert AddressResolver([]).resolve(None, "en").outcome == "not_found"  # type: ignore[arg-type]


@pytest.mark.parametrize("lang", LANGS)
def test_long_input_of_real_words_is_bounded(lang):
    matcher = IntentMatcher(catalog(lang).intents, lang)
    start = time.thread_time()
    matcher.decide("bin poubelle basura " * 500)  # 10 000 characters
    AddressResolver(gazetteer()).resolve("rue du port " * 900, lang)
    assert time.thread_time() - start < 2.0


def test_mixed_script_keeps_the_latin_words():
    matcher = IntentMatcher(catalog("en").intents, "en")
    assert (
        matcher.decide("пожалуйста when is my bin collected 東京").intent == "waste.collection_day"
    )


def test_a_key_said_as_a_number_is_told_from_a_sentence():
    from nlu.numbers import lone_number

    assert lone_number("one", "en") == 1 and lone_number("number two", "en") == 2
    assert lone_number("uno", "es") == 1 and lone_number("el dos", "es") == 2
    assert lone_number("deux", "fr") == 2 and lone_number("la touche 3", "fr") == 3
    assert lone_number("option two please", "en") == 2 and lone_number("deux s'il vous plaît", "fr") == 2
    assert lone_number("il due per favore", "it") == 2 and lone_number("the number 2 key", "en") is None  # four words
    assert lone_number("one sofa", "en") is None and lone_number("i'm done", "en") is None
    assert lone_number("", "en") is None and lone_number("12 rue du port", "fr") is None


def test_italian_street_kinds_break_ties_like_the_others():
    # "piazza" is a place, "via" a rue, "vicolo" an impasse: the kind tells apart two streets
    # of the same distinctive name, and an Italian article is no part of a name.
    resolver = AddressResolver([("place-du-marche", ["Place du Marché"]), ("rue-du-marche", ["Rue du Marché"]),
                                ("impasse-des-lilas", ["Impasse des Lilas"])])
    assert resolver.resolve("piazza del marche 4", "it").street.street_id == "place-du-marche"
    assert resolver.resolve("via del marche 4", "it").street.street_id == "rue-du-marche"
    lilas = resolver.resolve("il 2 di vicolo dei lilas", "it")
    assert lilas.street is not None and lilas.street.street_id == "impasse-des-lilas" and lilas.number == 2


def test_an_address_is_said_plainly_only_with_a_kind_a_number_or_a_close_name():
    from nlu.addresses import plainly_an_address

    resolver = AddressResolver([("avenue-des-pins", ["Avenue des Pins"]), ("rue-victor-hugo", ["Rue Victor Hugo"])])
    assert not plainly_an_address(resolver, "i have a question about the bins", "en")
    assert plainly_an_address(resolver, "when are the bins collected on victor hugo", "en")
    assert plainly_an_address(resolver, "la basura de la calle de los pinos", "es")  # a kind of street said
    assert plainly_an_address(resolver, "au 12 des pins", "fr")  # a house number said


def test_the_request_is_read_without_the_address_named_in_it():
    from nlu.addresses import without_address

    resolver = AddressResolver([("rue-victor-hugo", ["Rue Victor Hugo"]), ("rue-du-port", ["Rue du Port"]),
                                ("rue-de-la-republique", ["Rue de la République"])])
    said = without_address(resolver, "cuándo recogen los restos de jardín en el 13 rue victor hugo", "es")
    assert said == "cuando recogen los restos de jardin en el"
    assert without_address(resolver, "numéro 8 rue du port quel jour passe le camion", "fr") == "quel jour passe le camion"
    # "de la" before the street's own "de la" is the sentence's.
    assert without_address(resolver, "les poubelles de la rue de la république c'est quel jour", "fr") == (
        "les poubelles de la c est quel jour")
    assert without_address(resolver, "i have a question about the bins", "en") is None
    assert without_address(resolver, "13 rue victor hugo", "en") == ""
