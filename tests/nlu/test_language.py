"""Language detection on the labelled utterances of each language."""

from __future__ import annotations

import pytest

from nlu.eval import load_labelled
from nlu.language import detect_language
from support.nlu_data import DATA, LANGS, catalog, gazetteer


@pytest.fixture(scope="module")
def vocab():
    return {lang: catalog(lang).vocabulary() for lang in LANGS}


@pytest.mark.parametrize("lang", LANGS)
def test_never_the_wrong_language_and_mostly_the_right_one(vocab, lang):
    streets = [name for _, names in gazetteer() for name in names]
    texts = [c["text"] for c in load_labelled(DATA / f"utterances_{lang}.yaml").cases if c["text"]]
    found = [detect_language(t, vocab, ignore=streets) for t in texts]
    wrong = [(t, f) for t, f in zip(texts, found, strict=True) if f not in (lang, None)]
    assert wrong == []
    assert found.count(lang) / len(texts) >= 0.7


def test_street_names_alone_say_nothing(vocab):
    assert detect_language("rue du port", vocab, ignore=["Rue du Port"]) is None
    assert detect_language("quand passe la poubelle", vocab) == "fr"
    assert detect_language("ok", vocab) is None  # one word in several languages
