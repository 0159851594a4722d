"""A resident asks for their waste-collection day by voice, in French, English and Spanish,
over Media Streams: real synthesised speech in, recognised offline, and the answer that
comes back is itself recognised to check what the caller heard."""

from __future__ import annotations

import pytest
from test_streams import started

from support.fake_twilio import MediaLeg, known_audio
from voice.audio.codec import ulaw_to_pcm16

CASES = {
    # language: (key in the language menu, question, address, yes, day in the answer)
    "fr": ("1", "Quel jour passe la poubelle ?", "J'habite au 12 rue Victor Hugo.", "Oui, c'est ça.", "mardi"),
    "en": ("2", "When is my garbage collected?", "I live at 12 rue Victor Hugo.", "Yes, that's right.", "tuesday"),
    "es": ("3", "¿Qué día pasa la basura?", "Vivo en el 12 rue Victor Hugo.", "Sí, es correcto.", "martes"),
}


def reply(leg: MediaLeg, sentences, timeout: float = 90.0) -> tuple[list[str], bytes]:
    while True:
        prompt = leg.next_prompt(timeout)
        if not prompt.cleared:
            return known_audio(sentences, bytes(prompt.audio)), bytes(prompt.audio)


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["fr", "en", "es"])
def test_waste_day_by_voice(lang, make_line, sentences, voice_for, engines):
    key, question, address, yes, day = CASES[lang]
    for text in (question, address, yes):
        voice_for(text, lang)  # the caller's voice is ready before the call, not during it
    line = make_line()
    made_live: list[str] = []  # pieces outside the vocabulary (early guesses' replies may need some)
    assembler = line.tel.speech.assembler
    make_live = assembler.live
    assembler.live = lambda text, language: made_live.append(text) or make_live(text, language)
    heard_all: list[str] = []
    sid, params, r = line.twilio.incoming()
    leg = line.twilio.stream(r, sid)
    started(leg)
    leg.press(key)
    assert leg.next_prompt().cleared, "the key cut the language menu short"
    started(leg)
    leg.heard_for(1.0)
    leg.say(voice_for(question, lang))  # over the greeting: barge-in by voice
    said, _ = reply(leg, sentences)
    heard_all += said
    assert leg.clears >= 2, "the greeting was cleared when the caller spoke"
    heard_texts = [t["caller_text"] for t in line.store.turns() if t["caller_text"]]
    assert said and said[-1] in ("Quelle est votre adresse ?", "What is your address?", "¿Cuál es su dirección?"), heard_texts
    leg.say(voice_for(address, lang))
    said, _ = reply(leg, sentences)
    heard_all += said
    assert "Victor Hugo" in " ".join(said), said
    leg.say(voice_for(yes, lang))
    said, audio = reply(leg, sentences)
    heard_all += said
    assert any(day in s.lower() for s in said), said
    # What came back is speech a recogniser understands, not just the right bytes.
    heard = engines.transcriber(lang).transcribe(ulaw_to_pcm16(audio), 8000, lang).text.lower()
    assert day in heard or "victor" in heard, heard
    # Whole turns (end of speech, recognition, synthesis); bench/telephony_bench.py measures.
    # A reply frame within 0.3 s of a voiced frame cannot answer an utterance (end-of-speech
    # alone waits longer): it is the prompt the caller spoke over, still arriving before the
    # clear. Only the three answered turns count.
    answered = [t for t in leg.latencies if t > 0.3]
    assert len(answered) == 3 and max(answered) < 30.0, leg.latencies
    leg.hang_up()
    # Every answer the caller heard was joined from the rendered vocabulary: nothing in it was
    # made live (a reply prepared for an early, wrong guess may have been, and was not played).
    assert assembler.counts[f"known:{lang}"] > 10, assembler.counts
    assert not [p for p in made_live if any(p in s for s in heard_all)], (made_live, heard_all)
    turns = [t for t in line.store.turns() if t["caller_text"]]
    assert len(turns) == 3
    assert any(t["provenance"] for t in line.store.turns())  # the answer kept its source
