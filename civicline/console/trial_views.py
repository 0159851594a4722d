"""'Try a call': the browser call simulator. Type, press keys on an on-screen keypad, or
speak through the microphone (recorded in the page as WAV, recognised on the server); the
page shows each action with its provenance and plays the replies' audio when a voice is
installed. Every control is a plain form first; try.js only keeps the page from reloading."""

from __future__ import annotations

import logging
import re
import time
from datetime import datetime, timedelta
from typing import Any

from flask import Response, jsonify, redirect, render_template, request, url_for

from civicline.console.calls_views import town_tz
from civicline.console.core import (
    ConsoleError,
    _,
    _l,
    bp,
    civic,
    render,
    signed_in,
    state,
    town_key,
    wants_json,
)
from flows.session import CallerHungUp, Event, NoInput, Pressed, Said
from records import browse

log = logging.getLogger(__name__)
KEYS = re.compile(r"^[0-9*#]{1,20}$")
MAX_AUDIO_S = 30


class Speech:
    """Recognition and voices for the simulator: the phone line's own (the same models,
    the same audio cache), so staff hear what callers hear."""

    def __init__(self, phone: Any) -> None:
        self.phone = phone

    def transcribe(self, wav: bytes, language: str) -> str:
        from voice.audio.wav import read_wav

        samples, rate = read_wav(wav, max_seconds=MAX_AUDIO_S)
        return self.phone.engines.transcriber(language).transcribe(samples, rate, language).text

    def wav(self, text: str, language: str, slow: bool) -> bytes:
        """What the caller hears: phone-quality audio (8 kHz), as a WAV the browser plays."""
        from voice.audio.codec import ulaw_to_pcm16
        from voice.audio.wav import wav_bytes

        return wav_bytes(ulaw_to_pcm16(self.phone.render(text, language, slow)), 8000)


def speech() -> Any:
    console = state()
    if console.speech is None:
        phone = civic().speech
        console.speech = Speech(phone) if phone is not None else False
    return console.speech or None


def _clock(at: str | None) -> Any:
    tz = town_tz()
    if not at:
        return lambda: datetime.now(tz)
    try:
        start = datetime.fromisoformat(at)
    except ValueError:
        raise ConsoleError(422, _l("'Pretend it is' must be a date and time (got %(value)s).", value=repr(at)),
                           _l("Bad time")) from None
    start = start if start.tzinfo else start.replace(tzinfo=tz)
    began = time.monotonic()
    return lambda: start + timedelta(seconds=time.monotonic() - began)


def _trial(trial_id: str) -> Any:
    trial = state().trials.get(trial_id[:64], signed_in().name)
    if trial is None:
        raise ConsoleError(404, _l("This trial call has ended or belongs to someone else. Start a new one."),
                           _l("No such call"))
    return trial


def _answer(trial: Any, entries: list[dict]) -> Any:
    if wants_json():
        html = "".join(render_template("console/try_entry.html", e=e) for e in entries)
        return jsonify(id=trial.id, entries=entries, html=html, ended=trial.ended, language=trial.language)
    return redirect(url_for("console.try_call", id=trial.id) + "#latest")


@bp.get("/try")
def try_call() -> Any:
    trial = None
    if request.args.get("id"):
        trial = state().trials.get(request.args["id"][:64], signed_in().name)
    runtime = civic().runtime
    return render("try.html", title=_("Try a call"), trial=trial, languages=runtime.languages,
                  fixed=runtime.fixed_language, speech=request.args.get("speech") != "off")


@bp.post("/try/start")
def try_start() -> Any:
    lang = request.form.get("language") or None
    if lang and lang not in civic().runtime.languages:
        raise ConsoleError(422, _l("%(language)s is not a language of the assistant.", language=repr(lang)),
                           _l("Unknown language"))
    clock = _clock(request.form.get("at") or None)
    store = state().store
    try:
        trial, _started = state().trials.start(
            signed_in().name, civic().engine(), clock, civic().recorder, lang,
            on_start=lambda call_id: browse.mark_trial(store, call_id, signed_in().name),
            town=town_key() or None,
        )
    except OverflowError:
        raise ConsoleError(503, _l("Too many trial calls are running; try again in a few minutes."), _l("Busy")) from None
    return _answer(trial, trial.log)


@bp.post("/try/<trial_id>/send")
def try_send(trial_id: str) -> Any:
    trial = _trial(trial_id)
    if trial.ended:
        raise ConsoleError(409, _l("This call has ended. Start a new one."), _l("Call ended"))
    kind = request.form.get("kind", "text")
    event: Event
    if kind == "text":
        text = " ".join((request.form.get("text") or "").split())
        if not text:
            raise ConsoleError(422, _l("Type what the caller says first."), _l("Nothing said"))
        if len(text) > 500:
            raise ConsoleError(422, _l("That is longer than anyone says in one turn (500 characters)."), _l("Too long"))
        event, shown, said = Said(text, trial.language), _("said"), text
    elif kind == "key":
        key = (request.form.get("key") or "").strip()
        if not KEYS.match(key):
            raise ConsoleError(422, _l("Keys are digits, * and #."), _l("Not a key"))
        event, shown, said = Pressed(key), _("pressed %(key)s", key=key), None
    elif kind == "noinput":
        event, shown, said = NoInput(), _("said nothing (silence)"), None
    elif kind == "hangup":
        event, shown, said = CallerHungUp(), _("hung up"), None
    else:
        raise ConsoleError(422, _l("Unknown kind of input."), _l("Not understood"))
    with trial.lock:
        step = trial.call.send(event)
        entries = trial.record("caller", step, said, how=shown)
    return _answer(trial, entries)


@bp.post("/try/<trial_id>/speech")
def try_speech(trial_id: str) -> Any:
    trial = _trial(trial_id)
    if trial.ended:
        raise ConsoleError(409, _l("This call has ended. Start a new one."), _l("Call ended"))
    engines = speech()
    if engines is None:
        raise ConsoleError(503, _l("Speech recognition is not installed on this server: type or use the keypad."),
                           _l("No speech"))
    audio = request.get_data(cache=False)
    if not audio:
        raise ConsoleError(422, _l("No audio was received."), _l("No audio"))
    lang = trial.language or civic().runtime.main_language
    try:
        text = engines.transcribe(audio, lang).strip()
    except Exception as exc:  # a broken recording must not end the trial
        raise ConsoleError(422, _l("The recording could not be recognised: %(error)s", error=str(exc)),
                           _l("Not recognised")) from None
    with trial.lock:
        if not text:
            step = trial.call.send(NoInput())
            entries = trial.record("caller", step, how=_("spoke, but nothing was recognised"))
        else:
            step = trial.call.send(Said(text, lang))
            entries = trial.record("caller", step, text, how=_("said (recognised from the microphone)"))
    return _answer(trial, entries)


@bp.get("/try/<trial_id>/audio/<int:n>")
def try_audio(trial_id: str, n: int) -> Any:
    trial = _trial(trial_id)
    if not 0 <= n < len(trial.says):
        raise ConsoleError(404, _l("No such reply."), _l("Not found"))
    engines = speech()
    if engines is None:
        raise ConsoleError(503, _l("No voice is installed on this server: the replies are shown as text."),
                           _l("No voice"))
    say = trial.says[n]
    try:
        data = engines.wav(say.text, say.lang, say.slow)
    except Exception as exc:
        raise ConsoleError(503, _l("The voice for %(language)s could not speak: %(error)s", language=say.lang,
                                   error=str(exc)), _l("No voice")) from None
    return Response(data, mimetype="audio/wav", headers={"Cache-Control": "private, max-age=600"})
