"""The argos engine on a real (tiny) Argos package built by the test itself.

Runs argostranslate in subprocesses whose XDG folders point into tmp_path, so the
installed package never lands in the user's real argos folder.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys

import pytest

from support.nlu_data import ROOT

pytestmark = pytest.mark.skipif(
    not all(
        importlib.util.find_spec(m) for m in ("argostranslate", "ctranslate2", "sentencepiece")
    ),
    reason="the translate extra is not installed (pip install -e '.[translate]')",
)

PROBE = """
import json, sys
from nlu.translate.argos import ArgosEngine
from nlu.translate.chain import TranslatorChain
engine = ArgosEngine()
chain = TranslatorChain([engine])
plain = chain.translate("when is my bin collected", "xx", "yy")
numbered = chain.translate("bin at 12 rue du port", "xx", "yy")
print(json.dumps({
    "supports": engine.supports("xx", "yy"),
    "reverse": engine.supports("yy", "xx"),
    "plain": [plain.text, plain.engine, plain.machine_translated],
    "numbered": [numbered.text, numbered.engine, numbered.machine_translated],
}))
"""


@pytest.fixture(scope="module")
def package(tmp_path_factory):
    from support.argos_tiny import build_package

    return build_package(tmp_path_factory.mktemp("argos"))


def _env(tmp_path):
    env = dict(os.environ)
    for var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        env[var] = str(tmp_path / var.lower())
    env.pop("ARGOS_PACKAGES_DIR", None)
    env["PYTHONPATH"] = str(ROOT)
    return env


def _civicline(args, env):
    cmd = [sys.executable, "-m", "civicline", *args]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)


def test_models_add_installs_and_the_engine_translates(package, tmp_path):
    env = _env(tmp_path)
    added = _civicline(["models", "add", str(package)], env)
    assert added.returncode == 0, added.stderr
    assert "xx -> yy" in added.stdout
    assert (tmp_path / "xdg_data_home" / "argos-translate" / "packages").is_dir()
    probe = subprocess.run(
        [sys.executable, "-c", PROBE],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
    )
    assert probe.returncode == 0, probe.stderr
    got = json.loads(probe.stdout.strip().splitlines()[-1])
    assert got["supports"] is True and got["reverse"] is False
    # The tiny model answers every sentence with its one word: the model really ran.
    assert got["plain"] == ["hola", "argos", True]
    # It drops the protected number, so the chain refuses its output.
    assert got["numbered"] == ["bin at 12 rue du port", "none", False]


def test_models_add_refuses_what_is_not_a_package(tmp_path):
    env = _env(tmp_path)
    bogus = tmp_path / "bogus.argosmodel"
    bogus.write_bytes(b"not a zip")
    result = _civicline(["models", "add", str(bogus)], env)
    assert result.returncode == 1 and "not an Argos package" in result.stderr
    assert _civicline(["models", "add", str(tmp_path / "model.bin")], env).returncode == 2
