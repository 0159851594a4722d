"""How Whisper decodes, and how to tell a decoding that went round in circles.

Whisper base, greedy, sometimes loops: on a phrase ("pour faire une version de la version de
la version…"), on a few characters ("13.04.18.18.181818…"), or until the token bound. A
loop is recognised by its word count for the time, the bound, or how well zlib shrinks it,
and decoded again (``voice.stt.whisper``).
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from voice.errors import VoiceError


def max_new_tokens(seconds: float) -> int:
    """Room for fast speech (about 10 tokens a second) and no more: a decoder looping on a
    phrase otherwise runs to 448 tokens, at every fallback temperature (measured: 22 s for a
    2 s utterance with 40 repeated street hints). Whisper's own cap is half its context, 224;
    the hints' prompt takes at most the other half."""
    return int(min(220, 10 * min(seconds, 30.0) + 20))


def runaway(text: str, seconds: float) -> bool:
    """More words than anyone says in that time: Whisper looping on one phrase."""
    return len(text.split()) > 5 * seconds + 5


LOOP_COMPRESSION = 2.4
"""Whisper's own bound: text that zlib shrinks more than this is a phrase repeated."""


def repetitive(text: str, threshold: float = LOOP_COMPRESSION) -> bool:
    """A loop with few words: "13.04.18.18.18.181818181818…" (one word for ``runaway``) for
    "Presione 4 para desactivar…" in street noise."""
    data = text.encode()
    return len(data) >= 24 and len(data) / len(zlib.compress(data)) > threshold


@dataclass(frozen=True)
class Decoding:
    """How Whisper decodes: the registry's ``options`` on a Whisper model (one Decoding per
    loaded model, whichever language asked for it first)."""

    beam_size: int = 1
    """Beam for the languages ``language_beams`` does not name (1: greedy)."""
    language_beams: tuple[tuple[str, int], ...] = (("fr", 5), ("es", 5))
    """Beam per language. Five beams for French and Spanish: on the tuning sample through
    GSM, fr 18.7 -> 14.4 % and es 20.3 -> 17.6 % WER, with 15 dB of street noise fr 38.6 ->
    36.6 % and es 28.3 -> 21.6 %; English was no better (5.6 -> 5.9 %, 14.0 -> 15.8 %), so it
    stays greedy and cheaper (docs/voice.md)."""
    no_speech_threshold: float = 0.6
    """A segment Whisper calls not speech above this probability…"""
    log_prob_threshold: float = -1.0
    """…and decoded below this mean log-probability is dropped."""
    compression_ratio_threshold: float | None = LOOP_COMPRESSION
    """Text that zlib shrinks more than this is a loop (None: only the word count and the
    token bound tell)."""
    loop_beam_size: int = 5
    """A decoding still looping on the whole window is redone once more with this beam and
    no repeated 3-gram (0: never): French in 15 dB of street noise 45.1 -> 38.6 %."""

    def beam_for(self, language: str) -> int:
        return dict(self.language_beams).get(language, self.beam_size)

    def looping(self, text: str, seconds: float, cut_short: bool) -> bool:
        """The decoder went round in circles: into the token bound, more words than the
        time allows, or (``compression_ratio_threshold``) the same characters over and over."""
        repeated = self.compression_ratio_threshold is not None and repetitive(text, self.compression_ratio_threshold)
        return cut_short or runaway(text, seconds) or repeated


def decoding_from_options(options: Mapping[str, Any]) -> Decoding:
    """The ``Decoding`` a model's registry options ask for, checked. ``beam_size`` applies
    to every language (the model is shared), over the per-language defaults."""
    fields = {"beam_size": int, "loop_beam_size": int, "no_speech_threshold": float,
              "log_prob_threshold": float, "compression_ratio_threshold": float}
    values: dict[str, Any] = {}
    for name, kind in fields.items():
        if name not in options:
            continue
        raw = options[name]
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            raise VoiceError(f"whisper option {name} = {raw!r}: expected a number")
        values[name] = kind(raw)
    for name, low in (("beam_size", 1), ("loop_beam_size", 0)):
        if not low <= values.get(name, low) <= 10:
            raise VoiceError(f"whisper option {name} = {values[name]}: expected {low} to 10")
    if "beam_size" in values:
        values["language_beams"] = ()
    return Decoding(**values)
