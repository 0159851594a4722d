"""TwiML-only mode (no websocket) and the webhooks' security, through the fake Twilio."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from support.fake_twilio import Caller, heard_text
from voice.audio.wav import wav_bytes

LANG_MENU = ["Pour le français, appuyez sur 1.", "For English, press 2.", "Para español, marque 3."]


def test_keypad_call_is_transferred_with_a_whisper_and_recorded(make_line, sentences):
    line = make_line("twiml")
    sid, params, r = line.twilio.incoming()
    heard, agent = [], []
    end = line.twilio.follow(r, params, Caller(turns=[("key", "2"), ("key", "0")], dial=["completed"]), heard, agent)
    assert end == "hangup"
    said = heard_text(sentences, heard)
    assert said[:3] == LANG_MENU
    assert "To speak with a person, press 0." in said
    assert said[-1] == "Please hold, I am transferring you to a person."
    # The agent heard the whisper (in the town's language) before being put through,
    # and the caller's own number was shown to them.
    whisper = heard_text(sentences, [a for a in agent if a[0] != "dialled"])
    assert whisper and whisper[0].startswith("Appel en anglais")
    assert agent[-1] == ("dialled", "+33199001234", "+33611223344", "completed")
    [call] = line.store.calls()
    assert (call["id"], call["outcome"], call["language"]) == (sid, "transferred", "en")
    assert call["summary"].startswith("Appel en anglais")
    assert [t["key_pressed"] for t in line.store.turns()] == [None, "2", "0"]


def test_busy_line_becomes_a_stored_callback_request(make_line, sentences, audio_dir):
    line = make_line("twiml")
    on_disk = sorted(p.name for p in audio_dir.rglob("*") if p.is_file())
    sid, params, r = line.twilio.incoming()
    heard, agent = [], []
    caller = Caller(turns=[("key", "2"), ("key", "0"), ("key", "0611223344")], dial=["busy"])
    assert line.twilio.follow(r, params, caller, heard, agent) == "hangup"
    said = heard_text(sentences, heard)
    assert "Please type your phone number, then pound." in said
    assert said[-1] == "We will call you back at 06 11 22 33 44." or said[-1].startswith("We will call you back")
    [request] = line.store.staff_requests()
    assert request["kind"] == "callback" and request["number"].endswith("0611223344")
    [call] = line.store.calls()
    assert call["outcome"] == "callback"
    assert call["summary"].startswith("Appel en anglais")  # what was asked stays with the call
    # The number read back was said from digit pairs and kept in memory: nothing of this call on disk.
    assert sorted(p.name for p in audio_dir.rglob("*") if p.is_file()) == on_disk


def test_retried_webhooks_do_not_move_the_call_twice(make_line):
    line = make_line("twiml")
    sid, params, first = line.twilio.incoming()
    _, _, again = line.twilio.incoming(call_sid=sid)
    assert again.text == first.text
    action = ET.fromstring(first.text).find("Gather").get("action")
    one = line.twilio.post(action, {**params, "Digits": "2"})
    two = line.twilio.post(action, {**params, "Digits": "2"})
    assert one.status_code == two.status_code == 200 and one.text == two.text
    assert len(line.store.calls()) == 1
    assert [t["key_pressed"] for t in line.store.turns()] == [None, "2"]
    # An out-of-order (old or future) turn does not move the call either.
    stale = line.twilio.post(action.replace("t=0", "t=7"), {**params, "Digits": "0"})
    assert stale.status_code == 200
    assert [t["key_pressed"] for t in line.store.turns()] == [None, "2"]


def test_synthesis_failure_falls_back_to_twilios_voice(make_line, monkeypatch):
    line = make_line("twiml")

    def broken(*args, **kwargs):
        raise RuntimeError("voice model missing")

    monkeypatch.setattr(line.tel.speech, "prompt_keys", broken)
    _, _, r = line.twilio.incoming()
    says = ET.fromstring(r.text).findall("./Gather/Say")
    assert [s.get("language") for s in says] == ["fr-FR", "en-US", "es-ES"]
    assert says[1].text == "For English, press 2."


@pytest.mark.slow
def test_spoken_answer_is_recorded_fetched_recognised_and_deleted(make_line, sentences, voice_for):
    line = make_line("twiml")
    sid, params, r = line.twilio.incoming()
    heard, agent = [], []
    answer = wav_bytes(voice_for("When is my garbage collected?", "en"), 8000)
    caller = Caller(turns=[("key", "2"), ("say", answer), ("hangup", None)])
    assert line.twilio.follow(r, params, caller, heard, agent) == "caller hung up"
    assert "What is your address?" in heard_text(sentences, heard)
    assert line.recordings.wait_deleted()  # deleted from "Twilio", in the background
    assert line.recordings.unauthorised == 0
    turn = [t for t in line.store.turns() if t["caller_text"]][0]
    assert "garbage" in turn["caller_text"].lower()


@pytest.mark.slow
def test_language_chosen_by_voice_in_a_recording(make_line, sentences, voice_for):
    """Without a websocket too, the language question is heard in any enabled language."""
    line = make_line("twiml")
    listened, recognise = [], line.tel.speech.transcribe

    def spy(samples, rate, language, phrases=()):
        transcript = recognise(samples, rate, language, phrases)
        listened.append((language, transcript.language, tuple(phrases)))
        return transcript

    line.tel.speech.transcribe = spy
    sid, params, r = line.twilio.incoming()
    heard, agent = [], []
    english = wav_bytes(voice_for("English, please.", "en"), 8000)
    question = wav_bytes(voice_for("When is my garbage collected?", "en"), 8000)
    caller = Caller(turns=[("say", english), ("say", question), ("hangup", None)])
    assert line.twilio.follow(r, params, caller, heard, agent) == "caller hung up"
    assert "What is your address?" in heard_text(sentences, heard)
    turns = [t for t in line.store.turns() if t["caller_text"]]
    assert turns[0]["intent"] == "language.en" and turns[0]["call_language"] == "en", turns
    assert [heard[:2] for heard in listened] == [("any:fr,en,es", "en"), ("en", "en")], listened
    assert "English" in listened[0][2] and "when is my garbage collected" in listened[1][2]  # as on a stream



def test_a_key_the_language_menu_does_not_have_hears_the_whole_menu_again(make_line, sentences):
    line = make_line("twiml")
    sid, params, r = line.twilio.incoming()
    heard, agent = [], []
    caller = Caller(turns=[("key", "5"), ("key", "2"), ("hangup", None)])
    assert line.twilio.follow(r, params, caller, heard, agent) == "caller hung up"
    said = heard_text(sentences, heard)
    assert said[:3] == LANG_MENU
    assert said[3:7] == ["Désolé, je n'ai pas compris.", *LANG_MENU]  # every language's line, not the last one
    assert "To speak with a person, press 0." in said


def test_a_greeting_at_the_language_menu_is_taken_as_its_language(make_line, sentences, voice_for):
    line = make_line("twiml")
    sid, params, r = line.twilio.incoming()
    heard, agent = [], []
    hola = wav_bytes(voice_for("Hola, buenos días.", "es"), 8000)
    assert line.twilio.follow(r, params, Caller(turns=[("say", hola), ("hangup", None)]), heard, agent) == "caller hung up"
    said = heard_text(sentences, heard)
    assert "Désolé, je n'ai pas compris." not in said, (said, [t["caller_text"] for t in line.store.turns()])
    assert [t["intent"] for t in line.store.turns() if t["caller_text"]] == ["language.es"]


# ---- security ----------------------------------------------------------------------------


def test_tampered_or_missing_signature_is_refused(make_line):
    line = make_line("twiml")
    params = {"CallSid": "CA" + "a" * 32, "From": "+33611223344"}
    good = line.twilio.validator.compute_signature(line.twilio.base + "/twilio/voice", params)
    assert line.twilio.post("/twilio/voice", {**params, "From": "+33699999999"}, signature=good).status_code == 403
    assert line.twilio.post("/twilio/voice", params, signature="").status_code == 403
    for path in ("/twilio/gather?t=0", "/twilio/record?t=0", "/twilio/status", "/twilio/whisper?call=x",
                 "/twilio/dial-status?call=x", "/twilio/connect-action", "/twilio/noinput?t=0"):
        assert line.twilio.post(path, params, signature="bogus").status_code == 403, path
    assert line.store.calls() == []


def test_signature_checked_on_the_public_url_behind_a_proxy(make_line):
    line = make_line("twiml", public_url="https://mairie.example/phone")
    params = {"CallSid": "CA" + "b" * 32, "From": "+33611223344"}
    sig = line.twilio.validator.compute_signature("https://mairie.example/phone/twilio/voice", params)
    r = line.twilio.post("/twilio/voice", params, signature=sig)
    assert r.status_code == 200
    assert "https://mairie.example/phone/audio/" in r.text  # URLs given to Twilio are public too


def test_forwarded_headers_are_believed_from_a_declared_proxy_only(make_line):
    params = {"CallSid": "CA" + "c" * 32, "From": "+33611223344"}
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "mairie.example"}
    line = make_line("twiml")
    sig = line.twilio.validator.compute_signature("https://mairie.example/twilio/voice", params)
    # From any peer not declared, a signature made for another host is refused...
    assert line.twilio.post("/twilio/voice", params, signature=sig, headers=forwarded).status_code == 403
    # ...and from the proxy the configuration names, it is the URL Twilio requested.
    proxied = make_line("twiml", trusted_proxies=["127.0.0.1"])
    r = proxied.twilio.post("/twilio/voice", params, signature=sig, headers=forwarded)
    assert r.status_code == 200
    assert "https://mairie.example/audio/" in r.text  # and the URLs given back point there


def test_oversized_body_gets_413(make_line):
    line = make_line("twiml")
    r = line.twilio.post("/twilio/voice", {"CallSid": "CA" + "d" * 32, "Junk": "x" * 70_000})
    assert r.status_code == 413


def test_status_callback_is_validated_and_closes_an_abandoned_call(make_line):
    line = make_line("twiml")
    sid, params, _ = line.twilio.incoming()
    assert line.twilio.status(params, "completed").status_code == 204
    [call] = line.store.calls()
    assert call["outcome"] == "abandoned" and call["ended_at"]
    assert line.tel.in_progress.get(sid) is None


def test_audio_route_serves_only_known_prompts(make_line):
    line = make_line("twiml")
    _, _, r = line.twilio.incoming()
    url = ET.fromstring(r.text).find("./Gather/Play").text
    import requests

    assert requests.get(url, timeout=10).status_code == 200
    assert requests.get(line.twilio.base + "/audio/" + "0" * 64 + ".wav", timeout=10).status_code == 404
    assert requests.get(line.twilio.base + "/audio/..%2Fsecret.wav", timeout=10).status_code == 404


def test_a_cached_prompt_is_served_while_every_synthesis_slot_is_busy(make_line, tmp_path):
    """Other calls' new sentences (a number read back) hold every slot: a prompt already made
    is answered at once, and a new sentence goes to Twilio's voice after twiml_speech_wait_s
    rather than past Twilio's 15 s."""
    import threading

    import requests

    line = make_line("twiml", twiml_speech_wait_s=0.3, audio_cache_dir=tmp_path / "audio")
    for text, lang in zip(LANG_MENU, ("fr", "en", "es"), strict=True):  # the menu, made ahead
        line.tel.speech.prompt_keys(text, lang)
    slots, free, holding = line.tel.speech.slots, threading.Event(), threading.Semaphore(0)

    def busy() -> None:
        slots.acquire()
        holding.release()
        free.wait(60)
        slots.release()

    for _ in range(line.tel.speech.parallel):
        threading.Thread(target=busy, daemon=True).start()
    assert all(holding.acquire(timeout=10) for _ in range(line.tel.speech.parallel))
    try:
        params = {"CallSid": "CA" + "7" * 32, "From": "+33611223344"}
        url = line.twilio.base + "/twilio/voice"
        sig = line.twilio.validator.compute_signature(url, params)
        menu = requests.post(url, data=params, headers={"X-Twilio-Signature": sig}, timeout=10)
        plays = ET.fromstring(menu.text).findall("./Gather/Play")
        assert len(plays) == 3 and not ET.fromstring(menu.text).findall("./Gather/Say")
        # English: the greeting was never made in this cache, and no slot is free.
        action = ET.fromstring(menu.text).find("Gather").get("action")
        sig = line.twilio.validator.compute_signature(action, {**params, "Digits": "2"})
        greeting = requests.post(action, data={**params, "Digits": "2"}, headers={"X-Twilio-Signature": sig}, timeout=10)
        says = ET.fromstring(greeting.text).findall("./Gather/Say")
        assert says and {s.get("language") for s in says} == {"en-US"}
        assert "Hello, you have reached the city hall of Testville." in [s.text for s in says]
    finally:
        free.set()


def test_answer_audio_is_served_by_a_token_of_its_call_only(make_line):
    """The audio URL is not computable from the words (a stranger cannot test whether a
    number was read back), and it is gone once the call has ended."""
    import requests

    line = make_line("twiml")
    _, first, r1 = line.twilio.incoming()
    _, second, r2 = line.twilio.incoming()
    url1, url2 = (ET.fromstring(r.text).find("./Gather/Play").text for r in (r1, r2))
    assert url1 != url2  # the same words, two calls, two tokens
    got = requests.get(url1, timeout=10)
    assert got.status_code == 200 and "no-store" in got.headers["Cache-Control"]
    assert line.twilio.status(first, "completed").status_code == 204
    assert requests.get(url1, timeout=10).status_code == 404
    assert requests.get(url2, timeout=10).status_code == 200


def test_the_towns_sentences_are_said_again_from_their_kept_audio_on_the_webhooks_thread(make_line, sentences):
    """The main menu, joined for the first caller, is said to the next from the audio kept:
    the same words, and no sentence of it handed to the synthesis pool."""
    line = make_line("twiml")
    heard: list[list] = [[], []]
    submitted: list[str] = []
    for n in range(2):
        if n == 1:
            pool = line.tel.speech.twiml_synthesis
            original = pool.submit

            def submit(fn, sentence, *args, _original=original):
                submitted.append(sentence)
                return _original(fn, sentence, *args)

            pool.submit = submit
        _, params, r = line.twilio.incoming(caller=f"+3361122334{n}")
        line.twilio.follow(r, params, Caller(turns=[("key", "1"), ("key", "0")], dial=["completed"]), heard[n], [])
    said = [heard_text(sentences, h) for h in heard]
    assert said[0] == said[1] and "Que puis-je faire pour vous ?" in said[1]
    assert "Que puis-je faire pour vous ?" not in submitted
    assert "Pour le français, appuyez sur 1." in submitted  # {key} is filled in: joined each time
