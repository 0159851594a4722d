"""The residents' chat page as plain HTTP (the browser and axe: test_chat_browser.py): no
account, a form that works without JavaScript, an unguessable cookie, a limit per client,
the same flows, catalogs and records as the phone line, a person's answers from the console."""

from __future__ import annotations

import re

from support.console import PASSWORD, csrf


def client(s, address: str = "192.0.2.10"):
    c = s.app.test_client()
    c.environ_base["REMOTE_ADDR"] = address
    return c


def send(c, message: str, **extra):
    page = c.get("/chat").get_data(as_text=True)
    token = re.search(r'name="token" value="([^"]+)"', page)
    data = {"message": message, **({"token": token.group(1)} if token else {}), **extra}
    return c.post("/chat", data=data)


def page_text(c) -> str:
    return c.get("/chat").get_data(as_text=True)


def test_the_page_speaks_the_browsers_language_and_starts_nothing_until_one_writes(serve):
    s = serve()
    c = client(s)
    r = c.get("/chat", headers={"Accept-Language": "es-ES,es;q=0.9,en;q=0.5"})
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and '<html lang="es">' in html
    assert "Escribir al ayuntamiento de Port-Lumière" in html and 'for="message"' in html
    assert 'hreflang="fr"' in html  # the other languages, each named in itself
    assert "default-src 'self'" in r.headers["Content-Security-Policy"]
    assert r.headers["Cache-Control"] == "no-store"
    assert s.store.calls() == [] and "civicline_chat" not in r.headers.get("Set-Cookie", "")


def test_without_javascript_a_message_is_a_form_post_then_the_page_at_the_latest_answer(serve):
    s = serve()
    c = client(s)
    r = c.post("/chat", data={"message": "Quand est ouverte la déchèterie ?", "lang": "fr"})
    assert r.status_code == 303 and r.headers["Location"].endswith("/chat#latest")
    cookie = r.headers["Set-Cookie"]
    assert "civicline_chat=" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert len(re.search(r"civicline_chat=([^;]+)", cookie).group(1)) >= 40  # unguessable
    html = page_text(c)
    assert "Quand est ouverte la déchèterie ?" in html  # what the resident wrote
    assert "assistant automatique" in html and "Horaires" in html  # greeted, then answered
    assert 'id="latest" tabindex="-1"' in html
    [call] = s.store.calls()
    assert (call["channel"], call["language"], call["caller_hash"]) == ("chat", "fr", None)
    # A choice is typed, or taken from the quick answers (plain submit buttons).
    assert 'name="message" value="1"' in html and "1 – oui" in html
    send(c, "2")
    assert "de 1 à 5" in page_text(c)


def test_javascript_gets_the_new_messages_as_json(serve):
    s = serve()
    c = client(s)
    r = c.post("/chat", data={"message": "Hello, I have a question please", "lang": "en"},
               headers={"Accept": "application/json"})
    body = r.get_json()
    assert r.status_code == 200 and body["token"]
    assert [m["by"] for m in body["messages"]] == ["resident", "assistant"]
    assert "Type 1 for waste collection" in body["messages"][1]["html"]
    r = c.post("/chat", data={"message": "1", "token": body["token"]}, headers={"Accept": "application/json"})
    assert [m["by"] for m in r.get_json()["messages"]] == ["resident", "assistant"]
    assert [q[0] for q in r.get_json()["quick"]] == ["1", "2", "3", "4", "5", "6", "0"]  # 0: a person


def test_what_residents_write_is_shown_as_text_and_addresses_as_links(serve):
    s = serve()
    c = client(s)
    send(c, "<script>alert(1)</script> see https://example.org/a?b=1&c=2.", lang="en")
    html = page_text(c)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert '<a href="https://example.org/a?b=1&amp;c=2">https://example.org/a?b=1&amp;c=2</a>.' in html


def test_another_browser_cannot_write_into_a_conversation_nor_read_it(serve):
    s = serve()
    mine = client(s)
    send(mine, "Hello, I have a question please", lang="en")
    other = client(s, "192.0.2.99")
    assert "I have a question" not in page_text(other)
    # A form posted from elsewhere with the cookie but without the page's token is refused.
    r = mine.post("/chat", data={"message": "1"})
    assert r.status_code == 400
    assert len(s.store.turns()) == 2  # the greeting, the answer to the first message; nothing more


def test_empty_and_too_long_messages_are_refused_with_an_alert(serve):
    s = serve(text_max_length=50)
    c = client(s)
    r = c.post("/chat", data={"message": "   ", "lang": "en"})
    assert r.status_code == 422 and 'role="alert"' in r.get_data(as_text=True)
    assert 'aria-invalid="true"' in r.get_data(as_text=True)
    r = c.post("/chat", data={"message": "x" * 51, "lang": "en"})
    assert r.status_code == 422 and "50 characters" in r.get_data(as_text=True)
    assert s.store.calls() == []


def test_each_client_address_may_send_so_many_messages_a_minute(serve):
    s = serve(chat_per_minute=3)
    c = client(s)
    for _ in range(3):
        assert send(c, "Hello, I have a question please", lang="en").status_code == 303
    r = send(c, "Hello again")
    assert r.status_code == 429 and "Too many messages" in r.get_data(as_text=True)
    assert send(client(s, "192.0.2.77"), "Hello, I have a question please", lang="en").status_code == 303
    # A forwarded header from someone who is not a trusted proxy changes nothing.
    r = c.post("/chat", data={"message": "hi"}, headers={"X-Forwarded-For": "203.0.113.5"})
    assert r.status_code == 429


def test_a_person_answers_from_the_console_and_the_page_shows_it(serve, monkeypatch):
    from argon2 import PasswordHasher

    from civicline.console.accounts import Users

    s = serve()
    resident = client(s)
    send(resident, "Hello, I have a question please", lang="en")
    send(resident, "0")
    assert "passing your question to a person" in page_text(resident)
    send(resident, "My green bin was not emptied")
    [call] = s.store.calls()
    assert call["outcome"] is None
    s.app.config["SECRET_KEY"] = "chat-tests-secret-key-not-for-production"
    s.app.config["SESSION_COOKIE_SECURE"] = False
    users = s.app.extensions["console"].users = Users(s.store, hasher=PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    users.add("ed", PASSWORD, "editor")
    staff = s.app.test_client()
    staff.get("/console/sign-in")
    staff.post("/console/sign-in", data={"name": "ed", "password": PASSWORD, "csrf_token": csrf(staff), "next": ""})
    html = staff.get(f"/console/calls/{call['id']}").get_data(as_text=True)
    assert "chat page" in html and "Answer the resident" in html and "My green bin was not emptied" in html
    r = staff.post(f"/console/calls/{call['id']}/reply", data={"reply": "We will come by tomorrow.", "csrf_token": csrf(staff)})
    assert r.status_code == 302
    assert "Your answer was sent" in staff.get(r.headers["Location"]).get_data(as_text=True)
    html = page_text(resident)
    assert "Town hall staff" in html and "We will come by tomorrow." in html
    assert resident.get("/chat/messages?after=-1").get_json()["messages"][-1]["by"] == "staff"
    assert s.api.messages == []  # nothing by SMS for the chat page
    # Once the conversation has ended, nothing can be sent any more.
    s.clock.t += 121 * 60
    s.service.end_idle()
    r = staff.post(f"/console/calls/{call['id']}/reply", data={"reply": "Still there?", "csrf_token": csrf(staff)})
    assert r.status_code == 409 and "has ended" in r.get_data(as_text=True)
    [call] = s.store.calls()
    assert call["outcome"] == "transferred"


def test_the_page_can_be_switched_off(serve):
    s = serve(chat_enabled=False)
    assert client(s).get("/chat").status_code == 404
