"""Which pieces of the answers a town's vocabulary lacks, and why: counted from the text,
cut as the phone line cuts it, without any voice."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pytest

from civicline.config import load_config
from civicline.live_pieces import Answer, Explainer, count_live, scenario_answers, town_counts
from civicline.scenarios import load_scenario, scenario_files
from civicline.vocabulary import vocabulary
from civicline.wiring import load_runtime
from translations.formatting import format_day
from voice.tts.cache import split_sentences
from voice.tts.speech_text import format_for_speech
from voice.vocab.assemble import spoken_sentences
from voice.vocab.pieces import piece_key
from voice.vocab.render import vocabulary_pieces

ROOT = Path(__file__).resolve().parents[2]


def explain(vocab: dict[str, str], catalog=(), data=()) -> Explainer:
    return Explainer("fr", vocab, catalog, data)


def test_sentences_are_cut_only_where_vocabulary_pieces_end():
    text = "Le centre est ouvert de 9 h à 12 h, puis de 14 h à 18 h ; fermé le dimanche : voilà. C'est tout ? Oui."
    assert spoken_sentences(text) == [
        "Le centre est ouvert de 9 h à 12 h, puis de 14 h à 18 h ; fermé le dimanche : voilà.", "C'est tout ?", "Oui."]
    assert spoken_sentences("Open from 9 a.m. to 5 p.m. on weekdays. Closed.") == [
        "Open from 9 a.m. to 5 p.m. on weekdays.", "Closed."]


def test_each_live_piece_gets_its_cause():
    vocab = vocabulary_pieces(["Tapez 1 pour les collectes, 2 pour les réunions, 3 pour les permis et autorisations.",
                               "Votre référence :", "Vous avez dit :", "trois", "quatre", "Je ne trouve pas", "parmi les rues."],
                              "fr")
    answers = [
        Answer("Tapez 1 pour les collectes, 2 pour les réunions, 3 pour les permis et autorisations.", "fr", "t", date(2026, 1, 1)),
        Answer("Votre référence : B 3 A.", "fr", "t", date(2026, 1, 1)),
        Answer("Je ne trouve pas rue Machin parmi les rues.", "fr", "t", date(2026, 1, 1), ("12 rue Machin",)),
        Answer("Vous avez dit : mardi quatre.", "fr", "t", date(2026, 1, 1)),
    ]
    whole = count_live(answers, "fr", vocab, explain(vocab))
    assert [(p.text, p.cause) for p in whole.live] == [("B", "letters"), ("A", "letters"), ("rue Machin", "caller"),
                                                       ("mardi", "date")]
    # Cut at commas as whole-sentence synthesis does, the menu's fragment goes live
    at_commas = count_live(answers, "fr", vocab, explain(vocab), split=lambda t: split_sentences(t, max_chars=40))
    assert {p.cause for p in at_commas.live} - {p.cause for p in whole.live} == {"sentence cut"}


@pytest.fixture(scope="module")
def demo_answers() -> list[Answer]:
    config = load_config(ROOT / "civicline.toml")
    return scenario_answers(config, [f for f in scenario_files([ROOT / "scenarios"]) if not load_scenario(f).town])


def test_every_demo_answer_is_in_the_vocabulary_but_the_callers_own_words(demo_answers):
    config = load_config(ROOT / "civicline.toml")
    counts = list(town_counts(config, demo_answers, ["fr", "es", "en"]))
    assert {lang for _, lang, _ in counts} == {"fr", "es", "en"}
    for _, lang, count in counts:
        assert count.answers > 50 and count.pieces > count.answers
        assert {p.cause for p in count.live} <= {"caller"}, (lang, [(p.text, p.cause) for p in count.live])


def test_the_vocabulary_holds_letters_the_words_a_choice_is_said_with_and_other_languages_names():
    runtime = load_runtime(load_config(ROOT / "civicline.toml"))
    vocab = vocabulary_pieces(vocabulary(runtime, "es", date(2026, 12, 1)), "es")
    assert {"b", "f", "reciclaje", "restos de poda", "english", "français", "marzo"} <= set(vocab)
    assert not any("escriba 1 para" in key for key in vocab)  # a written wording is never spoken


def test_the_last_day_of_a_published_calendar_is_in_the_vocabulary():
    config = load_config(ROOT / "civicline.toml")
    runtime = load_runtime(dataclasses.replace(config, town_path=ROOT / "towns" / "gedling"))
    lasts = {zone.source.last_day() for service in runtime.town.collections.services.values()
             for zone in service.zones.values() if zone.source is not None}
    vocab = vocabulary_pieces(vocabulary(runtime, "en", date(2026, 12, 1)), "en")
    assert lasts and all(piece_key(format_for_speech(format_day(d, "en", year=True), "en")) in vocab for d in lasts)
