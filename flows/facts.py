"""Sentences must not state facts the town's data could contradict: opening hours, fees,
phone numbers, days of opening. Those come from data through {placeholders}, so a change
in the data is a change in what callers hear; a fact written into a sentence stays wrong
once the data changes (a centre open seven days announced "closed on Sundays")."""

from __future__ import annotations

import re

from staff_files.problems import Problem
from translations.catalog import Catalogs

_DAYS = ("monday|tuesday|wednesday|thursday|friday|saturday|sunday|lundi|mardi|mercredi|jeudi|vendredi|"
         "samedi|dimanche|lunes|martes|miércoles|miercoles|jueves|viernes|sábado|sabado|domingo")
FACTS = (
    ("a time of day", re.compile(r"\b\d{1,2}(:\d{2}\b| ?h ?\d{0,2}\b| ?[ap]\.? ?m\b\.?)", re.IGNORECASE)),
    ("an amount of money", re.compile(r"[€£$] ?\d|\d ?(€|£|\$|euros?\b|pounds?\b|dollars?\b)", re.IGNORECASE)),
    ("a phone number", re.compile(r"\+?\d[\d .-]{7,}\d")),
    ("opening days", re.compile(rf"\b({_DAYS})s? (to|au|a|-|–) ({_DAYS})s?\b|\b(closed|open|fermée?|ouverte?|"
                                rf"cerrad[oa]|abiert[oa]|abre|cierra)\b[^.;]{{0,20}}\b({_DAYS})s?\b", re.IGNORECASE)),
)


def stated_fact(text: str) -> str | None:
    """What kind of fact a sentence states outright, or None. Placeholders are not facts."""
    bare = re.sub(r"\{[^}]*\}", " ", text)
    for what, pattern in FACTS:
        if pattern.search(bare):
            return what
    return None


def check_facts(catalogs: Catalogs) -> list[Problem]:
    problems = []
    for lang in catalogs.languages:
        catalog = catalogs[lang]
        for key, text in catalog.prompts.items():
            what = stated_fact(text)
            if what:
                file, line = catalog.where(key)
                problems.append(Problem(file, line, f"sentence '{key}' states {what} (\"{text[:70]}\"): the town's data "
                                                    "could say otherwise; take it from the data with a {placeholder} "
                                                    "(see docs/town-data.md)"))
    return problems
