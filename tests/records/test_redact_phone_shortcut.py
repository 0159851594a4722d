"""Redaction skips the phone-number matcher on a text where no run of digits is long enough
for a number: the same text comes out as when the matcher runs."""

from __future__ import annotations

import sys

import phonenumbers
import pytest

import records.redact  # noqa: F401  (the module, not the function of the same name)

R = sys.modules["records.redact"]

TEXTS = [
    "Pour les collectes de déchets, appuyez sur 1. Pour les réunions, appuyez sur 2. Pour une personne, 0.",
    "La mairie est ouverte de 8 h 30 à 12 h, le 1er et le 15 décembre 2026.",
    "Rappelez-moi au 06 12 34 56 78 s'il vous plaît",
    "call me on (555) 123-4567 x 89",
    "+683 7290 is Niue, +43 1234 is Vienna",
    "mi número es 612-345-678",
    "12 rue Victor Hugo, 75001",
    "code 1234-56",
    "0612345678",
    "ｏｎｅ ０６１２３４５６７８",
]


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize("lang", ["fr", "en", "es"])
def test_the_shortcut_changes_nothing(text, lang, monkeypatch):
    with_shortcut = R._phones(text, lang)
    monkeypatch.setattr(R, "_may_hold_phone", lambda t: True)
    assert R._phones(text, lang) == with_shortcut


def test_a_menu_never_reaches_the_matcher_and_a_number_does():
    assert not R._may_hold_phone(TEXTS[0]) and not R._may_hold_phone(TEXTS[1])
    assert R._may_hold_phone(TEXTS[2]) and R._may_hold_phone("+43 1234")


def test_the_digit_runs_join_every_punctuation_mark_the_matcher_does():
    marks = phonenumbers.phonenumberutil._VALID_PUNCTUATION
    for mark in marks:
        assert R._DIGIT_RUN.fullmatch(f"1{mark * 4}2"), repr(mark)
    assert R._FEWEST_PHONE_DIGITS <= 6  # "+43 1234": a country code and four digits
