"""The same service in writing: text conversations (SMS, the chat page) that run the phone
line's flows, engine and records, whichever provider carries the messages.

``init_app(app)`` keeps the conversations in ``app.extensions["text_line"]`` and attaches the
residents' chat page (``/chat``, unless ``[text] chat = false``); the SMS webhook is Twilio's
(civicline.twilio.sms).
"""

from __future__ import annotations

from flask import Flask

from civicline.text.conversations import Conversations
from civicline.text.limits import RateLimit
from civicline.text.line import TextLine


def init_app(app: Flask, *, sweep: bool = True) -> TextLine:
    ext = app.extensions["civicline"]
    config = ext.config
    conversations = Conversations(config.text_idle_minutes * 60, config.text_person_idle_minutes * 60)
    text_line = TextLine(ext, conversations)
    app.extensions["text_line"] = text_line
    if config.chat_enabled:
        from civicline.text import chat

        app.extensions["chat_limit"] = RateLimit(config.chat_per_minute)
        app.register_blueprint(chat.bp)
    if sweep:
        text_line.start_sweeper()
    return text_line
