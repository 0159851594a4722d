"""civicline translations add: a new catalog whose every string waits for a translator."""

from __future__ import annotations

import shutil

from civicline.cli import main
from flows.loader import flow_files, load_flows
from flows.validator import validate
from support.flowkit import FIXTURES, HANDLERS, FakeTown
from translations.catalog import CATALOG_DIR, Catalogs, load_catalog


def test_add_copies_english_with_todo_marks_and_the_validator_refuses_it(tmp_path, capsys):
    for name in ("fr.yaml", "en.yaml", "es.yaml"):
        shutil.copy(CATALOG_DIR / name, tmp_path / name)
    assert main(["translations", "add", "it", "Italiano", "--dir", str(tmp_path)]) == 0
    it = load_catalog(tmp_path / "it.yaml")
    en = load_catalog(tmp_path / "en.yaml")
    assert set(it.prompts) == set(en.prompts)
    assert it.prompts["lang.name"] == "Italiano"  # the language's own name needs no translation
    assert all(text.startswith("TODO: ") for key, text in it.prompts.items() if key != "lang.name")
    assert all(all(e.startswith("TODO: ") for e in examples) for examples in it.intents.values())
    catalogs = Catalogs.load(["fr", "it"], "fr", directory=tmp_path)
    flows, _ = load_flows(flow_files(FIXTURES / "flows"))
    problems = validate(flows, catalogs, HANDLERS, town=FakeTown())
    assert any("missing from the catalog of it" in p.message for p in problems)
    assert main(["translations", "add", "it", "Italiano", "--dir", str(tmp_path)]) == 1
    assert "exists already" in capsys.readouterr().err
