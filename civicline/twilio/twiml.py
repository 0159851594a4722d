"""TwiML for every answer civicline gives Twilio, built with the twilio library.

TwiML-only mode turns each engine step into ``<Gather input="dtmf">`` around ``<Play>`` of
our own audio, then ``<Record>`` for a spoken answer, then ``<Redirect>`` for silence
(Twilio moves on without calling the Record action when nothing was said).
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from twilio.twiml.voice_response import Connect, Dial, Gather, VoiceResponse

from flows.session import Action, Ask, EndCall, Say, Transfer

log = logging.getLogger(__name__)

# Twilio's own voices: the fallback when local synthesis fails.
TWILIO_VOICES = {
    "fr": ("fr-FR", "Polly.Lea"),
    "en": ("en-US", "Polly.Joanna"),
    "es": ("es-ES", "Polly.Lucia"),
}
GATHER_PAUSE_S = 1  # after the prompt, before recording starts: time to press a key


def url(base: str, path: str, **query: Any) -> str:
    q = {k: v for k, v in query.items() if v is not None}
    return f"{base}{path}" + (f"?{urlencode(q)}" if q else "")


def speak(
    parent: Any, says: Sequence[Say], base: str, speech: Any, deadline: float | None = None, call: str | None = None
) -> None:
    """<Play> our own audio for each sentence (under a token kept for this call only); <Say>
    with Twilio's voice for a sentence whose synthesis failed, or was not done by
    ``deadline`` (``time.monotonic()``; Twilio gives up on a webhook after 15 s: a caller is
    better served by another voice than by a dropped call)."""
    for say in says:
        try:
            pieces = speech.prompt_keys(say.text, say.lang, say.slow, deadline, call=call)
        except Exception:
            log.exception("synthesis failed in %s; falling back to Twilio's voice", say.lang)
            pieces = [(say.text, None)]
        for sentence, key in pieces:
            if key is None:
                language, voice = TWILIO_VOICES.get(say.lang.split("-")[0], ("en-US", "Polly.Joanna"))
                parent.say(sentence, language=language, voice=voice)
            else:
                parent.play(f"{base}/audio/{key}.wav")


def stream_twiml(base: str, token: str) -> str:
    """Media Streams: a bidirectional <Connect><Stream>; the pass goes in a <Parameter>
    (Twilio does not pass query strings on the stream URL)."""
    r = VoiceResponse()
    connect = Connect(action=url(base, "/twilio/connect-action"), method="POST")
    ws_base = "wss://" + base.split("://", 1)[1] if base.startswith("https://") else "ws://" + base.split("://", 1)[-1]
    stream = connect.stream(url=ws_base + "/twilio/stream")
    stream.parameter(name="pass", value=token)
    r.append(connect)
    return str(r)


def turn_twiml(actions: Sequence[Action], base: str, turn: int, speech: Any, config: Any, caller: str | None, call_sid: str) -> str:
    """One TwiML-only turn: what the step says, then how to listen or how to end."""
    deadline = time.monotonic() + float(config.twiml_speech_wait_s)
    r = VoiceResponse()
    says = [a for a in actions if isinstance(a, Say)]
    ask = next((a for a in reversed(actions) if isinstance(a, Ask)), None)
    transfer = next((a for a in actions if isinstance(a, Transfer)), None)
    if ask is not None:
        number = ask.max_digits is not None
        gather = Gather(
            input="dtmf",
            action=url(base, "/twilio/gather", t=turn),
            method="POST",
            timeout=math.ceil(ask.timeout) if number else GATHER_PAUSE_S,
            finish_on_key="#" if number else "",  # a lone # is a key of its own (where an answer comes from)
            num_digits=None if number else 1,
            action_on_empty_result=False,
        )
        speak(gather, says, base, speech, deadline, call_sid)
        r.append(gather)
        r.record(
            action=url(base, "/twilio/record", t=turn),
            method="POST",
            max_length=int(config.record_max_s),
            timeout=max(2, math.ceil(ask.timeout)),
            play_beep=False,
            trim="trim-silence",
            finish_on_key="#" if number else "0123456789*#",
        )
        r.redirect(url(base, "/twilio/noinput", t=turn), method="POST")
        return str(r)
    speak(r, says, base, speech, deadline, call_sid)
    if transfer is not None:
        r.append(dial(transfer, base, caller, call_sid, config))
    else:
        r.hangup()
    return str(r)


def dial(transfer: Transfer, base: str, caller: str | None, call_sid: str, config: Any) -> Dial:
    """<Dial> the human line with the caller's own number shown, and a whisper to the agent."""
    d = Dial(
        action=url(base, "/twilio/dial-status", call=call_sid),
        method="POST",
        timeout=int(config.dial_timeout_s),
        caller_id=caller or None,
    )
    d.number(transfer.number, url=url(base, "/twilio/whisper", call=call_sid), method="POST")
    return d


# Said by Twilio's voices to a call to a number no town of this service answers: the service
# does not know the caller's language, so each is said once.
NO_TOWN = (
    ("fr", "Ce numéro n'est pas en service. Au revoir."),
    ("en", "This number is not in service. Goodbye."),
)


def no_town_twiml() -> str:
    """A short spoken message, then a hang-up."""
    response = VoiceResponse()
    for lang, text in NO_TOWN:
        language, voice = TWILIO_VOICES[lang]
        response.say(text, language=language, voice=voice)
    response.hangup()
    return str(response)


def hangup_twiml() -> str:
    r = VoiceResponse()
    r.hangup()
    return str(r)


def end_twiml(actions: Sequence[Action], base: str, caller: str | None, call_sid: str, config: Any) -> str:
    """After a stream ended by us: the <Dial> of a transfer, or <EndCall>."""
    transfer = next((a for a in actions if isinstance(a, Transfer)), None)
    if transfer is None or any(isinstance(a, EndCall) for a in actions):
        return hangup_twiml()
    r = VoiceResponse()
    r.append(dial(transfer, base, caller, call_sid, config))
    return str(r)


def whisper_twiml(
    summary: str, language: str, base: str, speech: Any, wait_s: float | None = None, call: str | None = None
) -> str:
    """What the agent hears before the caller is put through (the caller hears ringing)."""
    r = VoiceResponse()
    speak(r, [Say(summary, language)], base, speech, None if wait_s is None else time.monotonic() + wait_s, call)
    return str(r)
