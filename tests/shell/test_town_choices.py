"""A town chooses what it offers and how it says it, from its own folder: its languages and
their order (town.yaml), its own sentences (sentences/<lang>.yaml) checked for keys,
placeholders and stated facts, which data sets exist (no permits data, no permits menu),
and a locality that tells same-named streets apart."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import pytest

from civicline.calls import Call
from civicline.config import load_config
from civicline.wiring import check_runtime, load_runtime
from flows.dialog import Engine
from flows.session import Pressed, Said, Say
from flows.town import check_town
from support.townkit import replace_in

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "towns" / "port-lumiere"
NOW = datetime.fromisoformat("2026-12-01T10:15:00+01:00")


@pytest.fixture
def town(tmp_path: Path) -> Path:
    target = tmp_path / "town"
    shutil.copytree(DEMO, target)
    return target


def _config(town: Path, **env: str):
    return load_config(ROOT / "civicline.toml", env={"CIVICLINE_TOWN_PATH": str(town), **env})


def _said(step) -> str:
    return " ".join(a.text for a in step.actions if isinstance(a, Say))


def _messages(town: Path) -> list[str]:
    return [str(p) for p in check_runtime(_config(town)).problems]


def test_town_yaml_chooses_the_languages_and_their_order(town):
    replace_in(town / "town.yaml", "languages: [fr, en, es]", "languages: [es, fr]")
    runtime = load_runtime(_config(town))
    assert runtime.languages == ["es", "fr"]
    call = Call(Engine(runtime), lambda: NOW)
    greeting = _said(call.start())
    assert greeting.index("español") < greeting.index("français") and "English" not in greeting
    assert "1" in greeting.split("français")[0]  # Spanish is key 1


def test_an_english_only_town_asks_no_language(town):
    replace_in(town / "town.yaml", "main_language: fr\nlanguages: [fr, en, es]", "main_language: en\nlanguages: [en]")
    runtime = load_runtime(_config(town))
    assert runtime.languages == ["en"]
    said = _said(Call(Engine(runtime), lambda: NOW).start())
    assert "Pour le français" not in said and "Hello" in said


def test_a_town_sentence_replaces_the_catalogs_one(town):
    (town / "sentences").mkdir()
    (town / "sentences" / "en.yaml").write_text(
        'language: en\nprompts:\n  waste.zone: "the {name} round"\n', encoding="utf-8")
    runtime = load_runtime(_config(town))
    call = Call(Engine(runtime), lambda: NOW, language="en")
    call.start()
    step = call.send(Pressed("1"))
    for text in ("1", "12 rue du port"):
        step = call.send(Pressed(text) if text == "1" else Said(text))
    step = call.send(Pressed("1"))  # yes, that address
    assert "the Centre et port round" in _said(step)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('  waste.zon: "the {name} round"', "there is no sentence 'waste.zon' to replace"),
        ('  waste.zone: "the {zone_id} round"', "uses {zone_id}, which this sentence cannot fill (it can use: {name})"),
        ('  waste.centre_answer: "{centre}: open Monday to Saturday, from 9 a.m. to noon."',
         "sentence 'waste.centre_answer' states a time of day"),
        ('  main.greeting: "Hello, automated assistant of {town}; call 0115 901 3901."',
         "states a phone number"),
        ('  waste.bulky_answer: "Bulky items: £25 for up to three items."', "states an amount of money"),
    ],
)
def test_a_town_sentence_is_checked_with_its_line(town, line, expected):
    (town / "sentences").mkdir()
    path = town / "sentences" / "en.yaml"
    path.write_text("language: en\nprompts:\n" + line + "\n", encoding="utf-8")
    messages = _messages(town)
    assert any(m.startswith(f"{path}:3: ") and expected in m for m in messages), messages


def test_a_menu_sentence_offering_a_key_no_choice_has_is_refused(town):
    (town / "sentences").mkdir()
    (town / "sentences" / "en.yaml").write_text(
        'language: en\nprompts:\n  main.menu: "For waste, press 1. For meetings, press 2. For permits, press 3. '
        'For parking, press 6."\n', encoding="utf-8")
    messages = _messages(town)
    assert any("node 'main.menu'" in m and "offers key 6, which no choice of this menu has" in m for m in messages)


def test_a_town_without_permits_data_has_no_permits_menu(town):
    replace_in(town / "town.yaml", '  permits: {file: data/permits.yaml, version: "2026.4"}\n', "")
    assert check_town(town) == []
    messages = _messages(town)
    assert any("handler 'permits.decide' needs the town's permits data" in m for m in messages)
    # The town removes the permits flow and its choice, and says its menu without it.
    (town / "flows" / "permits.yaml").unlink()
    main = town / "flows" / "main.yaml"
    text = main.read_text(encoding="utf-8")
    text = text.replace("""      - key: 3
        intent: permits.which
        label: main.choice_permits
        next: permits.start
""", "").replace("      - {intent: permits.fee, next: permits.start}\n", "").replace(
        "      - {intent: permits.documents, next: permits.start}\n", "")
    main.write_text(text, encoding="utf-8")
    messages = _messages(town)
    assert any("'main.menu' in 'en'" in m and "offers key 3" in m for m in messages)
    (town / "sentences").mkdir()
    for lang, menu in (("fr", "Pour les déchets, appuyez sur 1. Pour les réunions, appuyez sur 2."),
                       ("en", "For waste, press 1. For meetings, press 2."),
                       ("es", "Para los residuos, marque 1. Para las reuniones, marque 2.")):
        (town / "sentences" / f"{lang}.yaml").write_text(f'language: {lang}\nprompts:\n  main.menu: "{menu}"\n',
                                                         encoding="utf-8")
    assert _messages(town) == []


def test_same_named_streets_need_a_locality_and_the_choice_says_it(town):
    csv = town / "data" / "streets.csv"
    text = csv.read_text(encoding="utf-8").replace("id,name,aliases,", "id,name,locality,aliases,")
    lines = []
    for row in text.splitlines():
        if row and not row.startswith("#") and not row.startswith("id,"):
            cells = row.split(",", 2)
            row = ",".join([cells[0], cells[1], "", cells[2]])
        lines.append(row)
    lines.append('station-road-north,Station Road,,,,all,A,"Plan 2026",2026-09-14')
    lines.append('station-road-south,Station Road,,,,all,C,"Plan 2026",2026-09-14')
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    [problem] = check_town(town)
    assert "both called 'Station Road'" in problem.message and "locality" in problem.message
    csv.write_text(csv.read_text(encoding="utf-8")
                   .replace("station-road-north,Station Road,,", "station-road-north,Station Road,Le Phare,")
                   .replace("station-road-south,Station Road,,", "station-road-south,Station Road,Les Collines,"),
                   encoding="utf-8")
    assert check_town(town) == []
    call = Call(Engine(load_runtime(_config(town))), lambda: NOW, language="en")
    call.start()
    call.send(Pressed("1"))
    call.send(Pressed("1"))
    said = _said(call.send(Said("4 Station Road")))
    assert "Station Road, Le Phare" in said and "Station Road, Les Collines" in said
    said = _said(call.send(Pressed("2")))
    assert "4 Station Road, Les Collines" in said
