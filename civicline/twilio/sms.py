"""The Messaging webhook (``/twilio/sms``): a resident's SMS in, the assistant's reply out as
TwiML ``<Message>``, signed like the voice webhooks (403 otherwise).

One conversation per sender (civicline.text): the same session as a call, kept between
messages. The opt-out words carriers and Twilio act on (STOP, ARRET…) end the conversation
without a reply: Twilio answers them itself, and blocks anything we send afterwards.
"""

from __future__ import annotations

import logging
import re

from flask import Blueprint, Flask, Response, abort, current_app, request
from twilio.twiml.messaging_response import MessagingResponse

from civicline.twilio.security import signed

log = logging.getLogger(__name__)
bp = Blueprint("sms", __name__)
SID = re.compile(r"(SM|MM|SS)[0-9a-fA-F]{32}")
NUMBER = re.compile(r"\+[1-9][0-9]{6,14}")
# Twilio's default opt-out keywords, and the French ones French carriers use.
OPT_OUT = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "ARRET", "ARRÊT", "STOP SMS"}
MAX_MESSAGE = 1500  # characters of one <Message>: Twilio sends up to 1600 as one


def xml(body: str) -> Response:
    return Response(body, mimetype="text/xml")


@bp.post("/twilio/sms")
@signed
def sms() -> Response:
    service = current_app.extensions["text_service"]
    sender = request.form.get("From", "")
    message_id = request.form.get("MessageSid", "")
    if not NUMBER.fullmatch(sender) or not SID.fullmatch(message_id):
        abort(400)
    body = request.form.get("Body", "")
    ext = current_app.extensions["civicline"]
    limit = ext.config.text_max_length
    town = ext.towns.for_number(request.form.get("To", ""))
    if town is None:
        log.warning("text message %s to %s: no town answers that number; [towns] in the configuration",
                    message_id, re.sub(r"[^0-9+]", "", request.form.get("To", ""))[:20] or "(no number)")
        return xml(str(MessagingResponse()))
    # One conversation per sender and town: a resident may write to two towns of the service.
    address = f"{sender} {town}" if ext.towns.several else sender
    if body.strip().upper() in OPT_OUT:
        conversation = service.conversations.find("sms", address)
        if conversation is not None:
            service.end(conversation, "opted out")
        return xml(str(MessagingResponse()))
    received = service.receive("sms", address, body[:limit], caller=sender, message_id=message_id,
                               town=town if ext.towns.several else None)
    return xml(reply_twiml(received.replies))


def reply_twiml(replies: list[str]) -> str:
    """The replies as few <Message>s as fit (nothing at all: an empty <Response>)."""
    response = MessagingResponse()
    for text in split("\n".join(replies)):
        response.message(text)
    return str(response)


def split(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Messages of at most `limit` characters, cut between lines, else between words."""
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            cut = line.rfind(" ", 0, limit)
            cut = cut if cut > 0 else limit
            parts, current = _push(parts, current, line[:cut]), ""
            line = line[cut:].lstrip()
        if current and len(current) + 1 + len(line) > limit:
            parts.append(current)
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    if current:
        parts.append(current)
    return parts


def _push(parts: list[str], current: str, piece: str) -> list[str]:
    if current:
        parts.append(current)
    parts.append(piece)
    return parts


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
