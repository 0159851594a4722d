"""Text-to-speech engines behind one interface (``voice.tts.base.Synthesizer``)."""

from voice.tts.base import Speech, Synthesizer

__all__ = ["Speech", "Synthesizer"]
