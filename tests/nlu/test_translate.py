"""Translation engines: protection, fallback, timeout, cache, apertium for real, drafts."""

from __future__ import annotations

import threading
import time

import pytest

from nlu.crosslingual import CrossLingualMatcher
from nlu.eval import evaluate, load_labelled
from nlu.translate.apertium import ApertiumEngine
from nlu.translate.base import Engine, TranslationError
from nlu.translate.chain import TranslatorChain
from nlu.translate.draft import TODO, draft_catalog, write_draft
from nlu.translate.protect import protect, restore
from support.nlu_data import DATA, ROOT, apertium_available, catalog

needs_apertium = pytest.mark.skipif(
    not (apertium_available() and ApertiumEngine().supports("es", "en")),
    reason="apertium with apertium-eng-spa is not installed (make system-deps)",
)


class Fake(Engine):
    """Upper-cases text; can be told to fail, hang, lose markers or support nothing."""

    def __init__(self, name="fake", *, fail=False, delay=0.0, lose=False, supported=True):
        self.name, self.fail, self.delay, self.lose, self.supported = (
            name,
            fail,
            delay,
            lose,
            supported,
        )
        self.calls = 0

    def supports(self, source, target):
        return self.supported

    def translate_text(self, text, source, target):
        self.calls += 1
        if self.delay:
            time.sleep(self.delay)
        if self.fail:
            raise TranslationError("broken")
        out = text.upper() if not text.startswith("ZQX") else text
        return out.replace("ZQXQ", "") if self.lose else out


class Hanging(Fake):
    """An engine that answers only once the test releases it."""

    def __init__(self, name: str, release: threading.Event) -> None:
        super().__init__(name)
        self.release = release

    def translate_text(self, text, source, target):
        self.release.wait(60)
        return super().translate_text(text, source, target)


def test_protect_keeps_placeholders_numbers_and_street_names():
    text = "Collection at 12 Rue du Port for {town}, 3 times"
    protected, mapping = protect(text, ["Rue du Port"])
    assert "12" not in protected and "{town}" not in protected and "Rue du Port" not in protected
    assert restore(protected, mapping) == text
    # An engine that changes the case of a marker still restores.
    assert restore(protected.lower().replace("zqx", "ZQX", 1), mapping) is not None
    # A lost marker makes the translation unusable.
    first = next(iter(mapping))
    assert restore(protected.replace(first, ""), mapping) is None


def test_chain_falls_through_missing_failing_slow_and_lossy_engines():
    missing = Fake("missing", supported=False)
    failing = Fake("failing", fail=True)
    release = threading.Event()
    slow = Hanging("slow", release)  # hangs until released, far beyond the time-out
    lossy = Fake("lossy", lose=True)
    good = Fake("good")
    chain = TranslatorChain([missing, failing, slow, lossy, good], timeout=0.3)
    start = time.perf_counter()
    result = chain.translate("bins on {day} at 12 rue du port", "en", "fr", terms=["rue du port"])
    release.set()
    assert time.perf_counter() - start < 30  # the hanging engine was not waited for
    assert result.engine == "good" and result.machine_translated
    assert result.text == "BINS ON {day} AT 12 rue du port"
    assert missing.calls == 0 and failing.calls == 1 and lossy.calls == 1


def test_chain_without_a_working_engine_returns_the_original():
    chain = TranslatorChain([Fake(fail=True)], timeout=0.5)
    result = chain.translate("hello", "en", "fr")
    assert (result.text, result.engine, result.machine_translated) == ("hello", "none", False)
    assert chain.as_catalog_translator()("hello", "en", "fr") is None
    assert TranslatorChain([]).translate("hello", "en", "fr").machine_translated is False


def test_chain_caches_and_skips_same_language(tmp_path):
    engine = Fake()
    cache = tmp_path / "cache.json"
    chain = TranslatorChain([engine], cache_path=cache)
    assert chain.translate("hello", "en", "fr").text == "HELLO"
    assert chain.translate("hello", "en", "fr").text == "HELLO"
    assert engine.calls == 1
    assert chain.translate("hello", "en", "en-US").machine_translated is False
    chain.save_cache()
    again = Fake()
    assert TranslatorChain([again], cache_path=cache).translate("hello", "en", "fr").text == "HELLO"
    assert again.calls == 0


@needs_apertium
def test_apertium_translates_and_keeps_names():
    chain = TranslatorChain([ApertiumEngine()])
    result = chain.translate(
        "el perro vive en el 12 de la Rue du Port", "es", "en", terms=["Rue du Port"]
    )
    assert result.engine == "apertium" and result.machine_translated
    assert "dog" in result.text.lower() and "12" in result.text and "Rue du Port" in result.text
    fr = chain.translate("Bonjour, vous êtes bien à la mairie de {town}.", "fr", "en")
    assert fr.machine_translated and "{town}" in fr.text
    batch = chain.translate_many(["speak to a person", "the dog"], "en", "es")
    assert [b.text.lower() for b in batch][1] == "el perro"


@needs_apertium
def test_spanish_without_its_examples_through_apertium_reaches_80_percent():
    chain = TranslatorChain([ApertiumEngine()])
    matcher = CrossLingualMatcher(catalog("en").intents, "en", "es", chain)
    labelled = load_labelled(DATA / "utterances_es.yaml")
    texts = [c["text"] for c in labelled.cases if "intent" in c]
    chain.translate_many(texts, "es", "en")
    report = evaluate(labelled, examples={}, gazetteer=[], matcher=matcher, via="apertium")
    assert report.tally("intent").total >= 90
    assert report.intent_accuracy >= 0.80, report.tally("intent").failures


def test_draft_marks_every_string_and_loads_as_a_catalog(tmp_path):
    from translations.catalog import load_catalog

    source = catalog("en")
    draft = draft_catalog(source, "xx", TranslatorChain([Fake()]))
    path = tmp_path / "xx.yaml"
    write_draft(draft, path)
    loaded = load_catalog(path)
    assert loaded.language == "xx"
    assert set(loaded.prompts) == set(source.prompts)
    for text in [*loaded.prompts.values(), *loaded.yes, *loaded.no, *loaded.disclosure]:
        assert text.startswith(TODO)
    assert all(e.startswith(TODO) for es in loaded.intents.values() for e in es)
    assert not loaded.has("main.greeting")  # TODO prompts count as missing
    assert "{town}" in loaded.prompts["main.greeting"]
    assert draft["_stats"]["untranslated"] == 0


def test_cli_eval_and_draft(tmp_path, capsys):
    from civicline.cli import main

    assert main(["nlu", "eval", "--lang", "en"]) == 0
    assert "intent" in capsys.readouterr().out
    out = tmp_path / "drafts" / "es.yaml"
    assert main(["translations", "draft", "es", "--engine", "apertium", "--output", str(out)]) == 0
    assert out.exists() and TODO in out.read_text(encoding="utf-8")
    assert ROOT.joinpath("translations", "drafts", "es.yaml").exists() is False


def test_placeholders_side_by_side_keep_their_markers_apart():
    text = "call {number}{also}."
    protected, mapping = protect(text)
    assert restore(protected.upper(), mapping) == text.upper().replace("{NUMBER}{ALSO}", "{number}{also}")
