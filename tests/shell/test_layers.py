"""The layers of docs/architecture.md hold: import-linter's contracts (pyproject.toml) pass
on the code, and fail on a copy where a lower layer imports a higher one."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("civicline", "records", "flows", "translations", "nlu", "voice", "staff_files")
LINT = Path(sys.executable).with_name("lint-imports")


def _lint(tree: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(tree))
    return subprocess.run([str(LINT), "--config", str(tree / "pyproject.toml")], cwd=tree, env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def tree(tmp_path_factory) -> Path:
    copy = tmp_path_factory.mktemp("layers")
    for name in PACKAGES:
        shutil.copytree(ROOT / name, copy / name, ignore=shutil.ignore_patterns("__pycache__", "static", "templates"))
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    return copy


def test_the_code_keeps_its_layers(tree):
    result = _lint(tree)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        ("flows/dialog/turn.py", "import records.store", "flows is not allowed to import records"),
        ("nlu/intents.py", "from flows import session", "nlu is not allowed to import flows"),
        ("voice/tts/cache.py", "import nlu.text", "voice is not allowed to import nlu"),
        ("civicline/phone/speech.py", "from civicline.twilio import twiml",
         "civicline.phone is not allowed to import civicline.twilio"),
    ],
)
def test_a_lower_layer_importing_a_higher_one_fails(tree, module, line, broken):
    target = tree / module
    original = target.read_text(encoding="utf-8")
    target.write_text(original + f"\n{line}  # noqa\n", encoding="utf-8")
    try:
        result = _lint(tree)
    finally:
        target.write_text(original, encoding="utf-8")
    assert result.returncode != 0
    assert "BROKEN" in result.stdout and broken in result.stdout, result.stdout
