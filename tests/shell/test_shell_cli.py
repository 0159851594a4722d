"""The command line, as staff use it: clear errors, never a traceback."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from civicline.cli import main
from civicline.config import ConfigError, load_config

ROOT = Path(__file__).resolve().parents[2]
TOWN = ROOT / "towns" / "port-lumiere"


def run(*args: str, cwd: Path = ROOT, input: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "civicline", *args], cwd=cwd, capture_output=True, text=True,
        input=input, timeout=120,
    )


@pytest.fixture
def town_copy(tmp_path: Path) -> Path:
    target = tmp_path / "town"
    shutil.copytree(TOWN, target)
    return target


def write_config(tmp_path: Path, town: Path) -> Path:
    config = tmp_path / "civicline.toml"
    config.write_text(f'[town]\npath = "{town}"\n[records]\ndb = "{tmp_path / "calls.sqlite3"}"\n')
    return config


def test_help_lists_the_commands(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for command in ("flows", "call", "simulate", "serve"):
        assert command in out


def test_flows_check_passes_on_the_demo_town():
    result = run("flows", "check")
    assert result.returncode == 0, result.stderr
    assert "no problems" in result.stdout


def test_flows_check_reports_a_yaml_error_with_file_and_line_and_no_traceback(tmp_path, town_copy):
    main_flow = town_copy / "flows" / "main.yaml"
    main_flow.write_text(main_flow.read_text().replace("    next: menu", "    next: [menu", 1))
    result = run("--config", str(write_config(tmp_path, town_copy)), "flows", "check")
    assert result.returncode == 1
    assert "main.yaml:" in result.stderr and "not valid YAML" in result.stderr
    assert "Traceback" not in result.stderr


def test_flows_check_reports_an_unknown_node_kind(tmp_path, town_copy):
    main_flow = town_copy / "flows" / "main.yaml"
    main_flow.write_text(main_flow.read_text().replace("kind: hangup", "kind: hang_up", 1))
    result = run("--config", str(write_config(tmp_path, town_copy)), "flows", "check")
    assert result.returncode == 1
    assert "unknown node kind 'hang_up'" in result.stderr and "main.yaml:" in result.stderr
    assert "Traceback" not in result.stderr


def test_server_refuses_to_start_on_an_invalid_flow(tmp_path, town_copy):
    main_flow = town_copy / "flows" / "main.yaml"
    main_flow.write_text(main_flow.read_text().replace("prompt: main.menu", "prompt: main.no_such_prompt", 1))
    result = run("--config", str(write_config(tmp_path, town_copy)), "serve", "--port", "0")
    assert result.returncode == 1
    assert "main.no_such_prompt" in result.stderr and "Traceback" not in result.stderr


def test_terminal_call_by_keypad(tmp_path):
    result = run("--config", str(write_config(tmp_path, TOWN)), "call", "--lang", "en",
                 "--now", "2026-12-01T10:15", input="#*\n#0\n")
    assert result.returncode == 0, result.stderr
    assert "automated assistant" in result.stdout
    assert "transfer to main" in result.stdout


def test_a_terminal_call_is_recorded_only_where_asked(tmp_path):
    """A try in the terminal is not one of the town's calls: it goes to the store named."""
    import sqlite3

    config = write_config(tmp_path, TOWN)
    result = run("--config", str(config), "call", "--lang", "en", "--now", "2026-12-01T10:15", input="#0\n")
    assert result.returncode == 0, result.stderr
    town_calls = tmp_path / "calls.sqlite3"
    if town_calls.exists():
        with sqlite3.connect(town_calls) as db:
            assert db.execute("select count(*) from calls").fetchone()[0] == 0
    tries = tmp_path / "tries.sqlite3"
    result = run("--config", str(config), "call", "--lang", "en", "--now", "2026-12-01T10:15",
                 "--record", str(tries), input="#0\n")
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(tries) as db:
        assert db.execute("select count(*) from calls").fetchone()[0] == 1


def test_config_refuses_secrets_in_the_file(tmp_path):
    config = tmp_path / "civicline.toml"
    config.write_text('[server]\ntwilio_auth_token = "abc"\n')
    with pytest.raises(ConfigError, match="environment"):
        load_config(config, env={})


def test_environment_overrides_the_file(tmp_path):
    config = tmp_path / "civicline.toml"
    config.write_text("[answers]\nmax_age_days = 180\n")
    loaded = load_config(config, env={"CIVICLINE_MAX_AGE_DAYS": "30", "CIVICLINE_LANGUAGES": "fr,en"})
    assert loaded.max_age_days == 30 and loaded.languages == ["fr", "en"]


def test_the_calls_in_progress_file_is_set_by_its_toml_key_or_either_environment_name(tmp_path):
    config = tmp_path / "civicline.toml"
    config.write_text('[telephony]\nstate = "instance/calls.sqlite3"\n')
    assert load_config(config, env={}).in_progress_path == tmp_path / "instance" / "calls.sqlite3"
    old, new = "CIVICLINE_LINE_STATE_PATH", "CIVICLINE_IN_PROGRESS_PATH"
    assert load_config(config, env={old: "/srv/a.sqlite3"}).in_progress_path == Path("/srv/a.sqlite3")
    both = load_config(config, env={old: "/srv/a.sqlite3", new: "/srv/b.sqlite3"})
    assert both.in_progress_path == Path("/srv/b.sqlite3")  # the field's own name wins


def test_config_rejects_unknown_settings_and_bad_values(tmp_path):
    config = tmp_path / "civicline.toml"
    config.write_text("[answers]\nmax_age = 3\n")
    with pytest.raises(ConfigError, match="max_age"):
        load_config(config, env={})
    config.write_text('[answers]\nmax_age_days = "soon"\n')
    with pytest.raises(ConfigError, match="soon"):
        load_config(config, env={})


def test_serve_runs_the_development_server_that_ends_websockets(tmp_path, monkeypatch):
    """`civicline serve` uses the request handler that closes a websocket's connection when
    its handler returns (civicline.dev_server), not werkzeug's own."""
    from flask import Flask

    import civicline.app
    from civicline.dev_server import WebsocketHandshakeHandler

    real = civicline.app.create_app
    monkeypatch.setattr(civicline.app, "create_app", lambda config, **kw: real(config))  # models not loaded
    seen: dict = {}
    monkeypatch.setattr(Flask, "run", lambda self, **kw: seen.update(kw))
    assert main(["--config", str(write_config(tmp_path, TOWN)), "serve", "--port", "0"]) == 0
    assert seen["request_handler"] is WebsocketHandshakeHandler and seen["threaded"] is True


def test_flows_check_checks_every_town_of_the_towns_table_and_names_the_broken_one(tmp_path, town_copy):
    config = tmp_path / "civicline.toml"
    config.write_text(f'[town]\npath = "{town_copy}"\n[towns]\n"+33199000000" = "{town_copy}"\n'
                      f'"+441159000000" = "{ROOT / "towns" / "gedling"}"\n')
    result = run("--config", str(config), "flows", "check")
    assert result.returncode == 0, result.stderr
    assert "town 'town': " in result.stdout and "town 'gedling': " in result.stdout
    main_flow = town_copy / "flows" / "main.yaml"
    main_flow.write_text(main_flow.read_text().replace("kind: hangup", "kind: hang_up", 1))
    result = run("--config", str(config), "flows", "check")
    assert result.returncode == 1
    assert "town 'town': " in result.stderr and "unknown node kind 'hang_up'" in result.stderr
    assert "town 'gedling': " in result.stdout and "Traceback" not in result.stderr


def test_another_town_is_called_and_checked_by_its_folder(tmp_path):
    """``--town DIR`` picks the town of a call or a flows check, its sentences and data with
    its flows; a folder that is no town is refused in one line."""
    config = str(write_config(tmp_path, TOWN))
    call = run("--config", config, "call", "--town", str(ROOT / "towns" / "gedling"), "--lang", "en",
               "--now", "2026-02-16T09:00", input="when are my bins collected at 5 acorn drive\n#1\n")
    assert call.returncode == 0, call.stderr
    assert "Gedling" in call.stdout and "Port-Lumière" not in call.stdout
    assert "black bin: Friday 20 February" in call.stdout, call.stdout
    check = run("--config", config, "flows", "check", "--town", str(ROOT / "towns" / "gedling"))
    assert check.returncode == 0 and "languages en: no problems" in check.stdout, check.stderr
    wrong = run("--config", config, "flows", "check", "--town", str(tmp_path))
    assert wrong.returncode != 0 and "not a town folder" in wrong.stderr and "Traceback" not in wrong.stderr
