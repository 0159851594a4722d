"""The intent regression on sentence vectors: it learns which request each region of the
space stands for, is the same fitted twice, is kept on disk and read back, and its
probability moves the hand decision (same service: a closer margin to answer)."""

from __future__ import annotations

import numpy as np
import pytest

from nlu.hybrid import Calibration, Evidence, Gathered, HandDecider
from nlu.intent_regression import IntentRegression, fit_softmax


def _blobs(seed: int = 3) -> tuple[np.ndarray, list[str]]:
    rng = np.random.default_rng(seed)
    centres = {"waste.glass": 0, "meetings.next": 1, "out_of_scope": 2}
    rows, labels = [], []
    for label, axis in centres.items():
        for _ in range(12):
            v = rng.normal(0, 0.3, 8)
            v[axis] += 2.0
            rows.append(v / np.linalg.norm(v))
            labels.append(label)
    return np.array(rows, dtype=np.float32), labels


def test_it_learns_the_regions_and_is_deterministic():
    x, labels = _blobs()
    y = np.array([{"waste.glass": 0, "meetings.next": 1, "out_of_scope": 2}[label] for label in labels])
    first, second = fit_softmax(x, y, 3), fit_softmax(x, y, 3)
    assert np.array_equal(first, second)
    model = IntentRegression(x, labels)
    probe = np.zeros(8, dtype=np.float32)
    probe[1] = 1.0
    p = model.probabilities(probe)
    assert set(p) == {"waste.glass", "meetings.next", "out_of_scope"}
    assert sum(p.values()) == pytest.approx(1.0, abs=1e-5)
    assert max(p, key=p.__getitem__) == "meetings.next"
    assert p["meetings.next"] > 0.8


def test_weights_are_kept_on_disk_and_read_back(tmp_path):
    from nlu import intent_regression

    x, labels = _blobs(seed=5)
    model = IntentRegression(x, labels, cache_dir=tmp_path)
    kept = list(tmp_path.glob("intent-regression-*.npy"))
    assert len(kept) == 1
    intent_regression._FITTED.clear()
    again = IntentRegression(x, labels, cache_dir=tmp_path)  # read, not fitted
    assert np.array_equal(model.weights, again.weights)
    assert np.array_equal(np.load(kept[0]), again.weights)


def test_the_probability_decides_between_close_requests():
    close = (Evidence("meetings.next", 0.5, 0.7, 0.0, probability=0.8),
             Evidence("meetings.week", 0.5, 0.7, 0.0, probability=0.1))
    without = HandDecider(Calibration(regression_weight=0.0)).decide(Gathered(close, 0.2, 0.05))
    with_it = HandDecider().decide(Gathered(close, 0.2, 0.05))
    assert without.kind == "ambiguous"
    assert (with_it.kind, with_it.intent) == ("match", "meetings.next")


def test_a_probable_out_of_scope_question_is_not_understood():
    evidence = (Evidence("permits.fee", 0.8, 0.75, 0.0, probability=0.2),
                Evidence("waste.glass", 0.0, 0.3, 0.0, probability=0.01))
    assert HandDecider().decide(Gathered(evidence, 0.6, 0.7)).kind == "none"
    assert HandDecider().decide(Gathered(evidence, 0.6, 0.05)).kind == "match"


def test_clear_words_answer_below_the_bar_unless_an_out_of_scope_example_is_nearer():
    evidence = (Evidence("waste.sorting", 0.95, 0.5, 0.0, probability=0.1),
                Evidence("permits.fee", 0.4, 0.5, 0.0, probability=0.05))
    assert HandDecider().decide(Gathered(evidence, 0.3, 0.4)).intent == "waste.sorting"
    assert HandDecider().decide(Gathered(evidence, 0.3, 0.4)).kind == "match"
    assert HandDecider().decide(Gathered(evidence, 0.6, 0.4)).kind == "none"


def test_an_object_named_in_the_guide_adds_to_where_it_goes_but_does_not_outweigh_the_regression():
    named = (Evidence("waste.sorting", 0.5, 0.7, 0.0, named=0.25, probability=0.5),
             Evidence("waste.bulky", 0.5, 0.7, 0.0, probability=0.4))
    decision = HandDecider().decide(Gathered(named, 0.3, 0.02))
    assert (decision.kind, decision.intent) == ("match", "waste.sorting")
    by_chance = (Evidence("waste.sorting", 0.8, 0.8, 0.0, named=0.25, probability=0.02),  # "where CAN i take my glass"
                 Evidence("waste.glass", 0.93, 0.93, 0.0, probability=0.97))
    assert HandDecider().decide(Gathered(by_chance, 0.3, 0.0)).intent == "waste.glass"


def test_clear_words_decide_between_two_close_requests():
    close = (Evidence("waste.collection_day", 0.6, 0.74, 0.0, probability=0.47),
             Evidence("waste.green", 1.0, 0.57, 0.0, probability=0.35))
    decision = HandDecider().decide(Gathered(close, 0.3, 0.0))
    assert (decision.kind, decision.intent) == ("match", "waste.green")


def test_a_question_judged_out_of_scope_says_so():
    evidence = (Evidence("permits.fee", 0.8, 0.75, 0.0, probability=0.05),
                Evidence("waste.glass", 0.0, 0.3, 0.0, probability=0.01))
    judged = HandDecider().decide(Gathered(evidence, 0.6, 0.9))
    assert (judged.kind, judged.out_of_scope) == ("none", True)
    unsure = HandDecider().decide(Gathered((Evidence("permits.fee", 0.0, 0.2, 0.0, probability=0.3),), 0.1, 0.05))
    assert (unsure.kind, unsure.out_of_scope) == ("none", False)
