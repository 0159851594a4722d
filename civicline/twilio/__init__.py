"""The phone line: Twilio webhooks (TwiML), Media Streams over a websocket, transfers.

``init_app(app)`` attaches the ``/twilio`` blueprint, the ``/audio`` route and the
websocket, and keeps the line's shared state in ``app.extensions["telephony"]``.
"""

from __future__ import annotations

import importlib.util
import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import Flask

from civicline.phone.in_progress import CallInProgress, CallsInProgress, PhoneCall
from civicline.phone.in_progress_store import (
    InProgressStore,
    MemoryInProgressStore,
    SQLiteInProgressStore,
)
from civicline.twilio.security import StreamPasses

log = logging.getLogger(__name__)


@dataclass
class Telephony:
    """What every request and stream of the phone line shares."""

    app_ext: Any  # civicline.app.Civicline
    speech: Any  # civicline.phone.speech.PhoneSpeech
    passes: Any  # StreamPasses, or RedisStreamPasses with several workers
    in_progress: CallsInProgress
    clock: Callable[[], datetime] | None = None  # tests fix the time; default: the town's now
    streams: dict[str, Any] = field(default_factory=dict)  # CallSid -> StreamCall in progress

    @property
    def config(self) -> Any:
        return self.app_ext.config

    def now(self, town: str | None = None) -> datetime:
        """The time in the town's own timezone (``town``: its key; None: the default town)."""
        if self.clock is not None:
            return self.clock()
        return datetime.now(getattr(self.app_ext.runtime_of(town).town, "timezone", None))

    def runtime(self, kept: CallInProgress | None) -> Any:
        """The current runtime of the town a call in progress reached."""
        return self.app_ext.runtime_of(kept.town if kept is not None else None)

    def phone_call(self, kept: CallInProgress) -> PhoneCall:
        """A Call around the saved session of a call in progress, on the flows it started with,
        those of the town it reached."""
        state = kept.state
        engine = self.app_ext.engine(state.flow_version if state else None, kept.town)
        return PhoneCall(engine, lambda: self.now(kept.town), kept, self.app_ext.recorder, self.app_ext.texts)


def _in_progress_store(path: Any) -> InProgressStore:
    try:
        return SQLiteInProgressStore(path)
    except (sqlite3.Error, OSError) as exc:  # the line must answer even so; /health says why
        log.error("calls in progress cannot be saved in %s (%s): a restart will drop them", path, exc)
        store = MemoryInProgressStore()
        store.open_error = f"{type(exc).__name__}: {exc}"
        return store


def init_app(app: Flask) -> Telephony | None:
    ext = app.extensions["civicline"]
    missing = [m for m in ("flask_sock", "simple_websocket") if importlib.util.find_spec(m) is None]
    if ext.speech is None or missing:
        why = f"missing {', '.join(missing)}" if missing else "no speech"
        log.error("the phone line is off (%s); pip install -e '.[voice,telephony]'", why)
        return None
    from civicline.twilio import media_stream, webhooks

    config = ext.config
    passes: Any
    if ext.redis is not None:  # several workers: any of them answers any turn of any call
        from civicline.phone.redis_played import RedisPlayedAudio
        from civicline.phone.redis_store import RedisCallLocks, RedisInProgressStore
        from civicline.twilio.redis_passes import RedisStreamPasses
        from civicline.wiring import redis_for

        in_progress = CallsInProgress(RedisInProgressStore(ext.redis), locks=RedisCallLocks(ext.redis))
        passes = RedisStreamPasses(ext.redis, config.stream_token_ttl_s)
        ext.speech.played = RedisPlayedAudio(redis_for(config, text=False))  # <Play> on any worker
    else:
        in_progress = CallsInProgress(
            _in_progress_store(config.in_progress_path or config.db_path.with_name("calls-in-progress.sqlite3"))
        )
        passes = StreamPasses(config.stream_token_ttl_s)
    tel = Telephony(ext, ext.speech, passes, in_progress)
    app.extensions["telephony"] = tel
    app.register_blueprint(webhooks.bp)
    media_stream.init_app(app)
    return tel
