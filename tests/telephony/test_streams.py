"""Media Streams end to end: the fake Twilio calls, streams paced μ-law, presses keys, barges
in, misbehaves; civicline answers over the websocket and carries out transfers. The tests
wait on what the caller receives and on the server's streams ending, not on time."""

from __future__ import annotations

import json
import threading
import xml.etree.ElementTree as ET

from support.fake_twilio import Caller, MediaLeg, heard_text, known_audio


def started(leg: MediaLeg, timeout: float = 60.0) -> None:
    """Wait until the caller hears the start of the current prompt."""
    leg.wait_for(lambda: leg.current.first_frame_at is not None or leg.closed.is_set(), timeout)
    if leg.current.first_frame_at is None:
        assert not leg.closed.is_set(), "the stream closed"
        raise AssertionError("no audio came back")


def full_prompt(leg: MediaLeg, sentences, timeout: float = 90.0) -> list[str]:
    """The next prompt heard to its end (its mark), as the sentences it contained."""
    while True:
        prompt = leg.next_prompt(timeout)
        if not prompt.cleared:
            return known_audio(sentences, bytes(prompt.audio))


def test_keypad_call_with_barge_in_then_transfer_and_whisper(make_line, sentences):
    line = make_line()
    sid, params, r = line.twilio.incoming()
    leg = line.twilio.stream(r, sid)
    started(leg)
    leg.press("2")  # during the language menu: barge-in
    first = leg.next_prompt()
    assert first.cleared and leg.clears == 1
    assert known_audio(sentences, bytes(first.audio)) == []  # interrupted before one sentence
    started(leg)
    leg.heard_for(4.5)  # hear the greeting's first sentence (3.3 s), then press 0 over the rest
    leg.press("0")
    greeting = leg.next_prompt()
    assert greeting.cleared
    assert "Hello, you have reached the city hall of Testville." in known_audio(sentences, bytes(greeting.audio))
    assert full_prompt(leg, sentences) == ["Please hold, I am transferring you to a person."]
    assert leg.wait_closed(10), "civicline ends the stream to transfer"
    # Twilio now asks the <Connect action> what to do: dial the person, with a whisper.
    heard, agent = [], []
    end = line.twilio.follow(line.twilio.connect_action(r, params), params, Caller(dial=["completed"]), heard, agent)
    assert end == "hangup"
    assert heard_text(sentences, agent[:-1])[0].startswith("Appel en anglais")
    assert agent[-1][1:] == ("+33199001234", "+33611223344", "completed")
    [call] = line.store.calls()
    assert call["outcome"] == "transferred" and call["summary"].startswith("Appel en anglais")


def test_failed_transfer_goes_on_as_a_callback_over_a_new_stream(make_line, sentences):
    line = make_line()
    sid, params, r = line.twilio.incoming()
    leg = line.twilio.stream(r, sid)
    started(leg)
    leg.press("2")
    started(leg)
    leg.press("0")
    assert leg.wait_closed(30)
    dial = line.twilio.connect_action(r, params)
    action = ET.fromstring(dial.text).find("Dial").get("action")
    again = line.twilio.post(action, {**params, "DialCallStatus": "no-answer"})
    retried = line.twilio.post(action, {**params, "DialCallStatus": "no-answer"})
    assert again.text == retried.text  # a retried dial outcome is answered the same way
    leg2 = line.twilio.stream(again, sid)
    assert full_prompt(leg2, sentences) == ["Please type your phone number, then pound."]
    for digit in "0611223344#":
        leg2.press(digit)
    said = full_prompt(leg2, sentences)
    assert said and said[0].startswith("We will call you back")
    assert leg2.wait_closed(10)
    end = line.twilio.connect_action(again, params)
    assert ET.fromstring(end.text).find("Hangup") is not None
    [request] = line.store.staff_requests()
    assert request["kind"] == "callback" and request["number"].endswith("0611223344")
    [call] = line.store.calls()
    assert call["outcome"] == "callback" and call["summary"].startswith("Appel en anglais")


def test_websocket_without_a_valid_pass_is_refused(make_line):
    line = make_line()
    sid, params, r = line.twilio.incoming()
    stream = ET.fromstring(r.text).find("./Connect/Stream")
    url, good = stream.get("url"), stream.find("Parameter").get("value")
    forged = MediaLeg(url, sid, {"pass": "forged"})
    no_pass = MediaLeg(url, sid, {})
    other_call = MediaLeg(url, "CA" + "9" * 32, {"pass": good})  # someone else's call
    for leg in (forged, no_pass, other_call):
        assert leg.wait_closed(10)
        assert leg.prompts == [] and leg.current.first_frame_at is None
    # The pass was spent by the wrong call: it is gone for good (one-time).
    spent = MediaLeg(url, sid, {"pass": good})
    assert spent.wait_closed(10) and spent.current.first_frame_at is None
    assert line.store.calls() == []


def test_pass_is_single_use(make_line, sentences):
    line = make_line()
    sid, params, r = line.twilio.incoming()
    leg = line.twilio.stream(r, sid)
    started(leg)
    replay = line.twilio.stream(r, sid)
    assert replay.wait_closed(10) and replay.current.first_frame_at is None
    assert not leg.closed.is_set()
    leg.hang_up()


def test_bad_messages_are_skipped_and_the_call_goes_on(make_line, sentences):
    line = make_line()
    sid, params, r = line.twilio.incoming()
    leg = line.twilio.stream(r, sid)
    started(leg)
    sid_ms = leg.side.stream_sid
    for raw in (
        "not json",
        "[1, 2]",
        '{"event": "media"}',
        json.dumps({"event": "media", "streamSid": sid_ms, "media": {"payload": "@@not base64@@"}}),
        '{"event": "media", "streamSid": "MZunknown", "media": {"payload": "AAAA"}}',
        json.dumps({"event": "dtmf", "streamSid": sid_ms, "dtmf": {"digit": "x"}}),
        json.dumps({"event": "teleport", "streamSid": sid_ms}),
        leg.side.start({}),  # a second start on the same stream
        b"\xff\xfe binary".decode("latin-1"),
    ):
        leg.send(raw)
    leg.press("2")
    # The clear answers the key, which came after every bad message on the same socket.
    assert leg.wait_for(lambda: leg.clears >= 1), "the key never barged in"
    started(leg)
    assert len(line.tel.streams[sid].errors) >= 8
    leg.press("0")
    assert leg.wait_closed(60)
    assert line.store.calls()[0]["language"] == "en"


def test_stop_in_the_middle_of_an_utterance_ends_the_record(make_line, voice_for):
    line = make_line()
    sid, params, r = line.twilio.incoming()
    leg = line.twilio.stream(r, sid)
    started(leg)
    leg.press("2")
    started(leg)
    audio = voice_for("When is my garbage collected?", "en")
    stream = line.tel.streams[sid]
    leg.say(audio[: len(audio) // 2])
    leg.said_all()  # half a sentence is on the line, then the caller hangs up
    leg.hang_up()
    assert stream.finished.wait(15), "the call never ended"
    [call] = line.store.calls()
    assert call["ended_at"] and call["outcome"] == "abandoned"
    assert line.tel.streams.wait_gone(sid)


def test_hang_up_during_synthesis(make_line, monkeypatch):
    # Answers synthesised whole (no vocabulary), so one can be made to take its time.
    line = make_line(speech_assembly=False)
    speaker = line.tel.speech.speaker
    original = speaker.sentence_audio
    slow, synthesising, hung_up = threading.Event(), threading.Event(), threading.Event()

    def sluggish(sentence, language, slow_speech=False):
        if slow.is_set():
            synthesising.set()
            hung_up.wait(10)  # a long answer being synthesised, until the caller has gone
        return original(sentence, language, slow_speech)

    monkeypatch.setattr(speaker, "sentence_audio", sluggish)
    sid, params, r = line.twilio.incoming()
    leg = line.twilio.stream(r, sid)
    started(leg)
    stream = line.tel.streams[sid]
    slow.set()
    leg.press("2")
    assert synthesising.wait(10), "nothing was synthesised after the key"
    leg.hang_up()
    hung_up.set()
    assert stream.finished.wait(15), "the call never ended"
    assert line.store.calls()[0]["ended_at"] and line.store.calls()[0]["outcome"] == "abandoned"
    assert line.tel.streams.wait_gone(sid)
    # the line is still fine for the next caller
    slow.clear()
    sid2, _, r2 = line.twilio.incoming()
    leg2 = line.twilio.stream(r2, sid2)
    started(leg2)
    leg2.hang_up()


def test_one_broken_call_does_not_disturb_another(make_line, sentences):
    line = make_line()
    calls = [line.twilio.incoming() for _ in range(2)]
    legs = [line.twilio.stream(r, sid) for sid, _, r in calls]
    for leg in legs:
        started(leg)
    broken = line.tel.streams[calls[0][0]]
    legs[0].ws.close()  # the socket dies without a stop
    legs[1].press("2")
    started(legs[1])
    legs[1].press("0")
    assert legs[1].wait_closed(60)
    assert broken.finished.wait(15), "the broken call never ended"
    outcomes = {c["id"]: c["outcome"] for c in line.store.calls()}
    assert outcomes[calls[0][0]] == "abandoned"
