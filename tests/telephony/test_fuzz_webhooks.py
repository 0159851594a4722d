"""Fuzzing every Twilio webhook: whole calls of random requests (signed or not, any
parameter, any header) on the app itself. Whatever comes in: no 5xx, TwiML Twilio can carry
out, and every signed request of a call in progress gets an answer."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from urllib.parse import urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st

from support.fake_twilio import new_sid
from support.fuzzing import FUZZ, HEADER, TEXT, twiml_problem

HOST = "http://localhost"
TWIML_ROUTES = {"voice", "gather", "record", "noinput", "connect-action", "dial-status", "whisper"}
TURNS = {"gather", "record", "noinput"}
STATUSES = ["queued", "ringing", "in-progress", "completed", "busy", "failed", "no-answer", "canceled"]
URLS = ["http://[::1", "http://127.0.0.1:1/r", "https://api.twilio.com/x", "ftp://127.0.0.1/x", "//x", "http://127.0.0.1:99999/", ""]

step = st.fixed_dictionaries(
    {
        "route": st.sampled_from(sorted(TWIML_ROUTES | {"status"})),
        "t": st.one_of(st.integers(-2, 10), TEXT, st.none()),
        "call": st.one_of(st.just("self"), TEXT),
        "sid": st.one_of(st.just("self"), st.just("self"), TEXT),
        "fields": st.fixed_dictionaries(
            {},
            optional={
                "Digits": st.one_of(st.text("0123456789*#", max_size=12), st.just("hangup"), TEXT),
                "RecordingUrl": st.one_of(st.sampled_from(URLS), TEXT),
                "CallStatus": st.one_of(st.sampled_from(STATUSES), TEXT),
                "DialCallStatus": st.one_of(st.sampled_from(["completed", "busy", "no-answer", "failed"]), TEXT),
                "From": st.one_of(st.just("+33611223344"), TEXT),
                "RecordingDuration": TEXT,
            },
        ),
        "extra": st.dictionaries(TEXT.filter(bool), TEXT, max_size=3),
        "signed": st.sampled_from([True, True, True, False]),
        "headers": st.dictionaries(st.sampled_from(["X-Forwarded-Host", "X-Forwarded-Proto", "X-Forwarded-For", "Host"]), HEADER, max_size=2),
    }
)


def run_call(line, steps) -> None:
    client = line.app.test_client()
    sid = new_sid("CA")
    started = False
    for s in [{"route": "voice", "t": None, "call": "self", "sid": "self", "fields": {}, "extra": {}, "signed": True, "headers": {}}, *steps]:
        query = {}
        if s["route"] in TURNS and s["t"] is not None:
            query["t"] = s["t"]
        if s["route"] in ("dial-status", "whisper"):
            query["call"] = sid if s["call"] == "self" else s["call"]
        path = f"/twilio/{s['route']}" + (f"?{urlencode(query)}" if query else "")
        params = {**s["extra"], "CallSid": sid if s["sid"] == "self" else s["sid"], **s["fields"]}
        headers = dict(s["headers"])
        if s["signed"]:
            headers["X-Twilio-Signature"] = line.twilio.validator.compute_signature(HOST + path, params)
        r = client.post(path, data=params, headers=headers)
        body = r.get_data(as_text=True)
        assert r.status_code < 500, (path, params, headers, r.status_code, body[:300])
        if r.status_code != 200 or s["route"] not in TWIML_ROUTES:
            continue
        assert twiml_problem(body) is None, (path, params, twiml_problem(body), body[:300])
        clean = s["signed"] and s["sid"] == "self" and not s["headers"]
        if clean and s["route"] == "voice" and not started:
            assert len(ET.fromstring(body)) > 0, "a new call got an empty answer"
            started = True
        if clean and s["route"] in TURNS:
            assert len(ET.fromstring(body)) > 0, ("a turn got an empty answer", path, params)
        if s["route"] == "status" and params.get("CallStatus") in STATUSES[3:]:
            started = False


@pytest.mark.parametrize("mode", ["twiml", "streams"])
def test_random_calls_never_break_the_webhooks(make_line, mode):
    line = make_line(mode)

    @FUZZ
    @given(st.lists(step, max_size=8))
    def calls(steps) -> None:
        run_call(line, steps)

    calls()
