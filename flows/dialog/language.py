"""`@language`: the language question at the start of a call (by key, by name, or by a
greeting in one language: "bonjour", "hola")."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rapidfuzz import fuzz, process

from flows.dialog.answers import Answer
from flows.dialog.escalation import not_understood
from flows.loader import ENTRY
from flows.session import Ask, Expect

if TYPE_CHECKING:
    from flows.dialog.turn import Turn

NODE = "@language"


def ask_language(turn: Turn) -> None:
    turn.state.node = NODE
    options = turn.say_language_choices()
    turn.ask(Ask(Expect.LANGUAGE, NODE, tuple(options)))


def answer(turn: Turn, given: Answer) -> str | None:
    languages = turn.rt.languages
    chosen = None
    key, text = given.key, given.text
    if key is not None and key.isdigit() and 1 <= int(key) <= len(languages):
        chosen = languages[int(key) - 1]
    elif text:
        chosen = turn.understanding.language_of(text)
        greeted_in = [lang for lang in turn.understanding.greeting_languages(text) if lang in languages]
        if chosen is None and len(greeted_in) == 1:  # "bonjour", "hello": a greeting shows its language
            chosen = greeted_in[0]
        if chosen is None:
            names = {turn.rt.catalogs.render("lang.name", lang).text.lower(): lang for lang in languages}
            match = process.extractOne(text.lower(), list(names), scorer=fuzz.partial_ratio, score_cutoff=85)
            chosen = names[match[0]] if match else None
    if chosen not in languages:
        return not_understood(turn)
    turn.state.lang = chosen
    turn.intent = "language." + chosen
    return ENTRY
