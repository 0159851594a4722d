"""The server is assembled in one place from one configuration: the documented settings are
accepted, the ``[voice]`` models reach the phone line, and the start-up check is visible."""

from __future__ import annotations

import re
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from twilio.request_validator import RequestValidator

from civicline.app import create_app
from civicline.cli import main
from civicline.config import ConfigError, load_config

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "test-auth-token"


def _toml_blocks(text: str) -> list[str]:
    return re.findall(r"```toml\n(.*?)```", text, re.S)


@pytest.mark.parametrize("doc", sorted(p.name for p in (ROOT / "docs").glob("*.md")) + ["README.md"])
def test_every_configuration_the_docs_show_is_accepted(doc, tmp_path):
    path = ROOT / ("README.md" if doc == "README.md" else f"docs/{doc}")
    for block in _toml_blocks(path.read_text(encoding="utf-8")):
        tomllib.loads(block.replace("…", "0"))  # the docs' placeholders stand for values
        file = tmp_path / "civicline.toml"
        file.write_text(block.replace('"…"', '"' + "0" * 64 + '"'), encoding="utf-8")
        load_config(file, env={})  # raises ConfigError for a setting civicline does not know


def test_the_shipped_configuration_is_accepted():
    config = load_config(ROOT / "civicline.toml", env={})
    assert config.audio_cache_dir.name == "audio"


def test_one_audio_cache_said_twice_differently_is_refused(tmp_path):
    file = tmp_path / "civicline.toml"
    file.write_text('[telephony]\naudio_cache = "a"\n[voice]\naudio_cache = "b"\n')
    with pytest.raises(ConfigError, match="one setting"):
        load_config(file, env={})


def test_a_wrong_voice_table_stops_the_start_with_its_place(tmp_path):
    file = tmp_path / "civicline.toml"
    file.write_text('[voice.languages.fr.tts]\nmodel = "/srv/voice.onnx"\n')
    with pytest.raises(ConfigError, match=r"\[voice\] languages.*'engine' is required"):
        load_config(file, env={})


def _french_town_config(tmp_path: Path, voice: str) -> Path:
    file = tmp_path / "civicline.toml"
    file.write_text(
        f"""
[town]
path = "{ROOT / 'towns' / 'port-lumiere'}"
[languages]
enabled = ["fr"]
[records]
db = "records.sqlite3"
[telephony]
mode = "twiml"
[voice]
cpu_threads = 1
audio_cache = "audio"
{voice}
""",
        encoding="utf-8",
    )
    return file


def _signed_post(client, path: str, params: dict[str, str]):
    url = f"http://localhost{path}"
    signature = RequestValidator(TOKEN).compute_signature(url, params)
    return client.post(path, data=params, headers={"X-Twilio-Signature": signature})


def test_a_french_voice_set_in_the_configuration_speaks_on_the_phone(tmp_path, monkeypatch):
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", TOKEN)
    voice = '[voice.languages.fr.tts]\nengine = "espeak"\nmodel = "builtin:espeak-ng"\nwpm = 140\n'
    app = create_app(load_config(_french_town_config(tmp_path, voice), env={}))
    client = app.test_client()
    response = _signed_post(client, "/twilio/voice", {"CallSid": "CA" + "1" * 32, "From": "+33611223344"})
    assert response.status_code == 200, response.data
    plays = [e.text for e in ET.fromstring(response.data).iter("Play")]
    assert plays, response.data
    audio = client.get(plays[0].replace("http://localhost", ""))
    assert audio.status_code == 200 and audio.data.startswith(b"RIFF")
    engines = app.extensions["telephony"].speech.engines
    loaded = engines.loader.loaded()
    assert any(k.startswith("tts:espeak:builtin:espeak-ng:") and "wpm" in k for k in loaded), loaded
    assert not any(k.startswith("tts:kokoro") for k in loaded), "the built-in French voice was used"
    assert engines.cpu_threads == 1
    assert engines is app.extensions["civicline"].speech.engines  # one set of engines per process


def test_the_start_up_check_says_which_languages_are_keypad_only(tmp_path, monkeypatch, capsys):
    voice = (
        f'[voice.languages.fr.stt]\nengine = "vosk"\nmodel = "{tmp_path / "no-such-model"}"\n'
        f'sha256 = "{"0" * 64}"\n'
        '[voice.languages.fr.tts]\nengine = "espeak"\nmodel = "builtin:espeak-ng"\n'
    )
    file = _french_town_config(tmp_path, voice)
    app = create_app(load_config(file, env={}), check_speech=True)
    response = app.test_client().get("/health")
    assert response.status_code == 503
    health = response.get_json()
    assert health["status"] == "failing" and "KEYPAD ONLY" in health["problems"][0]
    fr = health["speech"]["fr"]
    assert fr["keypad_only"] and "no-such-model" in fr["recognition_problem"]
    assert fr["voice"] == "espeak" and not fr["fallback_voice"]
    monkeypatch.chdir(tmp_path)
    assert main(["--config", str(file), "doctor"]) == 1
    out = capsys.readouterr().out
    assert "PROBLEM  fr speech recognition" in out and "keypad only" in out


def test_health_says_when_speech_was_not_checked(tmp_path):
    app = create_app(load_config(_french_town_config(tmp_path, ""), env={}))
    response = app.test_client().get("/health")
    assert response.status_code == 200 and "not checked" in response.get_json()["speech"]


def test_health_fails_while_call_records_are_being_lost(tmp_path):
    app = create_app(load_config(_french_town_config(tmp_path, ""), env={}))
    recorder = app.extensions["civicline"].recorder
    recorder.health.failed("add_turn", OSError(28, "No space left on device"))
    response = app.test_client().get("/health")
    assert response.status_code == 503
    assert "call records are being lost" in response.get_json()["problems"][0]


def test_a_line_without_its_twilio_token_says_so_at_start(tmp_path, monkeypatch, caplog):
    """Without the token every webhook is refused: said when the server starts, not only at
    the first call that gets a 403."""
    monkeypatch.delenv("TWILIO_AUTH_TOKEN", raising=False)
    with caplog.at_level("WARNING", logger="civicline.app"):
        create_app(load_config(_french_town_config(tmp_path, ""), env={}))
    assert any("TWILIO_AUTH_TOKEN is not set" in r.getMessage() for r in caplog.records), caplog.text
    caplog.clear()
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", TOKEN)
    with caplog.at_level("WARNING", logger="civicline.app"):
        create_app(load_config(_french_town_config(tmp_path, ""), env={}))
    assert not any("TWILIO_AUTH_TOKEN" in r.getMessage() for r in caplog.records), caplog.text
