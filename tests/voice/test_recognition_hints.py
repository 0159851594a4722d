"""Phrases a caller may say (a menu's examples, street names) are given to Whisper as
finished sentences: said word for word, a phrase is still heard whole."""

from __future__ import annotations

import numpy as np

from voice.audio.codec import pcm16_to_ulaw, ulaw_to_pcm16
from voice.stt.whisper import hint_prompt

MENU = ["waste collection", "council meetings", "when is my garbage collected", "when does the council meet"]


def test_hints_are_written_as_finished_sentences():
    assert hint_prompt(MENU[:3]) == "Waste collection. Council meetings. When is my garbage collected."
    assert hint_prompt(["¿Qué día pasa la basura?", "  rue   du Port "]) == "¿Qué día pasa la basura? Rue du Port."
    assert hint_prompt([]) is None and hint_prompt(None) is None and hint_prompt(["", "  "]) is None


def test_a_caller_saying_a_hint_word_for_word_is_heard_whole(whisper, piper):
    """With the list left open ("…, when is my garbage collected"), Whisper took the caller's
    question for the prompt going on and heard "collected," at 16 alignments of 16."""
    speech = piper.steadied().synthesize("When is my garbage collected?", "en").at_rate(8000).samples
    speech = ulaw_to_pcm16(pcm16_to_ulaw(speech))
    heard = []
    for lead_ms in (0, 120, 250):
        audio = np.concatenate([np.zeros(lead_ms * 8, np.int16), speech, np.zeros(2400, np.int16)])
        heard.append(whisper.transcribe(audio, 8000, "en", MENU).text.lower().strip(" .?,"))
    assert heard == ["when is my garbage collected"] * 3, heard
