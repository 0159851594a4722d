import pytest

from voice.tts.speech_text import format_for_speech

CASES = [
    ("fr", "mardi 1er décembre à 19 h", "mardi premier décembre à dix-neuf heures"),
    ("fr", "à 18h30", "à dix-huit heures trente"),
    ("fr", "à 1 h 05", "à une heure cinq"),
    ("fr", "la 1re fois, le 3e étage", "la première fois, le troisième étage"),
    ("fr", "le 1 décembre", "le premier décembre"),
    ("fr", "Appelez le 01 23 45 67 89.", "Appelez le zéro un, vingt-trois, quarante-cinq, soixante-sept, quatre-vingt-neuf."),
    ("fr", "au 12 bis rue des Lilas", "au douze bis rue des Lilas"),
    ("fr", "1 200,50 €", "mille deux cents euros cinquante"),
    ("fr", "15 %", "quinze pour cent"),
    ("fr", "le 2026-12-01", "le mardi premier décembre deux mille vingt-six"),
    ("en", "Tuesday, December 1 at 7 p.m.", "Tuesday, December first at seven P M"),
    ("en", "at 12:05", "at twelve oh five"),
    ("en", "Call 555-123-4567.", "Call five five five, one two three, four five six seven."),
    ("en", "1234 Main Street", "twelve thirty-four Main Street"),
    ("en", "the 2nd floor", "the second floor"),
    ("en", "$3.50", "three dollars fifty"),
    ("en", "Press 1 for yes.", "Press one for yes."),
    ("es", "el martes 1 de diciembre a las 19:30", "el martes primero de diciembre a las diecinueve horas y treinta"),
    ("es", "a las 19 h", "a las diecinueve horas"),
    ("es", "Calle Mayor 12, 3er piso, 1.ª planta", "Calle Mayor doce, tercer piso, primera planta"),
    ("es", "Llame al 555 123 4567", "Llame al cinco cinco cinco, uno dos tres, cuatro cinco seis siete"),
]


@pytest.mark.parametrize(("lang", "text", "spoken"), CASES, ids=[f"{c[0]}:{c[1]}" for c in CASES])
def test_spoken_form(lang, text, spoken):
    assert format_for_speech(text, lang) == spoken


def test_region_codes_and_unknown_languages():
    assert format_for_speech("à 19 h", "fr-CA") == "à dix-neuf heures"
    assert format_for_speech("Ciao 12", "it") == "Ciao dodici"
    assert format_for_speech("abc 7", "zz") == "abc 7"  # nothing known: left alone, no crash


def test_text_without_numbers_is_unchanged():
    assert format_for_speech("Bonjour, mairie de Port-Lumière.", "fr") == "Bonjour, mairie de Port-Lumière."
