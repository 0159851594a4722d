"""A copy of the answer asked for on the phone leaves through Twilio's REST API (the fake one,
on 127.0.0.1), to the caller's number, once; a copy that cannot leave goes on the staff's
review list without the number; the records keep no more of the number than for any call."""

from __future__ import annotations

import pytest

from civicline.calls import Call
from civicline.config import Config
from civicline.twilio.messages import TextNotSent, TwilioTexts
from flows.dialog import Engine
from flows.session import Pressed, Said
from records import CallRecorder, SQLiteStore
from support.fake_twilio import ACCOUNT, Recordings
from support.textkit import NOW, TOKEN, TOWN_NUMBER


@pytest.fixture
def api():
    server = Recordings(ACCOUNT, TOKEN)
    yield server
    server.shutdown()


@pytest.fixture
def store(tmp_path):
    s = SQLiteStore(tmp_path / "records.sqlite3")
    yield s
    s.close()


def glass_answer(runtime, texts, recorder, caller="+33612345678"):
    call = Call(Engine(runtime), lambda: NOW, caller=caller, language="fr", recorder=recorder, texts=texts)
    call.start()
    call.send(Said("où jeter le verre"))
    return call


def test_the_copy_leaves_through_twilios_rest_api_to_the_callers_number(demo_runtime, api, store):
    recorder = CallRecorder(store, hash_key=b"k" * 32, auto_purge=False)
    texts = TwilioTexts(Config(sms_from=TOWN_NUMBER, sms_api_base=api.base), recorder)
    call = glass_answer(demo_runtime, texts, recorder)
    call.send(Pressed("7"))
    step = call.send(Pressed("1"))
    assert "Le SMS est en route" in " ".join(a.text for a in step.actions if hasattr(a, "text"))
    [sent] = api.wait_messages(1)
    assert (sent.to, sent.sender) == ("+33612345678", TOWN_NUMBER)
    lines = sent.body.splitlines()
    assert "conteneurs à verre" in lines[0]
    assert any(line.startswith("Source : les informations de la ville sur la collecte des déchets") and "dernière vérification le" in line for line in lines)
    assert lines[-1] == "Port-Lumière : https://www.port-lumiere.example/"
    assert api.unauthorised == 0
    # The records: the number hashed with two digits, as for any call; not in the turns.
    [row] = store.calls()
    assert row["caller_last2"] == "78" and "612345678" not in str(store.turns())


def test_a_copy_that_cannot_leave_goes_on_the_review_list_without_the_number(demo_runtime, api, store):
    recorder = CallRecorder(store, hash_key=b"k" * 32, auto_purge=False)
    api.refuse_messages = 21610  # Twilio: the recipient has opted out
    texts = TwilioTexts(Config(sms_from=TOWN_NUMBER, sms_api_base=api.base), recorder)
    call = glass_answer(demo_runtime, texts, recorder)
    call.send(Pressed("7"))
    call.send(Pressed("1"))
    assert texts.wait_sent()
    [item] = [i for i in store.review_items() if "text message" in (i["reason"] or "")]
    assert "21610" in str(item["context"]) and "612345678" not in str(item["context"])


def test_a_line_without_an_sms_number_refuses_clearly(api):
    texts = TwilioTexts(Config(sms_from="", sms_api_base=api.base))
    assert texts.configured == "missing [sms] from"
    with pytest.raises(TextNotSent, match=r"\[sms\] from"):
        texts.deliver("+33612345678", "hello")
    assert api.messages == []


def test_a_messaging_service_sends_for_the_town(api):
    texts = TwilioTexts(Config(sms_from="MG" + "a" * 32, sms_api_base=api.base))
    sid = texts.deliver("+33612345678", "Bonjour")
    [sent] = api.messages
    assert sent.sid == sid and sent.sender == "MG" + "a" * 32


def test_twilios_refusal_is_reported_in_its_own_words(api):
    texts = TwilioTexts(Config(sms_from=TOWN_NUMBER, sms_api_base=api.base))
    with pytest.raises(TextNotSent, match="21211"):
        texts.deliver("0612", "Bonjour")
