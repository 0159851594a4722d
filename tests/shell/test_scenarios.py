"""The project's own scenarios (scenarios/) pass, and a failing scenario is reported."""

from __future__ import annotations

from pathlib import Path

import pytest

from civicline.config import load_config
from civicline.scenarios import TownEngines, load_scenario, run_scenario, scenario_files
from civicline.wiring import load_runtime
from flows.dialog import Engine
from staff_files.problems import FlowError

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = scenario_files([ROOT / "scenarios"])


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(load_runtime(load_config(ROOT / "civicline.toml")))


def test_there_are_scenarios():
    assert len(SCENARIOS) >= 3


@pytest.fixture(scope="module")
def engines() -> TownEngines:
    return TownEngines(load_config(ROOT / "civicline.toml"))


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_scenario(engines, path):
    scenario = load_scenario(path)
    result = run_scenario(engines(scenario), scenario, str(path))
    assert result.passed, "\n".join(result.failures)


def test_a_wrong_expectation_fails(engine, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "name: wrong on purpose\nnow: 2026-12-01T10:15:00+01:00\nlanguage: en\n"
        "turns:\n  - press: '0'\n    expect: {action: hangup, says: ['banana']}\n"
    )
    result = run_scenario(engine, load_scenario(bad), str(bad))
    assert not result.passed and len(result.failures) == 2


def test_a_malformed_scenario_names_its_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nnow: 2026-12-01T10:15:00+01:00\nturns:\n  - say: hi\n    press: '1'\n")
    with pytest.raises(FlowError) as info:
        load_scenario(bad)
    assert info.value.problems[0].line == 4


def test_the_readme_example_scenario_passes(engines, tmp_path):
    """The scenario a newcomer copies from the README is a passing one."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    heading = readme.index("## Testing your flows with scenarios")
    start = readme.index("```yaml\n", heading) + len("```yaml\n")
    example = tmp_path / "readme-example.yaml"
    example.write_text(readme[start:readme.index("```", start)], encoding="utf-8")
    scenario = load_scenario(example)
    result = run_scenario(engines(scenario), scenario, str(example))
    assert result.passed, "\n".join(result.failures)
