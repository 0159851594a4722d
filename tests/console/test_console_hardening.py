"""What an attacker tried on the console: forged tokens, replayed cookies, locking staff out
from behind the proxy, reading calls as a viewer, absurd filters. Each is refused cleanly."""

from __future__ import annotations

from support.console import PASSWORD, csrf, sign_in


def test_a_non_ascii_csrf_token_is_refused_not_a_server_error(editor):
    response = editor.post("/console/sign-out", data={"csrf_token": "jeton-é-ü-€"})
    assert response.status_code == 400
    response = editor.post("/console/sign-out", headers={"X-CSRF-Token": "ÿ" * 40})
    assert response.status_code == 400


def test_signing_in_needs_the_sign_in_page_token(client):
    response = client.post("/console/sign-in", data={"name": "ed", "password": PASSWORD})
    assert response.status_code == 400
    response = client.post("/console/sign-in", data={"name": "ed", "password": PASSWORD, "csrf_token": ""})
    assert response.status_code == 400
    assert client.get("/console/dashboard").status_code == 302  # not signed in


def test_signing_out_ends_the_session_even_for_a_copied_cookie(app, client):
    assert sign_in(client).status_code == 302
    cookie = client.get_cookie("civicline_console")
    assert cookie is not None  # the console's own cookie name, not Flask's "session"
    stolen = app.test_client()
    stolen.environ_base["wsgi.url_scheme"] = "https"
    stolen.set_cookie("civicline_console", cookie.value, domain=cookie.domain, secure=True)
    assert stolen.get("/console/dashboard").status_code == 200
    assert client.post("/console/sign-out", data={"csrf_token": csrf(client)}).status_code == 200
    assert stolen.get("/console/dashboard").status_code == 302


def test_disabling_an_account_ends_its_sessions(app, editor):
    app.extensions["console"].users.set_disabled("ed", True)
    assert editor.get("/console/dashboard").status_code == 302


def test_a_guesser_behind_the_proxy_does_not_lock_staff_out(app, client):
    app.extensions["civicline"].config = _with_proxy(app.extensions["civicline"].config)
    guesser = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.9"}
    client.get("/console/sign-in")
    for name in ("ed", "vi", "ad", "nobody", "x1", "x2") * 4:  # 24 failures, many accounts
        client.post("/console/sign-in", data={"name": name, "password": "guess guess guess",
                                               "csrf_token": csrf(client)}, environ_base=guesser)
    blocked = client.post("/console/sign-in", data={"name": "x9", "password": "guess guess guess",
                                                    "csrf_token": csrf(client)}, environ_base=guesser)
    assert blocked.status_code == 429  # the guesser's own address is paused
    staff = app.test_client()
    staff.environ_base.update({"wsgi.url_scheme": "https", "REMOTE_ADDR": "127.0.0.1",
                               "HTTP_X_FORWARDED_FOR": "198.51.100.20"})
    assert sign_in(staff, "ed").status_code in (302, 429)  # ed's own failures may lock ed…
    assert sign_in(staff, "fresh").status_code == 401  # …but the office address is not locked


def test_forwarded_addresses_are_ignored_without_a_trusted_proxy(app, client):
    spoofed = {"REMOTE_ADDR": "192.0.2.7", "HTTP_X_FORWARDED_FOR": "198.51.100.20"}
    client.get("/console/sign-in")
    for i in range(20):
        client.post("/console/sign-in", data={"name": f"nobody{i}", "password": "guess guess guess",
                                               "csrf_token": csrf(client)}, environ_base=spoofed)
    # the failures count against 192.0.2.7 (the real peer), so changing the header does not help
    other = {"REMOTE_ADDR": "192.0.2.7", "HTTP_X_FORWARDED_FOR": "203.0.113.50"}
    response = client.post("/console/sign-in", data={"name": "someone", "password": "guess guess guess",
                                                      "csrf_token": csrf(client)}, environ_base=other)
    assert response.status_code == 429


def test_a_viewer_sees_the_aggregates_not_what_callers_said(viewer):
    assert viewer.get("/console/dashboard").status_code == 200
    assert viewer.get("/console/calls").status_code == 403
    assert viewer.get("/console/calls/some-call").status_code == 403
    assert 'href="/console/calls"' not in viewer.get("/console/dashboard").get_data(as_text=True)


def test_absurd_filters_are_refused_not_server_errors(editor):
    for query in ("page=" + "9" * 40, "page=-5", "from=9999-12-31", "to=0001-01-01",
                  "from=2026-02-30", "from=" + "2" * 5000):
        response = editor.get(f"/console/calls?{query}")
        assert response.status_code in (200, 422), (query, response.status_code)
    assert editor.get("/console/dashboard?to=9999-12-31").status_code == 422


def _with_proxy(config):
    import dataclasses

    return dataclasses.replace(config, trusted_proxies=["127.0.0.1"])
