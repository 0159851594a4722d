"""The service by SMS: Twilio's Messaging webhook (signed), TwiML <Message> replies, one
conversation per sender kept between messages, keys typed as digits, idle conversations
ended, a person's reply from the console sent through Twilio's REST API."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from civicline.twilio.sms import split
from support.fake_twilio import new_sid

SPOKEN = ("appuyez", "press", "pulse", "marque", "dites")


def replies(response) -> list[str]:
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("text/xml")
    root = ET.fromstring(response.text)
    assert root.tag == "Response"
    return [m.text or "" for m in root.findall("Message")]


def text_of(response) -> str:
    return "\n".join(replies(response))


def test_a_conversation_by_sms_in_french_with_typed_keys_and_the_answer(serve):
    s = serve()
    # One word says too little of a language: the language question, in writing.
    assert text_of(s.twilio.sms("Bonjour")).splitlines() == [
        "Pour le français, tapez 1.", "For English, type 2.", "Para español, escriba 3."]
    first = text_of(s.twilio.sms("1"))
    assert "assistant automatique" in first  # told it is an automated assistant, as on the phone
    assert "Tapez 1 pour les collectes de déchets" in first
    assert not any(word in first.lower() for word in SPOKEN)
    assert "Tapez 1 pour vos jours de collecte" in text_of(s.twilio.sms("1"))
    assert "Écrivez le numéro et le nom de la rue" in text_of(s.twilio.sms("1"))
    confirm = text_of(s.twilio.sms("12 rue Victor Hugo"))
    assert "Vous avez écrit : 12 Rue Victor Hugo" in confirm and "Tapez 1 pour oui" in confirm
    answer = text_of(s.twilio.sms("1"))
    assert "ordures ménagères : demain, mercredi 2 décembre" in answer and "Puis-je vous aider pour autre chose ? Tapez 1 pour oui" in answer
    assert "par SMS" not in answer  # no copy by SMS offered to someone already reading one
    goodbye = text_of(s.twilio.sms("2"))  # no: then the survey
    assert "de 1 à 5" in goodbye
    assert "Merci de votre message. Au revoir." in text_of(s.twilio.sms("5"))
    [call] = s.store.calls()
    assert (call["channel"], call["language"], call["outcome"], call["satisfaction"]) == ("sms", "fr", "answered", 5)
    assert call["caller_hash"] and call["caller_last2"] == "44"  # the number protected as a caller's
    keys = [t["key_pressed"] for t in s.store.turns()]
    assert keys == [None, "1", "1", "1", None, "1", "2", "5"]
    # Ended: the next message starts another conversation.
    s.twilio.sms("Bonjour")
    assert len(s.store.calls()) == 2


def test_a_first_message_that_asks_something_is_answered_at_once_in_its_language(serve):
    s = serve()
    reply = text_of(s.twilio.sms("When is the recycling centre open?", sender="+447700900123"))
    assert "automated assistant" in reply  # the greeting, in English
    assert "recycling centre" in reply.lower() and "Opening hours" in reply
    [call] = s.store.calls()
    assert call["language"] == "en" and call["channel"] == "sms"


def test_each_sender_has_a_conversation_of_its_own(serve):
    s = serve()
    s.twilio.sms("Bonjour, j ai une question s il vous plait", sender="+33611111111")
    s.twilio.sms("Hello, I have a question please", sender="+33622222222")
    assert "Tapez 1 pour vos jours de collecte" in text_of(s.twilio.sms("1", sender="+33611111111"))
    assert "Type 1 for your collection days" in text_of(s.twilio.sms("1", sender="+33622222222"))
    assert sorted(c["language"] for c in s.store.calls()) == ["en", "fr"]


def test_a_message_delivered_twice_gets_the_same_answer_and_moves_nothing(serve):
    s = serve()
    s.twilio.sms("Bonjour, j ai une question s il vous plait")
    sid = new_sid("SM")
    one = s.twilio.sms("1", message_sid=sid)
    two = s.twilio.sms("1", message_sid=sid)
    assert one.text == two.text and "Tapez 1 pour vos jours de collecte" in one.text
    assert [t["key_pressed"] for t in s.store.turns()] == [None, "1"]


def test_unsigned_or_malformed_webhooks_are_refused(serve):
    s = serve()
    params = {"MessageSid": new_sid("SM"), "From": "+33611223344", "To": "+33199000000", "Body": "1"}
    assert s.twilio.post("/twilio/sms", params, signature="forged").status_code == 403
    assert s.twilio.post("/twilio/sms", {**params, "From": "not a number"}).status_code == 400
    assert s.twilio.post("/twilio/sms", {**params, "MessageSid": "SMnope"}).status_code == 400
    assert s.store.calls() == []


def test_an_idle_conversation_ends_and_the_next_message_starts_a_new_one(serve):
    s = serve()
    s.twilio.sms("Bonjour, j ai une question s il vous plait")
    s.twilio.sms("1")
    s.clock.t += 29 * 60  # still within [text] idle_minutes (30)
    assert s.service.end_idle() == 0
    s.clock.t += 2 * 60
    assert s.service.end_idle() == 1
    [call] = s.store.calls()
    assert call["outcome"] == "abandoned" and call["ended_at"]
    assert "assistant automatique" in text_of(s.twilio.sms("1"))  # a new conversation, greeted
    assert len(s.store.calls()) == 2


def test_stop_ends_the_conversation_without_a_reply(serve):
    s = serve()
    s.twilio.sms("Bonjour")
    assert replies(s.twilio.sms("STOP")) == []
    [call] = s.store.calls()
    assert call["outcome"] == "abandoned"


def test_a_person_takes_over_and_answers_by_sms_through_twilios_rest_api(serve):
    s = serve()
    s.twilio.sms("Bonjour, j ai une question s il vous plait")
    handed = text_of(s.twilio.sms("0"))
    assert "Je transmets votre question à une personne, qui vous répondra ici" in handed
    [call] = s.store.calls()
    assert call["outcome"] is None  # open while staff and resident write
    assert replies(s.twilio.sms("Mon bac jaune n'a pas été vidé")) == []  # for staff, not the assistant
    s.service.staff_reply(call["id"], "Bonjour, le camion repasse demain matin.")
    [sent] = s.api.wait_messages(1)
    assert (sent.to, sent.sender, sent.body) == ("+33611223344", "+33199000000", "Bonjour, le camion repasse demain matin.")
    turns = s.store.turns()
    assert [t["intent"] for t in turns[-2:]] == ["to_person", "staff_reply"]
    assert turns[-1]["assistant_text"] == "Bonjour, le camion repasse demain matin."
    s.clock.t += 121 * 60  # [text] person_idle_minutes
    s.service.end_idle()
    [call] = s.store.calls()
    assert call["outcome"] == "transferred" and call["channel"] == "sms"


def test_a_person_cannot_answer_a_conversation_that_has_ended(serve):
    import pytest

    from civicline.text.service import ConversationGone

    s = serve()
    s.twilio.sms("Bonjour")
    [call] = s.store.calls()
    s.clock.t += 31 * 60
    s.service.end_idle()
    with pytest.raises(ConversationGone):
        s.service.staff_reply(call["id"], "hello?")
    assert s.api.messages == []


def test_long_replies_are_cut_into_messages_between_lines_then_words():
    parts = split("a" * 10 + "\n" + "b " * 30, limit=20)
    assert all(len(p) <= 20 for p in parts)
    assert "".join(parts).replace(" ", "").replace("\n", "") == "a" * 10 + "b" * 30
    assert split("") == []
