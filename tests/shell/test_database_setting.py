"""``$CIVICLINE_DATABASE_URL``: the composition root puts the records in PostgreSQL, /health and
``civicline doctor`` say which back-end and whether it answers, and the URL's password shows
nowhere; without it, the SQLite file of ``[records] db`` as before."""

from __future__ import annotations

from pathlib import Path

import pytest

from civicline.app import create_app
from civicline.cli import main
from civicline.config import ConfigError, load_config
from civicline.wiring import store_for
from records import PostgresStore, SQLiteStore
from support.served import free_port

ROOT = Path(__file__).resolve().parents[2]
SECRET = "hunter2-but-longer"


def _config_file(tmp_path: Path) -> Path:
    file = tmp_path / "civicline.toml"
    file.write_text(
        f'[town]\npath = "{ROOT / "towns" / "port-lumiere"}"\n[languages]\nenabled = ["fr"]\n'
        '[records]\ndb = "records.sqlite3"\n[telephony]\nmode = "twiml"\n',
        encoding="utf-8",
    )
    return file


def _with_password(url: str) -> str:
    # The tests' cluster trusts 127.0.0.1: any password is accepted, and must be hidden.
    return url.replace("civicline@", f"civicline:{SECRET}@", 1)


def test_without_a_url_the_records_are_the_sqlite_file(tmp_path, monkeypatch):
    monkeypatch.delenv("CIVICLINE_DATABASE_URL", raising=False)
    app = create_app(load_config(_config_file(tmp_path), env={}))
    assert isinstance(app.extensions["civicline"].recorder.store, SQLiteStore)
    database = app.test_client().get("/health").get_json()["database"]
    assert database["backend"] == "sqlite" and database["reachable"]
    assert database["where"].endswith("records.sqlite3")


def test_with_a_url_the_records_and_the_console_are_in_postgresql(tmp_path, monkeypatch, postgres_url, capsys):
    url = _with_password(postgres_url)
    monkeypatch.setenv("CIVICLINE_DATABASE_URL", url)
    monkeypatch.setenv("CIVICLINE_SECRET_KEY", "database-setting-tests-" + "x" * 20)
    app = create_app(load_config(_config_file(tmp_path), env={}))
    store = app.extensions["civicline"].recorder.store
    assert isinstance(store, PostgresStore) and store.open_error is None
    assert app.extensions["console"].store is store  # one pool per process
    response = app.test_client().get("/health")
    assert response.status_code == 200, response.get_json()
    database = response.get_json()["database"]
    assert database["backend"] == "postgresql" and database["reachable"]
    assert database["where"] == postgres_url.replace("civicline@", "civicline:***@", 1)
    assert SECRET not in response.get_data(as_text=True)
    assert not (tmp_path / "records.sqlite3").exists()  # nothing went to the file
    monkeypatch.chdir(tmp_path)
    assert main(["--config", str(_config_file(tmp_path)), "doctor", "--records-only"]) == 0
    out = capsys.readouterr().out
    assert "call records: PostgreSQL postgresql://civicline:***@" in out and "writable" in out
    assert SECRET not in out
    store.close()


def test_a_server_that_does_not_answer_fails_health_without_showing_the_password(tmp_path, monkeypatch, capsys):
    url = f"postgresql://civicline:{SECRET}@127.0.0.1:{free_port()}/civicline?connect_timeout=1"
    monkeypatch.setenv("CIVICLINE_DATABASE_URL", url)
    app = create_app(load_config(_config_file(tmp_path), env={}))
    response = app.test_client().get("/health")
    assert response.status_code == 503
    body = response.get_json()
    assert not body["database"]["reachable"]
    assert any("call records cannot be written" in p for p in body["problems"]), body["problems"]
    assert SECRET not in response.get_data(as_text=True)
    app.extensions["civicline"].recorder.store.close()
    monkeypatch.chdir(tmp_path)
    assert main(["--config", str(_config_file(tmp_path)), "doctor", "--records-only"]) == 1
    out = capsys.readouterr().out
    assert "does not answer" in out and SECRET not in out


def test_a_url_of_another_database_is_refused_with_its_password_hidden(tmp_path, monkeypatch):
    monkeypatch.setenv("CIVICLINE_DATABASE_URL", f"mysql://root:{SECRET}@127.0.0.1/civicline")
    with pytest.raises(ConfigError) as error:
        store_for(load_config(_config_file(tmp_path), env={}))
    assert "postgresql://" in str(error.value) and SECRET not in str(error.value)
