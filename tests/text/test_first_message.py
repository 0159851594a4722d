from test_sms import text_of
from test_chat import client, send, page_text


def test_probe(serve):
    s = serve()
    for body, sender in [("Bonjour, je suis sourd. Il y a le feu dans mon immeuble, je ne peux pas téléphoner", "+33600000001"),
                         ("Hello, I am deaf. My neighbour collapsed and is not breathing, I cannot phone", "+447700900001"),
                         ("Hola, soy sorda. Hay un incendio en mi edificio y no puedo llamar", "+34600000001"),
                         ("Je voudrais un passeport pour mon chat violet", "+33600000002"),
                         ("bonjour", "+33600000003"), ("hello", "+33600000004"), ("flibbertigibbet wobble", "+33600000005")]:
        print("=====", body)
        print(text_of(s.twilio.sms(body, sender=sender)))
    assert 0
