"""The same service in writing: text conversations (SMS, the chat page) that run the phone
line's flows, engine and records, whichever provider carries the messages.

``init_app(app)`` keeps the conversations in ``app.extensions["text_service"]`` and attaches the
residents' chat page (``/chat``, unless ``[text] chat = false``); the SMS webhook is Twilio's
(civicline.twilio.sms). With ``$CIVICLINE_REDIS_URL`` the conversations and the chat's limit
per client live in Redis (civicline.text.redis_conversations), so any worker serves any message.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from civicline.text.conversations import Conversations
from civicline.text.limits import RateLimit, RedisRateLimit
from civicline.text.service import TextService


def init_app(app: Flask, *, sweep: bool = True) -> TextService:
    ext = app.extensions["civicline"]
    config = ext.config
    conversations: Any
    if ext.redis is not None:
        from civicline.text.redis_conversations import RedisConversations

        conversations = RedisConversations(ext.redis, config.text_idle_minutes * 60, config.text_person_idle_minutes * 60)
    else:
        conversations = Conversations(config.text_idle_minutes * 60, config.text_person_idle_minutes * 60)
    service = TextService(ext, conversations)
    app.extensions["text_service"] = service
    if config.chat_enabled:
        from civicline.text import chat

        app.extensions["chat_limit"] = (RedisRateLimit(ext.redis, config.chat_per_minute) if ext.redis is not None
                                        else RateLimit(config.chat_per_minute))
        app.register_blueprint(chat.bp)
    if sweep:
        service.start_sweeper()
    return service
