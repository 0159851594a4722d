"""Language catalogs: loading errors with lines, fallbacks recorded, adding a language."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from staff_files.problems import CatalogError
from translations.catalog import CATALOG_DIR, Catalogs, load_catalog


@pytest.fixture
def catalog_dir(tmp_path: Path) -> Path:
    for name in ("fr.yaml", "en.yaml", "es.yaml"):
        shutil.copy(CATALOG_DIR / name, tmp_path / name)
    return tmp_path


def test_every_catalog_loads_and_starts_with_its_language():
    for lang in ("fr", "en", "es"):
        catalog = load_catalog(CATALOG_DIR / f"{lang}.yaml")
        assert catalog.language == lang and catalog.prompts and catalog.yes and catalog.no


def test_missing_key_falls_back_to_the_main_language_and_says_so(catalog_dir):
    es = catalog_dir / "es.yaml"
    es.write_text("\n".join(line for line in es.read_text().splitlines() if "common.slower" not in line))
    catalogs = Catalogs.load(["fr", "en", "es"], "fr", directory=catalog_dir)
    rendered = catalogs.render("common.slower", "es")
    assert rendered.language == "fr" and rendered.fallback == "main_language"
    assert "lentement" in rendered.text


def test_missing_key_uses_a_machine_translation_when_an_engine_is_configured(catalog_dir):
    es = catalog_dir / "es.yaml"
    es.write_text("\n".join(line for line in es.read_text().splitlines() if "common.slower" not in line))
    calls = []

    def translator(text, source, target):
        calls.append((source, target))
        return f"[{target}] {text}", "fake-engine"

    catalogs = Catalogs.load(["fr", "en", "es"], "fr", directory=catalog_dir, translator=translator)
    rendered = catalogs.render("common.slower", "es")
    assert rendered.language == "es" and rendered.fallback == "machine_translation:fake-engine"
    assert rendered.text.startswith("[es] ")
    catalogs.render("common.slower", "es")
    assert calls == [("fr", "es")]  # cached


def test_failing_translator_falls_back_without_crashing(catalog_dir):
    es = catalog_dir / "es.yaml"
    es.write_text("\n".join(line for line in es.read_text().splitlines() if "common.slower" not in line))

    def broken(text, source, target):
        raise TimeoutError("engine too slow")

    catalogs = Catalogs.load(["fr", "en", "es"], "fr", directory=catalog_dir, translator=broken)
    assert catalogs.render("common.slower", "es").fallback == "main_language"


def test_a_broken_catalog_names_file_and_line(catalog_dir):
    en = catalog_dir / "en.yaml"
    text = en.read_text().replace('  common.slower: "All right', '  common.slower: "All {right', 1)
    en.write_text(text)
    with pytest.raises(CatalogError) as info:
        Catalogs.load(["fr", "en"], "fr", directory=catalog_dir)
    problem = info.value.problems[0]
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "common.slower" in row)
    assert problem.file.endswith("en.yaml") and problem.line == line and "braces" in problem.message


def test_adding_a_language_is_adding_one_file(catalog_dir):
    it = (catalog_dir / "en.yaml").read_text().replace("language: en", "language: it", 1)
    it = it.replace("For English, press {key}.", "Per l'italiano, premere {key}.")
    (catalog_dir / "it.yaml").write_text(it)
    catalogs = Catalogs.load(["fr", "it"], "fr", directory=catalog_dir)
    assert catalogs.render("lang.choose", "it", {"key": 2}).text == "Per l'italiano, premere 2."


def test_a_catalog_for_the_wrong_language_is_refused(catalog_dir):
    (catalog_dir / "de.yaml").write_text((catalog_dir / "en.yaml").read_text())
    with pytest.raises(CatalogError, match="language: de"):
        Catalogs.load(["fr", "de"], "fr", directory=catalog_dir)
