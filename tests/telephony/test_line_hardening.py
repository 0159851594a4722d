"""Holes in the phone line found by trying it as an attacker and as a bad day would: forged
forwarded headers, replayed webhooks, malformed recording URLs, malformed stream frames."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

NESTED = "[" * 30_000 + "]" * 30_000  # 60,000 characters: json.loads raises RecursionError


def test_a_malformed_forwarded_host_is_refused_not_an_error(make_line):
    params = {"CallSid": "CA" + "e" * 32, "From": "+33611223344"}
    proxied = make_line("twiml", trusted_proxies=["127.0.0.1"])
    for host in ("[::1", "a b", "x.example/evil", "é.example"):
        r = proxied.twilio.post("/twilio/voice", params, headers={"X-Forwarded-Host": host})
        assert r.status_code == 403, (host, r.status_code)
    line = make_line("twiml")  # no proxy declared: the Host header itself
    r = line.twilio.post("/twilio/voice", params, headers={"Host": "[::1"})
    assert r.status_code in (400, 403), r.status_code
    assert line.store.calls() == [] and proxied.store.calls() == []


def test_a_replayed_voice_webhook_does_not_reopen_an_ended_call(make_line):
    line = make_line("twiml")
    sid, params, first = line.twilio.incoming()
    action = ET.fromstring(first.text).find("Gather").get("action")
    line.twilio.post(action, {**params, "Digits": "2"})
    assert line.twilio.status(params, "completed").status_code == 204
    [ended] = line.store.calls()
    turns = line.store.turns()
    replay = line.twilio.post("/twilio/voice", params)  # the same signed request, again
    assert replay.status_code == 200
    assert ET.fromstring(replay.text).find("Hangup") is not None
    assert line.store.calls() == [ended]
    assert line.store.turns() == turns  # not overwritten by a new greeting
    again = line.twilio.post(action, {**params, "Digits": "0"})  # nor moved on by a later turn
    assert ET.fromstring(again.text).find("Hangup") is not None
    assert line.store.turns() == turns


def test_a_malformed_recording_url_is_refused_and_the_call_goes_on(make_line):
    line = make_line("twiml")
    sid, params, first = line.twilio.incoming()
    record = ET.fromstring(first.text).find("Record").get("action")
    for url in ("http://[::1", "ftp://127.0.0.1/x", "http://evil.example/x"):
        r = line.twilio.post(record, {**params, "RecordingUrl": url, "Digits": ""})
        assert r.status_code == 200, (url, r.status_code)
        assert ET.fromstring(r.text).find("Gather") is not None  # asked again, not hung up
    assert line.recordings.unauthorised == 0


def test_deeply_nested_json_on_a_stream_is_skipped_and_the_call_goes_on(make_line):
    line = make_line()
    sid, params, r = line.twilio.incoming()
    leg = line.twilio.stream(r, sid)
    assert leg.wait_for(lambda: leg.current.first_frame_at is not None or leg.closed.is_set())
    sid_ms = leg.side.stream_sid
    for raw in (
        NESTED,
        json.dumps({"event": "media", "streamSid": sid_ms, "media": {"payload": "", "chunk": 1e999}}),
        json.dumps({"event": "media", "streamSid": sid_ms, "media": {"payload": "AAAA", "timestamp": "9" * 5000}}),
        '{"event": "start", "start": {"streamSid": "MZ1", "callSid": "CA1", "customParameters": {"pass": ' + NESTED + "}}}",
    ):
        leg.send(raw)
    leg.press("2")
    assert leg.wait_for(lambda: leg.clears >= 1 or leg.closed.is_set()), "the key never barged in"
    assert not leg.closed.is_set(), "the call was dropped"
    assert line.tel.streams[sid].bad_messages >= 4
    leg.hang_up()


def test_a_socket_that_sends_something_else_than_start_is_closed_at_once(make_line):
    line = make_line()
    sid, params, r = line.twilio.incoming()
    url = ET.fromstring(r.text).find("./Connect/Stream").get("url")
    for first in (NESTED, "not json", '{"event": "media"}', b"\xff\xfe"):
        with connect(url, open_timeout=5, close_timeout=2) as ws:
            ws.send(first)
            with pytest.raises(ConnectionClosed):
                ws.recv(timeout=10)
            assert ws.close_code == 1008, (first[:20], ws.close_code)
    assert not line.tel.streams
