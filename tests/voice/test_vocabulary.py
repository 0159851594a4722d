"""The closed vocabulary: cutting answers into pieces, joining their audio, rendering them
(incrementally, the clearest candidate kept), without models: a fake voice and recogniser."""

from __future__ import annotations

import json

import numpy as np
import pytest

from voice.audio.codec import ulaw_to_pcm16
from voice.tts.base import Speech, Synthesizer
from voice.tts.cache import AudioCache
from voice.vocab.assemble import CROSSFADE_S, Assembler, Joiner, Said
from voice.vocab.manifest import Manifest, Vocabularies
from voice.vocab.pieces import PAUSE_S, Index, cut, piece_key
from voice.vocab.render import Candidate, pieces_for, prune, render_vocabulary, vocabulary_pieces
from voice.vocab.scoring import split_heard


class ToneVoice(Synthesizer):
    """Each text as a tone whose length follows the text (so joins can be measured)."""

    name = "tone"

    def __init__(self, speed: float = 1.0, said: list | None = None) -> None:
        self.speed, self.said = speed, said if said is not None else []

    @property
    def voice_id(self) -> str:
        return f"tone:speed={self.speed}"

    def at_speed(self, factor: float) -> ToneVoice:
        return ToneVoice(round(self.speed * factor, 3), self.said)

    def synthesize(self, text: str, language: str, slow: bool = False) -> Speech:
        self.said.append((text, self.speed))
        n = int(8000 * 0.05 * len(text) / self.speed)
        return Speech((np.sin(np.arange(n) / 5.0) * 8000).astype(np.int16), 8000)


class Ears:
    """A recogniser that hears what it is told to, per text said at each speed; a clip of
    several pieces (tones apart by silences) is heard as the pieces last said with those lengths."""

    name = "ears"

    def __init__(self, heard: dict[tuple[str, float], str] | None = None) -> None:
        self.heard = heard or {}
        self.voice: ToneVoice | None = None
        self.clips = 0

    def transcribe(self, samples, rate, language, phrases=None):
        from voice.events import Transcript

        self.clips += 1
        loud = np.abs(np.asarray(samples, np.int32)) >= 50
        runs, length, quiet = [], 0, 0
        for x in loud:
            if x:
                length, quiet = length + 1 + (quiet if length and quiet < 800 else 0), 0
            else:
                quiet += 1
                if quiet == 800 and length:
                    runs.append(length)
                    length = 0
        if length:
            runs.append(length)
        said, found = list(self.voice.said), []
        for n in reversed(runs):  # the latest pieces said with these lengths, in order
            while said and abs(int(8000 * 0.05 * len(said[-1][0]) / said[-1][1]) - n) >= 80:
                said.pop()
            assert said, f"a clip of {runs} samples matches no pieces said"
            found.insert(0, said.pop())
        return Transcript(" ".join(self.heard.get((t, s), t) for t, s in found), language)


class Engines:
    def __init__(self, heard=None) -> None:
        self.voice, self.ears = ToneVoice(), Ears(heard)
        self.ears.voice = self.voice

    def synthesizer(self, language):
        return self.voice

    def transcriber(self, language):
        return self.ears


def index_of(*texts: str) -> Index:
    return Index(piece_key(t) for t in texts)


def test_a_sentence_is_cut_into_the_fewest_pieces_and_its_pauses():
    index = index_of("Vous avez dit :", "douze", "rue Victor Hugo", "C'est bien ça ?", "mardi", "premier décembre",
                     "mardi premier décembre")
    pieces = cut("Vous avez dit : douze rue Victor Hugo. C'est bien ça ? Mardi premier décembre", index)
    assert [(p.text, p.known) for p in pieces] == [
        ("Vous avez dit:", True), ("douze", True), ("rue Victor Hugo", True), ("C'est bien ça?", True),
        ("Mardi premier décembre", True)]  # the whole date, not its two pieces
    assert [p.pause for p in pieces] == [PAUSE_S[":"], 0.0, PAUSE_S["."], PAUSE_S["?"], 0.0]


def test_words_outside_the_vocabulary_are_one_live_piece_per_run():
    pieces = cut("Je ne trouve pas « rue Machin Truc » parmi les rues.", index_of("Je ne trouve pas", "parmi les rues."))
    assert [(p.text, p.known) for p in pieces] == [("Je ne trouve pas", True), ("rue Machin Truc", False),
                                                   ("parmi les rues.", True)]


def test_case_quotes_and_apostrophes_do_not_change_a_piece():
    assert piece_key("« L’hôtel » de Ville") == piece_key("l'hôtel de ville")


def test_joining_pauses_at_punctuation_and_crossfades_otherwise():
    tone = np.full(800, 10000, np.int16)
    joiner = Joiner()
    first = joiner.add(tone, 0.0)  # runs on into the next: its end is held back
    held = int(CROSSFADE_S * 8000)
    assert len(first) == 800 - held
    second = joiner.add(tone, PAUSE_S["."])
    assert len(second) == 800 + int(PAUSE_S["."] * 8000)  # the held end overlaps its start
    assert not second[-int(PAUSE_S["."] * 8000):].any()  # then the full stop's silence
    assert joiner.flush().size == 0
    # No click at the joins: the level never jumps by more than a smooth tone would
    whole = np.concatenate([first, second])
    assert np.abs(np.diff(whole)).max() < 3000


def render(tmp_path, texts, engines, **kw):
    cache = AudioCache(tmp_path)
    report = render_vocabulary(texts, "fr", cache, engines.voice.voice_id, engines=engines, workers=1, **kw)
    return cache, report


def test_rendering_keeps_the_first_candidate_heard_word_for_word(tmp_path):
    engines = Engines(heard={("mardi premier décembre", 1.0): "mardi premier", ("rue du Port", 1.0): "rue du porc",
                             ("rue du Port", 0.9): "rue du bord", ("rue du Port.", 0.9): "rue du port"})
    cache, report = render(tmp_path, ["mardi 1er décembre", "rue du Port", "douze"], engines)
    manifest = Manifest.load(tmp_path, "fr")
    date, street, short = (manifest.pieces[piece_key(t)] for t in ("mardi premier décembre", "rue du Port", "douze"))
    assert (date.candidate, date.score, date.tried) == ("speed=0.9", 0.0, 2)
    assert (street.candidate, street.score, street.tried) == ("speed=0.9 end=.", 0.0, 3)
    assert short.score is None and short.tried == 1  # alone, one or two words cannot be judged
    assert all(cache.contains(e.audio) for e in manifest.pieces.values())
    assert report.rendered == 3 and report.reused == 0


def test_the_worst_rendering_is_kept_with_its_score_when_none_is_heard_right(tmp_path):
    engines = Engines(heard={("rue du Port", s): "rue du porc" for s in (1.0, 0.9)} | {("rue du Port.", 0.9): "vous"})
    render(tmp_path, ["rue du Port"], engines, candidates=(Candidate(1.0), Candidate(0.9), Candidate(0.9, ".")))
    entry = Manifest.load(tmp_path, "fr").pieces["rue du port"]
    assert entry.candidate == "speed=1" and entry.score == pytest.approx(1 / 3) and entry.heard == "rue du porc"


def test_pieces_are_heard_several_at_a_time_and_each_judged_alone(tmp_path):
    streets = ["rue du Port", "rue des Lilas", "avenue Jean Jaurès", "place de la Mairie"]
    engines = Engines(heard={("rue des Lilas", 1.0): "rue des lilas et"})  # a word heard in addition
    render(tmp_path, streets, engines, candidates=(Candidate(1.0), Candidate(0.9)))
    pieces = Manifest.load(tmp_path, "fr").pieces
    assert engines.ears.clips == 2  # four pieces heard in one clip, then the one heard wrong again
    assert [pieces[piece_key(t)].candidate for t in streets] == ["speed=1", "speed=0.9", "speed=1", "speed=1"]
    assert pieces["rue des lilas"].tried == 2 and pieces["rue du port"].score == 0.0


def test_words_heard_over_several_pieces_go_back_to_each_piece():
    heard = split_heard(["rue du Port", "mardi 1er décembre", "douze"], "rue du porc mardi premier décembre et douze", "fr")
    assert [(h.text, h.error) for h in heard] == [("rue du porc", pytest.approx(1 / 3)),
                                                  ("mardi premier decembre et", pytest.approx(1 / 3)), ("douze", 0.0)]


def test_rendering_again_renders_only_what_changed_and_prune_drops_the_rest(tmp_path):
    engines = Engines()
    cache, _ = render(tmp_path, ["Bonjour.", "rue du Port", "mardi 1er décembre"], engines)
    old_audio = Manifest.load(tmp_path, "fr").pieces["bonjour ."].audio
    engines.voice.said.clear()
    _, report = render(tmp_path, ["Bonjour.", "rue du Port", "rue du Pont"], engines)
    assert [t for t, _ in engines.voice.said] == ["rue du Pont"]
    assert (report.rendered, report.reused, report.dropped) == (1, 2, 1)
    # A file an earlier version stored whole (a sentence with an address) goes too.
    stray = tmp_path / "ab" / ("ab" + "0" * 62 + ".ulaw")
    stray.parent.mkdir(exist_ok=True)
    stray.write_bytes(b"\xff" * 10)
    assert prune(cache) == 2
    assert not stray.exists() and cache.contains(old_audio)


def test_rendering_nothing_new_renders_nothing(tmp_path):
    engines = Engines()
    render(tmp_path, ["rue du Port"], engines)
    engines.voice.said.clear()
    _, report = render(tmp_path, ["rue du Port"], engines)
    assert report.rendered == 0 and engines.voice.said == []


def test_a_different_voice_renders_everything_again(tmp_path):
    engines = Engines()
    render(tmp_path, ["rue du Port"], engines)
    engines.voice.speed = 1.1
    _, report = render(tmp_path, ["rue du Port"], engines)
    assert report.rendered == 1


def test_pieces_for_answers_are_only_those_they_use():
    vocab = vocabulary_pieces(["Vous avez dit : ", "12", "rue du Port", "rue du Pont", "mardi 1er décembre"], "fr")
    used = pieces_for(["Vous avez dit : 12 rue du Port."], vocab, "fr")
    assert sorted(used) == ["douze", "rue du port", "vous avez dit :"]


def assembler_for(tmp_path, texts, engines):
    render(tmp_path, texts, engines)
    live: list[str] = []

    def make_live(text, lang):
        live.append(text)
        return engines.voice.synthesize(text, lang).to_ulaw8k()

    return Assembler(Vocabularies(tmp_path), AudioCache(tmp_path), make_live, lambda lang: engines.voice.voice_id), live


def test_an_answer_is_joined_from_rendered_pieces_without_the_voice(tmp_path):
    engines = Engines()
    assembler, live = assembler_for(tmp_path, ["Vous avez dit : ", "12", "rue du Port", ". C'est bien ça ?"], engines)
    engines.voice.said.clear()
    said = Said()
    chunks = list(assembler.stream("Vous avez dit : 12 rue du Port. C'est bien ça ?", "fr", said=said))
    assert engines.voice.said == [] and live == []
    assert (said.known, said.live) == (4, 0)
    assert len(chunks) == 2  # "Vous avez dit : douze rue du Port.", "C'est bien ça ?"
    pcm = ulaw_to_pcm16(b"".join(chunks))
    silence = np.flatnonzero(np.abs(pcm) < 50)
    assert len(silence) >= int((PAUSE_S[":"] + PAUSE_S["."] + PAUSE_S["?"]) * 8000) * 0.95


def test_a_piece_outside_the_vocabulary_is_made_live_counted_and_not_stored(tmp_path):
    engines = Engines()
    assembler, live = assembler_for(tmp_path, ["Vous avez dit : ", "rue du Port"], engines)
    files = sorted(p.name for p in tmp_path.rglob("*.ulaw"))
    said = Said()
    heard = []
    assembler.observer = lambda data, text: heard.append(text)
    chunks = list(assembler.stream("Vous avez dit : impasse Inconnue.", "fr", said=said))
    assert live == ["impasse Inconnue"] and (said.known, said.live, said.live_words) == (1, 1, 2)
    assert assembler.counts["live:fr"] == 1 and len(chunks) == 2
    assert heard == ["Vous avez dit : impasse Inconnue."] * 2  # what was ready, then the rest: one sentence
    assert sorted(p.name for p in tmp_path.rglob("*.ulaw")) == files  # nothing of it on disk


def test_a_vocabulary_of_another_voice_is_not_used(tmp_path):
    engines = Engines()
    render(tmp_path, ["rue du Port"], engines)
    assembler = Assembler(Vocabularies(tmp_path), AudioCache(tmp_path), lambda t, lang: b"\\xff" * 80,
                          lambda lang: "another:voice")
    said = Said()
    list(assembler.stream("rue du Port", "fr", said=said))
    assert said.live == 1


def test_the_manifest_is_reread_when_rendering_changes_it(tmp_path):
    engines = Engines()
    render(tmp_path, ["rue du Port"], engines)
    vocabularies = Vocabularies(tmp_path)
    assert "rue du port" in vocabularies.get("fr")[1]
    data = json.loads(Manifest.path(tmp_path, "fr").read_text())
    data["pieces"] = {}
    Manifest.path(tmp_path, "fr").write_text(json.dumps(data))
    import os

    os.utime(Manifest.path(tmp_path, "fr"), (1, 1))
    assert "rue du port" not in vocabularies.get("fr")[1]
