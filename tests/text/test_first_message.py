"""The first message of a written conversation: whatever it says reaches the engine after the
greeting, an emergency first of all (the numbers to call and to text, never a menu before
them), a question not understood gets the apology and stays in the record; a greeting alone
gets the greeting and the menu. Emergency replies in writing: digits, no "hang up", no
"press", and after hours no button that leads nowhere."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from test_chat import client, page_text, send
from test_sms import text_of

PHONE_WORDS = ("raccroch", "hang up", "cuelgue", "riattacch", "appuyez", "press", "marque", "prema", "dites ", "say yes",
               "diga ", "1 1 2", "1 8", "1 5", "ha llamado", "ha chiamato", "dièse", "pound", "almohadilla", "cancelletto")
# A deaf resident, in each language: a fire, or someone collapsed, told in the first message.
EMERGENCIES = [
    ("fr", "+33600000001", "Bonjour, je suis sourd. Il y a le feu dans mon immeuble, je ne peux pas téléphoner", "112"),
    ("en", "+447700900001", "Hello, I am deaf. My neighbour collapsed and is not breathing, I cannot phone", "15"),
    ("es", "+34600000001", "Hola, soy sorda. Hay un incendio en mi edificio y no puedo llamar", "18"),
]
EVENING = datetime(2026, 12, 1, 21, 30, tzinfo=ZoneInfo("Europe/Paris"))  # the town hall is closed


def assert_written_emergency(reply: str, number: str) -> None:
    assert number in reply and "112" in reply, reply
    assert "114" in reply  # the number the demo town's residents can text (town.yaml emergency: text_number)
    assert reply.index(number) < reply.index("114")
    assert not any(word in reply.lower() for word in PHONE_WORDS), reply
    for menu in ("Tapez 1 pour les collectes", "Type 1 for waste", "Escriba 1 para la recogida"):
        assert menu not in reply[: reply.index(number)]  # no menu before the number to call


@pytest.mark.parametrize(("lang", "sender", "body", "number"), EMERGENCIES)
def test_an_emergency_in_the_first_sms_is_answered_first_in_writing(serve, lang, sender, body, number):
    s = serve()
    reply = text_of(s.twilio.sms(body, sender=sender))
    assert_written_emergency(reply, number)
    [call] = s.store.calls()
    assert call["language"] == lang
    assert any(t["caller_text"] == body for t in s.store.turns())


@pytest.mark.parametrize(("lang", "sender", "body", "number"), EMERGENCIES)
def test_an_emergency_in_the_first_chat_message_is_answered_first_in_writing(serve, lang, sender, body, number):
    s = serve()
    c = client(s)
    reply = c.post("/chat", data={"message": body}, headers={"Accept": "application/json"}).get_json()
    assert_written_emergency(reply["messages"][1]["html"], number)


@pytest.mark.parametrize(("lang", "body", "apology", "sender"), [
    ("fr", "Je voudrais un passeport pour mon chat violet", "cette ligne peut répondre", "+33600000002"),
    ("en", "I would like a passport for my purple cat please", "this line can answer", "+447700900002"),
    ("es", "Quisiera un pasaporte para mi gato morado", "esta línea pueda responder", "+34600000002"),
])
def test_a_first_message_not_understood_gets_the_apology_and_is_recorded(serve, lang, body, apology, sender):
    s = serve()
    reply = text_of(s.twilio.sms(body, sender=sender))
    lines = reply.splitlines()
    assert apology in reply.lower() and len(lines) == len(set(lines))  # the menu once, after the apology
    assert [t["caller_text"] for t in s.store.turns()] == [None, body]
    r = client(s).post("/chat", data={"message": body, "lang": lang}, headers={"Accept": "application/json"})
    assert apology in r.get_json()["messages"][1]["html"].lower()


@pytest.mark.parametrize(("body", "greeting"), [
    ("Bonjour !", "vous êtes bien à la mairie"), ("hello", "you are writing to the city hall"), ("¡Hola!", "está escribiendo"),
])
def test_a_greeting_alone_gets_the_greeting_and_the_menu_in_its_language(serve, body, greeting):
    s = serve()
    reply = text_of(s.twilio.sms(body))
    assert greeting in reply and "0" in reply.splitlines()[-1]
    assert "pas compris" not in reply and "understand" not in reply
    assert [t["caller_text"] for t in s.store.turns()] == [body]  # kept in the record


def test_after_hours_the_chat_offers_no_button_that_leads_nowhere(serve):
    s = serve()
    s.service.clock = lambda: EVENING
    c = client(s)
    send(c, "Au secours, il y a le feu dans ma cuisine", lang="fr")
    html = page_text(c)
    assert "personne ne peut vous répondre par écrit" in html and "tapez 2 pour continuer" in html
    assert 'name="message" value="1"' not in html and "2 – ce n&#39;est pas une urgence" in html


def test_the_chat_buttons_say_what_each_key_does(serve):
    s = serve()
    c = client(s)
    r = c.post("/chat", data={"message": "Bonjour", "lang": "fr"}, headers={"Accept": "application/json"})
    assert r.get_json()["quick"][-1] == ["0", "0 – écrire à une personne"]  # a person, from the main menu
    s.service.clock = lambda: EVENING
    send(c, "0")
    html = page_text(c)
    assert "1 – laisser mon numéro" in html and "2 – laisser un message" in html
    assert "recontacte à l&#39;ouverture" in html and "Tapez 1 pour laisser votre numéro" in html
    send(c, "#")  # where does that come from? before any answer: how to ask, in writing
    assert "tapez # ou demandez" in page_text(c) and "dièse" not in page_text(c)


def test_where_from_before_any_answer_is_written_without_the_keypad_words(serve):
    s = serve()
    s.twilio.sms("Hola", sender="+34600000009")
    reply = text_of(s.twilio.sms("#", sender="+34600000009"))
    assert "escriba #" in reply and "almohadilla" not in reply


@pytest.mark.parametrize(("lang", "sender", "body", "source"), [
    ("fr", "+33600000011", "Où jeter des piles usagées ?", "D'après le guide du tri de la ville ; dernière vérification le"),
    ("en", "+447700900011", "Where do old batteries go?", "According to the town's sorting guide, checked on"),
    ("es", "+34600000011", "¿Dónde tiro las pilas usadas?", "Según la guía de reciclaje del ayuntamiento; última comprobación el"),
])
def test_a_written_answer_carries_its_source_and_date(serve, lang, sender, body, source):
    """In writing, every factual answer says where it comes from, without being asked."""
    s = serve()
    reply = text_of(s.twilio.sms(body, sender=sender))
    assert source in reply, reply
    c = client(s)
    chat = c.post("/chat", data={"message": body, "lang": lang}, headers={"Accept": "application/json"}).get_json()
    assert any(source in m["html"].replace("&#39;", "'") for m in chat["messages"]), chat
