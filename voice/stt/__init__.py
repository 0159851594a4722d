"""Speech-to-text engines behind one interface (``voice.stt.base.Transcriber``)."""

from voice.stt.base import StreamingSession, Transcriber

__all__ = ["StreamingSession", "Transcriber"]
