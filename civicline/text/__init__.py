"""The same service in writing: text conversations (SMS, the chat page) that run the phone
line's flows, engine and records, whichever provider carries the messages.

``init_app(app)`` keeps the conversations in ``app.extensions["text_service"]`` and attaches the
residents' chat page (``/chat``, unless ``[text] chat = false``); the SMS webhook is Twilio's
(civicline.twilio.sms).
"""

from __future__ import annotations

from flask import Flask

from civicline.text.conversations import Conversations
from civicline.text.limits import RateLimit
from civicline.text.service import TextService


def init_app(app: Flask, *, sweep: bool = True) -> TextService:
    ext = app.extensions["civicline"]
    config = ext.config
    conversations = Conversations(config.text_idle_minutes * 60, config.text_person_idle_minutes * 60)
    service = TextService(ext, conversations)
    app.extensions["text_service"] = service
    if config.chat_enabled:
        from civicline.text import chat

        app.extensions["chat_limit"] = RateLimit(config.chat_per_minute)
        app.register_blueprint(chat.bp)
    if sweep:
        service.start_sweeper()
    return service
