"""The Twilio webhooks. Every one is signed (403 otherwise); bodies over ``max_body_bytes``
get 413 from Flask. Each TwiML-only turn's action URLs carry the turn number, so a webhook
Twilio retries gets the answer it already got instead of moving the call on twice."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable
from typing import Any
from urllib.parse import urlparse

import requests
from flask import Blueprint, Response, abort, current_app, request

from civicline.phone.dialog import CallDialog, recognition_hints
from civicline.twilio import twiml
from civicline.twilio.security import public_base, signed
from flows.session import CallerHungUp, Event, NoInput, Pressed, Said
from voice.events import Transcript

log = logging.getLogger(__name__)
bp = Blueprint("telephony", __name__)
KEY = re.compile(r"^[0-9a-f]{64}$")
FAILED_DIAL = ("busy", "no-answer", "failed")
ENDED = ("completed", "busy", "failed", "no-answer", "canceled")


def tel() -> Any:
    return current_app.extensions["telephony"]


def xml(body: str) -> Response:
    return Response(body, mimetype="text/xml")


def base() -> str:
    found = public_base(request, tel().config)
    if found is None:  # signed() has refused such a request already
        abort(403)
    return found


def sid() -> str:
    value = request.form.get("CallSid", "")
    if not re.fullmatch(r"CA[0-9a-fA-F]{32}", value):
        abort(400)
    return value


@bp.post("/twilio/voice")
@signed
def voice() -> Response:
    t = tel()
    call_sid = sid()
    town = _town_called(t, call_sid)
    if town is None:
        return xml(twiml.no_town_twiml())
    kept, new = t.in_progress.open(call_sid, request.form.get("From") or None, town)
    if kept is None:  # the call has ended: a replay must not reopen it or touch its record
        log.warning("call %s: /twilio/voice after the call ended; refused", request.form.get("CallSid"))
        return xml(twiml.hangup_twiml())
    with t.in_progress.editing(kept):
        if not new and kept.voice_twiml is not None:
            log.info("call %s: /twilio/voice retried; same answer", kept.call_sid)
            return xml(kept.voice_twiml)
        if t.config.telephony_mode == "twiml":
            call = t.phone_call(kept)
            step = call.start()
            body = twiml.turn_twiml(step.actions, base(), kept.turn, t.speech, t.config, kept.caller, kept.call_sid)
        else:
            body = twiml.stream_twiml(base(), t.passes.issue(kept.call_sid))
        kept.voice_twiml = body
        return xml(body)


def _town_called(t: Any, call_sid: str) -> str | None:
    """The key of the town the called number (``To``) reaches; a call already in progress
    keeps its own (a retried webhook, another worker, a ``To`` gone missing). None: no town
    of this service answers that number."""
    towns = t.app_ext.towns
    if not towns.several:
        return towns.default
    kept = t.in_progress.get(call_sid)
    if kept is not None and kept.town is not None:
        return str(kept.town)
    called = request.form.get("To", "")
    town = towns.for_number(called)
    if town is None:
        log.warning("call %s to %s: no town answers that number; [towns] in the configuration", call_sid,
                    re.sub(r"[^0-9+]", "", called)[:20] or "(no number)")
    return town


def _turn(make_event: Callable[[Any], Event | None]) -> Response:
    """One TwiML-only turn: the event from this request, the engine, the next TwiML."""
    t = tel()
    kept = t.in_progress.get(sid())
    if kept is None or kept.state is None:
        log.warning("turn for unknown call %s", request.form.get("CallSid"))
        return xml(twiml.hangup_twiml())
    try:
        turn = int(request.args.get("t", ""))
    except ValueError:
        abort(400)
    with t.in_progress.editing(kept):
        if turn in kept.responses:
            log.info("call %s: turn %d retried; same answer", kept.call_sid, turn)
            return xml(kept.responses[turn])
        if turn != kept.turn:
            log.warning("call %s: turn %d out of order (at %d)", kept.call_sid, turn, kept.turn)
            return xml(kept.responses.get(kept.turn - 1) or twiml.hangup_twiml())
        call = t.phone_call(kept)
        event = make_event(kept)
        step = call.send(event) if event is not None and not call.ended else None
        kept.turn += 1
        if step is None or (step.state.ended and isinstance(event, CallerHungUp)):
            body = twiml.hangup_twiml()
        else:
            body = twiml.turn_twiml(step.actions, base(), kept.turn, t.speech, t.config, kept.caller, kept.call_sid)
        kept.responses[turn] = body
        for old in [k for k in kept.responses if k < turn - 4]:
            del kept.responses[old]
        return xml(body)


def _expects_number(kept: Any) -> bool:
    state = kept.state
    return bool(state and state.last_ask and state.last_ask.max_digits)


@bp.post("/twilio/gather")
@signed
def gather() -> Response:
    digits = re.sub(r"[^0-9*#]", "", request.form.get("Digits", ""))

    def event(kept: Any) -> Event | None:
        if not digits:
            return NoInput()
        return Pressed(digits + "#" if _expects_number(kept) and not digits.endswith("#") else digits)

    return _turn(event)


@bp.post("/twilio/noinput")
@signed
def noinput() -> Response:
    return _turn(lambda kept: NoInput())


@bp.post("/twilio/record")
@signed
def record() -> Response:
    digits = request.form.get("Digits", "")
    recording = request.form.get("RecordingUrl", "")

    def event(kept: Any) -> Event | None:
        if digits == "hangup":
            return CallerHungUp()
        state = kept.state
        runtime = tel().runtime(kept)
        lang = (state.lang if state else None) or runtime.main_language
        heard = None
        if recording:  # a keypad answer needs no language or hints
            ask = state.last_ask if state else None
            hints = recognition_hints(runtime, ask, lang)
            heard = _recognise(recording, CallDialog.listen_language(ask, state, lang), hints)
        if heard is not None and heard.text:
            return Said(heard.text, heard.language or lang)
        key = re.sub(r"[^0-9*#]", "", digits)
        return Pressed(key) if key else NoInput()

    return _turn(event)


def _recording_auth(url: str) -> tuple[str, str] | None:
    t = tel()
    try:
        parsed = urlparse(url)
        host = parsed.hostname or ""
    except ValueError:  # "http://[::1": not a URL at all
        log.error("recording refused: %r is not a URL", url[:200])
        return None
    if parsed.scheme not in ("https", "http") or host not in t.config.recording_hosts:
        log.error("recording at %s refused: host not in [telephony] recording_hosts", host[:200])
        return None
    account, token = t.config.secret("TWILIO_ACCOUNT_SID"), t.config.secret("TWILIO_AUTH_TOKEN")
    return (account or "", token or "")


def _recognise(url: str, lang: str, hints: tuple[str, ...] = ()) -> Transcript | None:
    """Fetch the recording with the account's credentials, recognise it here, then delete
    it from Twilio (in the background: the caller should not wait for that)."""
    auth = _recording_auth(url)
    if auth is None:
        return None
    try:
        got = requests.get(url + ".wav", auth=auth, timeout=10)
        got.raise_for_status()
        heard = tel().speech.recognise_wav(got.content, lang, hints)
    except Exception:
        log.exception("recording %s could not be fetched or recognised", url)
        heard = None
    threading.Thread(target=_delete_recording, args=(url, auth), daemon=True).start()
    return heard


def _delete_recording(url: str, auth: tuple[str, str]) -> None:
    try:
        requests.delete(url + ".json", auth=auth, timeout=10).raise_for_status()
    except Exception as exc:
        log.error("recording %s could not be deleted from Twilio: %s", url, exc)


@bp.post("/twilio/connect-action")
@signed
def connect_action() -> Response:
    """The stream ended: carry out the transfer or hang-up the call ended on."""
    t = tel()
    kept = t.in_progress.get(sid())
    if kept is None or kept.state is None or request.form.get("CallStatus") in ENDED:
        return xml(twiml.hangup_twiml())
    with t.in_progress.editing(kept):
        state = kept.state
        if state.ended:
            actions = [kept.transfer] if kept.transfer and state.outcome == "transferred" else []
            return xml(twiml.end_twiml(actions, base(), kept.caller, kept.call_sid, t.config))
        # The stream broke while the call was going on: reconnect, and repeat the question.
        log.warning("call %s: stream ended mid-call; reconnecting", kept.call_sid)
        kept.pending = list(t.phone_call(kept).send(Pressed("*")).actions)
        return xml(twiml.stream_twiml(base(), t.passes.issue(kept.call_sid)))


@bp.post("/twilio/dial-status")
@signed
def dial_status() -> Response:
    t = tel()
    call_sid = request.args.get("call", "")
    kept = t.in_progress.get(call_sid)
    status = request.form.get("DialCallStatus", "")
    if kept is None or kept.state is None:
        return xml(twiml.hangup_twiml())
    with t.in_progress.editing(kept):
        if -1 in kept.responses:  # a retried dial outcome
            return xml(kept.responses[-1])
        call = t.phone_call(kept)
        if status in FAILED_DIAL:
            log.info("call %s: transfer %s; offering a callback", call_sid, status)
            step = call.transfer_failed(status)
            if t.config.telephony_mode == "twiml":
                body = twiml.turn_twiml(step.actions, base(), kept.turn, t.speech, t.config, kept.caller, call_sid)
            else:
                kept.pending = list(step.actions)
                body = twiml.stream_twiml(base(), t.passes.issue(call_sid))
        else:
            call.transfer_answered()
            body = twiml.hangup_twiml()
        kept.responses[-1] = body
        return xml(body)


@bp.post("/twilio/whisper")
@signed
def whisper() -> Response:
    t = tel()
    kept = t.in_progress.get(request.args.get("call", ""))
    summary = kept.transfer.summary if kept and kept.transfer else ""
    if not summary:
        return xml(str(twiml.VoiceResponse()))
    return xml(twiml.whisper_twiml(summary, t.runtime(kept).main_language, base(), t.speech,
                                   t.config.twiml_speech_wait_s, kept.call_sid if kept else None))


@bp.post("/twilio/status")
@signed
def status() -> Response:
    """Twilio's status callback: the call is over; close its record if nothing else did."""
    t = tel()
    call_status = request.form.get("CallStatus", "")
    log.info("call %s status %s", request.form.get("CallSid"), call_status)
    if call_status in ENDED:
        call_sid = sid()
        kept = t.in_progress.get(call_sid)
        if t.speech is not None:
            t.speech.played.forget_call(call_sid)  # the call's answers' audio
        if kept is not None and kept.state is not None:
            with t.in_progress.locked(kept):  # the record is closed before the call in progress is forgotten
                call = t.phone_call(kept)
                if kept.held_end is not None:
                    call.transfer_answered()
                elif not call.ended:
                    call.send(CallerHungUp())
        t.in_progress.close(call_sid)
    return Response(status=204)


@bp.get("/audio/<token>.wav")
def audio(token: str) -> Response:
    """An answer's audio for <Play>: by the random token its TwiML named, while its call
    lasts (never by a key computed from the text, which would tell a stranger what a
    caller heard)."""
    if not KEY.match(token) or tel().speech is None:
        abort(404)
    data = tel().speech.wav(token)
    if data is None:
        abort(404)
    return Response(data, mimetype="audio/wav", headers={"Cache-Control": "private, no-store"})


