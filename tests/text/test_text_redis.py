"""Text conversations and the chat's limit per client with ``$CIVICLINE_REDIS_URL``: two
workers (two served apps, one records file) on one real redis-server, each message of a
conversation reaching either; no mock stands in for Redis."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from support.redis_server import redis_server, redis_url  # noqa: F401 - fixtures


def text_of(response) -> str:
    assert response.status_code == 200, response.text
    return "\n".join(m.text or "" for m in ET.fromstring(response.text).findall("Message"))


@pytest.fixture
def two_workers(serve, redis_url, monkeypatch):  # noqa: F811 - the fixture above
    monkeypatch.setenv("CIVICLINE_REDIS_URL", redis_url)
    workers = []

    def make(**settings):
        workers.extend([serve(**settings), serve(**settings)])
        return workers[-2:]

    yield make
    for w in workers:
        w.app.extensions["civicline"].flow_notices.stop()


def test_a_conversation_goes_on_whichever_worker_each_message_reaches(two_workers):
    from civicline.text.redis_conversations import RedisConversations

    one, two = two_workers()
    assert isinstance(one.service.conversations, RedisConversations)
    assert text_of(one.twilio.sms("👋")).startswith("Pour le français, tapez 1.")
    assert "assistant automatique" in text_of(two.twilio.sms("1"))  # French chosen, on the other worker
    # Twilio delivering one message twice, each time to another worker: one answer, not two turns.
    again = one.twilio.sms("1", message_sid="SM" + "5" * 32)
    assert "Tapez 1 pour vos jours de collecte" in text_of(again)
    assert text_of(two.twilio.sms("1", message_sid="SM" + "5" * 32)) == text_of(again)
    assert "Écrivez le numéro et le nom de la rue" in text_of(two.twilio.sms("1"))
    [call] = one.store.calls()
    assert call["channel"] == "sms" and call["language"] == "fr"
    assert [t["key_pressed"] for t in one.store.turns()] == [None, "1", "1", "1"]
    # Staff answer from either worker's console: the conversation is known to both.
    assert two.service.conversations.by_id(call["id"]) is not None
    handed = text_of(two.twilio.sms("0"))
    assert "une personne" in handed
    one.service.staff_reply(call["id"], "Bonjour, le camion repasse demain matin.")
    [sent] = one.api.wait_messages(1)
    assert sent.body == "Bonjour, le camion repasse demain matin."
    seen = two.service.conversations.by_id(call["id"])
    assert seen.with_person and seen.transcript[-1].text == "Bonjour, le camion repasse demain matin."


def test_an_idle_conversation_is_ended_once_by_one_worker(two_workers):
    one, two = two_workers()
    one.twilio.sms("Bonjour")
    two.twilio.sms("1")
    for w in (one, two):
        w.clock.t += 31 * 60  # past [text] idle_minutes
    assert one.service.end_idle() + two.service.end_idle() == 1
    [call] = one.store.calls()
    assert call["outcome"] == "abandoned" and call["ended_at"]
    assert len(one.service.conversations) == 0
    assert "assistant automatique" in text_of(two.twilio.sms("1"))  # a new conversation, greeted
    assert len(one.store.calls()) == 2


def test_the_chats_limit_per_client_holds_across_workers(two_workers):
    one, two = two_workers(chat_per_minute=2)
    first, second = one.app.test_client(), two.app.test_client()
    for c in (first, second):
        c.environ_base["REMOTE_ADDR"] = "192.0.2.10"
    started = first.post("/chat", data={"message": "Bonjour", "lang": "fr"})
    assert started.status_code == 303
    cookie = {"Cookie": "civicline_chat=" + re.search(r"civicline_chat=([^;]+)", started.headers["Set-Cookie"]).group(1)}
    page = first.get("/chat").get_data(as_text=True)
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    # The chat's cookie, sent to the other worker: the same conversation, found there.
    assert second.post("/chat", data={"message": "1", "token": token}, headers=cookie).status_code == 303
    assert "Tapez 1 pour vos jours de collecte" in second.get("/chat", headers=cookie).get_data(as_text=True)
    assert second.post("/chat", data={"message": "Bonjour"}).status_code == 429  # the third this minute
    other = two.app.test_client()
    other.environ_base["REMOTE_ADDR"] = "192.0.2.11"
    assert other.post("/chat", data={"message": "Bonjour"}).status_code == 303  # another client is not held


def test_when_redis_stops_a_worker_goes_on_with_the_conversations_it_holds_and_says_so(serve, tmp_path, monkeypatch):
    from support.redis_server import RedisServer

    (tmp_path / "redis").mkdir()
    server = RedisServer(tmp_path / "redis").start()  # its own: this test stops it
    monkeypatch.setenv("CIVICLINE_REDIS_URL", server.url)
    worker = serve()
    try:
        assert text_of(worker.twilio.sms("👋")).startswith("Pour le français, tapez 1.")
        assert worker.app.test_client().get("/health").json["problems"] == []
        server.stop()
        # The resident is still answered, from where the conversation was, not with an error.
        assert "assistant automatique" in text_of(worker.twilio.sms("1"))
        assert "Tapez 1 pour vos jours de collecte" in text_of(worker.twilio.sms("1"))
        assert "Écrivez le numéro et le nom de la rue" in text_of(worker.twilio.sms("1"))
        health = worker.app.test_client().get("/health")
        assert health.status_code == 503
        assert "text conversations are not being saved" in " ".join(health.json["problems"])
        # Another resident writing meanwhile starts a conversation on this worker.
        assert text_of(worker.twilio.sms("?", sender="+33622222222")).startswith("Pour le français")
        worker.clock.t += 31 * 60
        assert worker.service.end_idle() == 2  # both ended here, once
        assert len(worker.service.conversations) == 0
        assert {c["outcome"] for c in worker.store.calls()} == {"abandoned"}
    finally:
        worker.app.extensions["civicline"].flow_notices.stop()
        server.stop()


def test_a_redis_restarted_empty_gets_back_the_conversations_a_worker_holds(redis_url):  # noqa: F811
    import redis

    from civicline.text.redis_conversations import RedisConversations

    client = redis.Redis.from_url(redis_url, decode_responses=True)
    try:
        conversations = RedisConversations(client, 1800, 3600)
        kept = conversations.open("sms", "+33611223344", "+33611223344", "fr")
        with conversations.editing(kept):
            kept.add("resident", "Bonjour")
        client.flushall()  # restarted without persistence
        found = conversations.find("sms", "+33611223344")
        assert found is kept and [m.text for m in found.transcript] == ["Bonjour"]
        other = RedisConversations(client, 1800, 3600)  # another worker now knows it again
        again = other.find("sms", "+33611223344")
        assert again is not None and again.id == kept.id and conversations.problem is None
    finally:
        client.close()
