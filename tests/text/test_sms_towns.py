"""Text messages to a service answering several towns: the number written to (Twilio's
``To``) picks the town, and one resident writing to two towns has two conversations."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PORT_LUMIERE, GEDLING = "+33199000000", "+441159000000"
TOWNS = {PORT_LUMIERE: ROOT / "towns" / "port-lumiere", GEDLING: ROOT / "towns" / "gedling"}


def messages(response) -> list[str]:
    assert response.status_code == 200, response.text
    return [m.text or "" for m in ET.fromstring(response.text).findall("Message")]


def test_each_number_written_to_answers_as_its_town(serve):
    s = serve(towns=TOWNS, meaning_model="none")
    assert messages(s.twilio.sms("👋", to=PORT_LUMIERE))[0].splitlines()[0] == "Pour le français, tapez 1."
    gedling = "\n".join(messages(s.twilio.sms("Hello", to=GEDLING)))
    assert gedling.startswith("Hello, you are writing to Gedling Borough Council.")
    # The same resident, back to Port-Lumière: its own conversation goes on (French chosen).
    assert "assistant automatique" in "\n".join(messages(s.twilio.sms("1", to=PORT_LUMIERE)))
    towns = sorted((c["town"], c["channel"]) for c in s.store.calls())
    assert towns == [("gedling", "sms"), ("port-lumiere", "sms")]


def test_a_message_to_a_number_no_town_answers_gets_no_reply(serve):
    s = serve(towns=TOWNS, meaning_model="none")
    assert messages(s.twilio.sms("Hello", to="+15005550006")) == []
    assert s.store.calls() == []


def test_the_chat_page_of_each_town_answers_as_that_town(serve):
    import re

    s = serve(towns=TOWNS, meaning_model="none")
    gedling = s.app.test_client()
    page = gedling.get("/chat?town=gedling").get_data(as_text=True)
    assert "Gedling" in page and "Port-Lumière" not in page
    assert 'action="/chat?town=gedling"' in page  # the form keeps the town
    r = gedling.post("/chat?town=gedling", data={"message": "Hello"})
    assert r.status_code == 303 and "town=gedling" in r.headers["Location"]
    assert "you are writing to Gedling Borough Council" in gedling.get("/chat").get_data(as_text=True)
    port = s.app.test_client()
    assert "Port-Lumière" in port.get("/chat").get_data(as_text=True)  # the first town without ?town=
    port.post("/chat", data={"message": "Bonjour", "lang": "fr"})
    assert sorted((c["town"], c["channel"]) for c in s.store.calls()) == [("gedling", "chat"), ("port-lumiere", "chat")]
    assert gedling.get("/chat?town=nowhere").status_code == 200  # a conversation keeps its town
    assert s.app.test_client().get("/chat?town=nowhere").status_code == 404
    assert re.search(r"Gedling", gedling.get("/chat?town=port-lumiere").get_data(as_text=True))
