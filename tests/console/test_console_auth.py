"""Signing in: argon2 passwords, roles, CSRF, secure cookies, the idle time-out and the
rate limit on wrong passwords."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

from civicline.console.accounts import Users
from support.console import PASSWORD, ROOT, csrf, sign_in

BOTH_BACKENDS = True  # the console's tables on SQLite and on PostgreSQL (conftest)


def test_the_console_asks_to_sign_in_first(client):
    response = client.get("/console/calls")
    assert response.status_code == 302
    assert "/console/sign-in?next=/console/calls" in response.headers["Location"]
    assert client.get("/console/calls", headers={"Accept": "application/json"}).status_code == 401


def test_sign_in_with_the_right_password(client):
    response = sign_in(client)
    assert response.status_code == 302 and response.headers["Location"].endswith("/console/dashboard")
    page = client.get("/console/dashboard").get_data(as_text=True)
    assert "ed (editor)" in page


def test_passwords_are_stored_as_argon2_hashes_only(app):
    store = app.extensions["console"].store
    row = store._rows("SELECT password_hash FROM console_users WHERE name = 'ed'")[0]
    assert row["password_hash"].startswith("$argon2id$")
    assert PASSWORD not in row["password_hash"]


def test_session_cookie_is_secure_httponly_and_strict(client):
    client.get("/console/sign-in")
    response = client.post(
        "/console/sign-in", data={"name": "ed", "password": PASSWORD, "csrf_token": csrf(client)}
    )
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie


def test_wrong_password_and_unknown_user_get_the_same_message(client):
    wrong = sign_in(client, "ed", "not the password at all")
    unknown = sign_in(client, "nobody", "not the password at all")
    assert wrong.status_code == unknown.status_code == 401
    message = "The user name or password is not right"
    assert message in wrong.get_data(as_text=True) and message in unknown.get_data(as_text=True)
    assert client.get("/console/calls").status_code == 302  # still not signed in


def test_wrong_passwords_are_rate_limited_even_then_the_right_one(client):
    for _ in range(5):
        assert sign_in(client, "ed", "guess guess guess").status_code == 401
    locked = sign_in(client, "ed", PASSWORD)
    assert locked.status_code == 429
    page = locked.get_data(as_text=True)
    assert "Too many wrong passwords" in page and "15 minute" in page
    assert client.get("/console/calls").status_code == 302
    # Another account from the same address is not locked by five failures.
    assert sign_in(client, "vi").status_code == 302


def test_old_failures_no_longer_count(app, client):
    users: Users = app.extensions["console"].users
    users.failure("user:ed", at=datetime.now(UTC) - timedelta(minutes=20))
    for _ in range(4):
        users.failure("user:ed")
    assert sign_in(client).status_code == 302  # 4 in the window, under the limit of 5


def test_the_users_command_resets_a_locked_account(app, client, tmp_path):
    users: Users = app.extensions["console"].users
    for _ in range(5):
        users.failure("user:ed")
    assert sign_in(client).status_code == 429
    users.clear_failures("user:ed")  # what `civicline users password ed` does
    assert sign_in(client).status_code == 302


def test_a_post_without_or_with_a_forged_csrf_token_is_refused(editor, town):
    before = (town / "flows" / "main.yaml").read_text()
    for token in (None, "forged-token"):
        data = {"content": "flow: main\n", "base_hash": ""}
        if token:
            data["csrf_token"] = token
        response = editor.post("/console/flows/main.yaml", data=data)
        assert response.status_code == 400
        assert "security token did not match" in response.get_data(as_text=True)
    assert (town / "flows" / "main.yaml").read_text() == before


def test_sign_in_itself_needs_the_csrf_token(client):
    client.get("/console/sign-in")
    response = client.post("/console/sign-in", data={"name": "ed", "password": PASSWORD})
    assert response.status_code == 400


def test_an_expired_session_sends_back_to_sign_in_and_saves_nothing(editor, town):
    token = csrf(editor)
    with editor.session_transaction() as session:
        session["last"] = time.time() - 21 * 60
    before = (town / "flows" / "main.yaml").read_text()
    response = editor.post(
        "/console/flows/main.yaml",
        data={"content": "flow: main\n", "base_hash": "", "csrf_token": token},
    )
    assert response.status_code == 401
    assert "nothing was saved" in response.get_data(as_text=True)
    assert (town / "flows" / "main.yaml").read_text() == before
    response = editor.get("/console/calls")
    assert response.status_code == 302 and "/console/sign-in" in response.headers["Location"]


def test_an_expired_page_view_says_why_on_the_sign_in_page(editor):
    with editor.session_transaction() as session:
        session["last"] = time.time() - 21 * 60
    page = editor.get("/console/calls", follow_redirects=True).get_data(as_text=True)
    assert "Your session ended after 20 minutes without activity" in page


def test_the_session_can_be_extended_and_the_status_poll_does_not_extend_it(editor):
    with editor.session_transaction() as session:
        session["last"] = time.time() - 19 * 60
    status = editor.get("/console/session").get_json()
    assert 0 < status["expires_in"] <= 60
    assert editor.get("/console/session").get_json()["expires_in"] <= 60  # still not extended
    extended = editor.post(
        "/console/session/extend", headers={"X-CSRF-Token": csrf(editor), "Accept": "application/json"}
    )
    assert extended.status_code == 200 and extended.get_json()["expires_in"] == 20 * 60
    assert editor.get("/console/session").get_json()["expires_in"] > 19 * 60


def test_pages_carry_the_time_out_warning_and_security_headers(editor):
    response = editor.get("/console/calls")
    page = response.get_data(as_text=True)
    assert 'id="timeout"' in page and "Stay signed in" in page and "data-expires-in=" in page
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == "no-store"


def test_sign_in_never_redirects_to_another_site(client):
    client.get("/console/sign-in")
    response = client.post(
        "/console/sign-in",
        data={"name": "ed", "password": PASSWORD, "csrf_token": csrf(client), "next": "https://evil.example/x"},
    )
    assert response.headers["Location"].endswith("/console/dashboard")


def test_a_viewer_reads_but_cannot_save(viewer, town):
    assert viewer.get("/console/flows/main.yaml").status_code == 200
    response = viewer.post(
        "/console/flows/main.yaml",
        data={"content": "flow: main\n", "base_hash": "", "csrf_token": csrf(viewer)},
    )
    assert response.status_code == 403 and "editor role" in response.get_data(as_text=True)


def test_a_disabled_account_is_signed_out_at_once(app, editor):
    app.extensions["console"].users.set_disabled("ed", True)
    assert editor.get("/console/calls").status_code == 302
    assert sign_in(editor).status_code == 401


def test_without_a_secret_key_the_console_is_off(app, client):
    app.config["SECRET_KEY"] = None
    response = client.get("/console/sign-in")
    assert response.status_code == 503 and "CIVICLINE_SECRET_KEY" in response.get_data(as_text=True)


def test_users_command_adds_lists_and_refuses_bad_input(tmp_path):
    config = tmp_path / "civicline.toml"
    config.write_text(f'[records]\ndb = "{tmp_path / "db.sqlite3"}"\n')

    def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "civicline", "--config", str(config), "users", *args],
            input=stdin, capture_output=True, text=True, cwd=ROOT, timeout=60,
        )

    added = run("add", "maria", "--role", "editor", "--password-stdin", stdin=PASSWORD + "\n")
    assert added.returncode == 0, added.stderr
    assert "Added maria (editor)" in added.stdout
    assert "maria" in run("list").stdout and "editor" in run("list").stdout
    again = run("add", "maria", "--password-stdin", stdin=PASSWORD + "\n")
    assert again.returncode == 1 and "already exists" in again.stderr
    short = run("add", "jo", "--password-stdin", stdin="short\n")
    assert short.returncode == 1 and "at least 10 characters" in short.stderr
    no_tty = run("add", "li")
    assert no_tty.returncode == 1 and "--password-stdin" in no_tty.stderr
    assert "Traceback" not in added.stderr + again.stderr + short.stderr + no_tty.stderr
