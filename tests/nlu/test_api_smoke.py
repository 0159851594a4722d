"""The public API the call engine relies on: signatures and basic behaviour."""

from datetime import datetime

from nlu.addresses import AddressResolver
from nlu.dates import parse_date
from nlu.intents import IntentMatcher
from nlu.language import detect_language
from nlu.normalize import normalize
from nlu.numbers import parse_digits, parse_number
from nlu.synonyms import match_synonym
from nlu.yesno import parse_yes_no

EXAMPLES = {
    "human": ["speak to a person", "operator"],
    "repeat": ["say that again", "repeat"],
    "waste.tomorrow": ["which bin goes out tomorrow"],
}


def test_normalize():
    assert normalize("Euh, vingt-deux rue Émile Zola !", "fr") == "22 rue emile zola"


def test_intents_match_and_none():
    m = IntentMatcher(EXAMPLES, "en")
    d = m.decide("um which bin goes out tomorow")
    assert d.kind == "match" and d.intent == "waste.tomorrow"
    assert m.decide("the weather in paris").kind == "none"
    assert m.decide("").intent is None
    assert (
        m.rank("repeat", only={"human"}) == []
        or m.rank("repeat", only={"human"})[0].intent == "human"
    )


def test_yes_no():
    assert parse_yes_no("oui merci", "fr", ["oui", "oui merci"], ["non", "non merci"]) is True
    assert parse_yes_no("non merci", "fr", ["oui", "merci"], ["non", "non merci"]) is False
    assert parse_yes_no("yes no", "en", ["yes"], ["no"]) is None


def test_language():
    vocab = {"en": ["when", "is", "my", "bin"], "fr": ["quand", "passe", "la", "poubelle"]}
    assert detect_language("quand passe la poubelle", vocab) == "fr"
    assert detect_language("ok", vocab) is None


def test_numbers_and_dates():
    assert parse_number("douze", "fr") == 12
    assert parse_digits("zero six twelve", "en") == "0612"
    assert parse_date("demain", "fr", datetime(2025, 3, 12, 9)).isoformat() == "2025-03-13"


def test_addresses_and_synonyms():
    r = AddressResolver([("vh", ["Rue Victor Hugo"]), ("port", ["Rue du Port"])])
    res = r.resolve("douze rue victor hugo", "fr")
    assert (res.outcome, res.street.street_id, res.number) == ("ok", "vh", 12)
    assert (
        match_synonym("the green bin", "en", {"green": ["green bin"], "glass": ["glass"]})[0][0]
        == "green"
    )
