"""Callers' own sentences, labelled with the request each asks for, that the intent
regression (nlu.intent_regression) is fitted on beside the catalogs' examples.

They are the tuned-on caller sets (tests/nlu/data/callers dev to dev11: sentences
written by people who had not read the catalogs, as a recogniser writes them), copied into
``translations/callers/<lang>.yaml`` by ``scripts/callers_training.py --write``; the held-out
set (test_*) never is. They teach the regression and are nearest examples of their
requests (nlu.hybrid), and ordinary sentences to the emergency meaning; the words matcher
knows the catalogs' examples alone.
"""

from __future__ import annotations

from pathlib import Path

import yaml

__all__ = ["CALLERS_DIR", "load_caller_sentences"]

CALLERS_DIR = Path(__file__).with_name("callers")


def load_caller_sentences(folder: Path = CALLERS_DIR) -> dict[str, list[str]]:
    """Every language's sentences by request (``out_of_scope``: questions the town does not
    answer here): the encoder is multilingual, so all count for every language. A missing
    folder is no sentences; a malformed file is an error (it ships with the program)."""
    sentences: dict[str, list[str]] = {}
    if not folder.is_dir():
        return sentences
    for path in sorted(folder.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        intents = data.get("intents")
        if not isinstance(intents, dict):
            raise ValueError(f"{path}: no `intents:` mapping")
        for intent, phrases in intents.items():
            if not isinstance(phrases, list) or not all(isinstance(p, str) for p in phrases):
                raise ValueError(f"{path}: `{intent}` is not a list of sentences")
            sentences.setdefault(str(intent), []).extend(phrases)
    return sentences
