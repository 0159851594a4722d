"""What the caller answered, as the node waiting for it receives it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from flows.session import Option
from nlu.numbers import lone_number

if TYPE_CHECKING:
    from flows.dialog.turn import Turn

YES_KEY, NO_KEY = "1", "2"
YES_NO_OPTIONS = (Option(YES_KEY, "yes"), Option(NO_KEY, "no"))


@dataclass(frozen=True)
class Answer:
    """Keys the caller pressed, or the words they said: exactly one of the two."""

    key: str | None = None
    text: str | None = None


@dataclass(frozen=True)
class Moved:
    """An answer was taken: the call goes on at `next` (None: the turn stops here)."""

    next: str | None


def yes_no(turn: Turn, answer: Answer, lang: str | None = None) -> bool | None:
    """Yes (key 1 or words), no (key 2 or words), or None when neither was understood."""
    if answer.key is not None:
        return {YES_KEY: True, NO_KEY: False}.get(answer.key)
    if not answer.text:
        return None
    said_key = lone_number(answer.text, lang or turn.lang)
    if said_key is not None:  # "uno", "two": the key said aloud
        return {int(YES_KEY): True, int(NO_KEY): False}.get(said_key)
    return turn.understanding.yes_no(answer.text, lang or turn.lang)
