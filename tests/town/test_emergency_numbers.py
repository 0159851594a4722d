"""town.yaml ``emergency:``: the numbers to call, and the optional number that takes text
messages (for deaf and hard-of-hearing residents), checked like the others."""

from __future__ import annotations

from flows.town.common import Problems
from flows.town.emergency import load_emergency


def test_the_text_number_is_optional_and_kept_apart_from_the_kinds():
    problems = Problems("town.yaml")
    numbers = load_emergency({"general": "112", "fire": "18", "text_number": "114"}, problems, 1)
    assert problems.items == []
    assert (numbers.general, numbers.number("fire"), numbers.text_number) == ("112", "18", "114")
    assert "text_number" not in numbers.by_kind and numbers.number("medical") == "112"
    assert load_emergency({"general": "999"}, problems, 1).text_number is None


def test_a_text_number_that_is_not_a_number_is_a_problem():
    problems = Problems("town.yaml")
    load_emergency({"text_number": "the 114 app", "police": "17"}, problems, 1)
    messages = [p.message for p in problems.items]
    assert any("text_number: 'the 114 app' is not a phone number" in m for m in messages)
    assert any("'police' is not a kind of emergency" in m and "text_number" in m for m in messages)
