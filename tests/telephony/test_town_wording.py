"""Which sentences the phone line may keep the audio of: the catalogs' own sentences, the
town's name put in, never a sentence a slot's value goes into."""

from __future__ import annotations

import dataclasses

from civicline.phone.town_wording import TownWording, wording
from support.flowkit import make_runtime
from translations.catalog import Catalogs


def test_the_sentences_no_slot_touches():
    template = "Bonjour, vous êtes à {town}. Vous avez dit : {address}. C'est bien ça ? Appuyez sur {key}."
    assert wording(template, "Testville") == ["Bonjour, vous êtes à Testville.", "Vous avez dit :", ".", "C'est bien ça ?",
                                              "Appuyez sur", "."]


def test_catalog_sentences_are_kept_and_a_sentence_with_a_callers_value_is_not():
    runtime = make_runtime()
    fixed = TownWording(lambda: [runtime])
    assert fixed("Que puis-je faire pour vous ?")
    assert fixed("Bonjour, vous êtes bien à la mairie de Testville.")  # {town}: the town's own name
    assert not fixed("Je ne trouve pas « impasse Inconnue » parmi les rues de Testville.")
    assert not fixed("Pour le français, tapez 1.")  # a written wording is never spoken
    assert not fixed("Pour le français, appuyez sur 1.")  # {key} is a slot like any other


def test_a_replaced_runtime_is_read_again():
    runtime = make_runtime()
    current = [runtime]
    fixed = TownWording(lambda: current)
    assert not fixed("Une phrase nouvelle.")
    catalogs = runtime.catalogs
    fr = dataclasses.replace(catalogs["fr"], prompts={**catalogs["fr"].prompts, "main.menu": "Une phrase nouvelle."})
    current = [dataclasses.replace(runtime, catalogs=Catalogs({**catalogs.by_lang, "fr": fr}, "fr"))]
    assert fixed("Une phrase nouvelle.")
