import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from voice.eval import prompt_texts
from voice.tts.base import Speech, Synthesizer
from voice.tts.cache import (
    FIRST_PIECE_WORDS,
    GROWTH,
    AudioCache,
    Speaker,
    cache_key,
    first_pieces,
    split_sentences,
)
from voice.tts.speech_text import format_for_speech


class CountingVoice(Synthesizer):
    name = "fake"

    def __init__(self):
        self.calls = []

    @property
    def voice_id(self):
        return "fake:1"

    def synthesize(self, text, language, slow=False):
        self.calls.append((text, slow))
        return Speech(np.full(int(0.1 * 16000 * (1.25 if slow else 1)), 1000, np.int16), 16000)


def test_key_depends_on_everything_that_changes_the_audio():
    base = cache_key("v", "fr", "Bonjour.", False)
    assert len({base, cache_key("w", "fr", "Bonjour.", False), cache_key("v", "en", "Bonjour.", False),
                cache_key("v", "fr", "Bonjour !", False), cache_key("v", "fr", "Bonjour.", True)}) == 5
    assert cache_key("v", "fr-CA", "Bonjour.", False) == base


def test_split_sentences():
    assert split_sentences("Bonjour. Comment allez-vous ? Très bien!") == ["Bonjour.", "Comment allez-vous ?", "Très bien!"]
    long = ", ".join(["un deux trois quatre"] * 20) + "."
    parts = split_sentences(long, max_chars=100)
    assert len(parts) > 1 and all(len(p) <= 100 for p in parts)
    assert split_sentences("   ") == []


def test_speaker_caches_per_sentence_and_formats_numbers(tmp_path):
    voice = CountingVoice()
    speaker = Speaker(lambda lang: voice, AudioCache(tmp_path))
    audio = speaker.render("Collecte le 1er décembre. Merci.", "fr")
    assert voice.calls == [("Collecte le premier décembre.", False), ("Merci.", False)]
    assert len(audio) == 2 * 800  # 2 x 0.1 s at 8 kHz μ-law
    speaker.render("Merci. Au revoir.", "fr")
    assert len(voice.calls) == 3  # "Merci." came from the cache
    speaker.render("Merci.", "fr", slow=True)
    assert voice.calls[-1] == ("Merci.", True)


def test_stream_yields_first_sentence_before_the_rest_is_made(tmp_path):
    voice = CountingVoice()
    stream = Speaker(lambda lang: voice, AudioCache()).stream("Un. Deux. Trois.", "fr")
    next(stream)
    assert len(voice.calls) == 1


def test_disk_cache_survives_restart(tmp_path):
    """How fast a hit is, is measured by bench/speech_bench.py; here, that it synthesises nothing."""
    voice = CountingVoice()
    Speaker(lambda lang: voice, AudioCache(tmp_path)).prerender(["Bonjour. Au revoir."], "fr")
    assert len(voice.calls) == 4  # two sentences, normal and slow
    fresh_voice = CountingVoice()
    speaker = Speaker(lambda lang: fresh_voice, AudioCache(tmp_path))
    first = next(speaker.stream("Bonjour. Au revoir.", "fr"))  # read from disk
    assert first and fresh_voice.calls == []
    assert next(speaker.stream("Bonjour. Au revoir.", "fr")) == first
    assert fresh_voice.calls == []


def test_memory_cache_is_bounded():
    cache = AudioCache(memory_items=2)
    for k in "abc":
        cache.put(k, k.encode())
    assert cache.get("a") is None and cache.get("c") == b"c"


class SlowVoice(CountingVoice):
    """Stands for Kokoro: a voice slow enough that the first sentence is cut."""

    quick_start = True

    @property
    def voice_id(self):
        return "slow:1"


LONG_FR = "Votre prochaine collecte a lieu le mardi 1er décembre."


@pytest.mark.parametrize(
    ("lang", "sentence", "first"),
    [
        ("fr", LONG_FR, "Votre prochaine collecte a lieu"),
        ("es", "Su próxima recolección es el martes 1 de diciembre.", "Su próxima recolección es"),
        ("fr", "Bonjour, vous êtes bien à la mairie de Saint-Martin-des-Champs.", "Bonjour,"),
        ("en", "Your next waste collection is on Tuesday, December 1.", "Your next waste collection is"),
        ("fr", "Il n'y a pas de réunion le mardi 1er décembre.", "Il n'y a pas de réunion"),
    ],
)
def test_first_piece_is_a_short_clause_and_nothing_is_lost(lang, sentence, first):
    pieces = first_pieces(sentence, lang)
    assert pieces[0] == first
    assert len(pieces[0].split()) <= FIRST_PIECE_WORDS < len(sentence.split())
    assert " ".join(pieces) == sentence


def test_first_pieces_leave_short_or_unbreakable_sentences_whole():
    assert first_pieces("Désolé, je n'ai pas compris.", "fr") == ["Désolé, je n'ai pas compris."]  # short
    assert first_pieces("Le verre n'est pas collecté devant chez vous.", "fr") == ["Le verre n'est pas collecté devant chez vous."]
    # never before "de": "1 de diciembre" and street names stay together
    assert first_pieces("La recolección es el día 1 de diciembre de 2026.", "es") == ["La recolección es el día 1 de diciembre de 2026."]
    assert first_pieces("  ", "fr") == []
    # never between a weekday and its article (here the article comes too early to cut before it)
    sentence = "Basura doméstica el martes 1 de diciembre, reciclaje el jueves 3 de diciembre."
    assert first_pieces(sentence, "es") == [sentence]
    assert first_pieces("Collecte des déchets le mardi 1er décembre pour votre rue.", "fr")[0] == "Collecte des déchets"


def test_later_pieces_are_cut_at_clause_marks_only_and_grow():
    sentence = ("Ordures ménagères le mardi 1er décembre, tri sélectif le jeudi 3 décembre, déchets verts "
                "le lundi 7 décembre, verre le vendredi 11 décembre, encombrants sur rendez-vous.")
    pieces = first_pieces(sentence, "fr")
    assert " ".join(pieces) == sentence
    assert pieces[0] == "Ordures ménagères le mardi 1er décembre,"  # a comma wins over "le mardi"
    assert len(pieces) == 3  # not one piece per comma: the second is made while the first plays
    assert all(p.endswith(",") for p in pieces[:-1])
    said = len(pieces[0].split())
    for piece in pieces[1:-1]:  # each made while the words before it play
        assert len(piece.split()) <= max(FIRST_PIECE_WORDS, int(said * GROWTH))
        said += len(piece.split())


def test_slow_voice_streams_a_short_first_piece_then_the_rest():
    voice = SlowVoice()
    speaker = Speaker(lambda lang: voice, AudioCache())
    stream = speaker.stream(LONG_FR + " Merci.", "fr")
    next(stream)
    assert voice.calls == [("Votre prochaine collecte a lieu", False)]
    list(stream)
    assert [text for text, _ in voice.calls] == ["Votre prochaine collecte a lieu", "le mardi premier décembre.", "Merci."]


def test_fast_voice_and_render_keep_whole_sentences():
    fast = CountingVoice()
    list(Speaker(lambda lang: fast, AudioCache()).stream(LONG_FR, "fr"))
    assert fast.calls == [("Votre prochaine collecte a lieu le mardi premier décembre.", False)]
    slow = SlowVoice()
    Speaker(lambda lang: slow, AudioCache()).render(LONG_FR, "fr")
    list(Speaker(lambda lang: slow, AudioCache(), quick_start=False).stream(LONG_FR, "fr"))
    assert slow.calls == [("Votre prochaine collecte a lieu le mardi premier décembre.", False)] * 2


@pytest.mark.parametrize("lang", ["fr", "es", "en"])
def test_prerendered_catalog_prompts_are_played_whole_from_the_cache(tmp_path, lang):
    texts = list(prompt_texts(Path(__file__).resolve().parents[2] / "translations" / f"{lang}.yaml").values())
    # the catalog has first sentences the slow voice would cut if they were not cached
    assert any(len(first_pieces(split_sentences(t)[0], lang)) > 1 for t in texts)
    Speaker(lambda _: SlowVoice(), AudioCache(tmp_path)).prerender(texts, lang, slow_too=False)
    keys = {cache_key("slow:1", lang, format_for_speech(s, lang), False) for t in texts for s in split_sentences(t)}
    assert {p.stem for p in tmp_path.rglob("*.ulaw")} == keys  # whole sentences, same keys as before
    later = SlowVoice()
    speaker = Speaker(lambda _: later, AudioCache(tmp_path))
    for text in texts:
        assert speaker.pieces(text, lang) == split_sentences(text)
        assert b"".join(speaker.stream(text, lang))
    assert later.calls == []  # every prompt came from the cache


class TakesItsTime(CountingVoice):
    def synthesize(self, text, language, slow=False):
        time.sleep(0.2)
        return super().synthesize(text, language, slow)


def test_callers_asking_the_same_sentence_at_once_share_one_synthesis():
    voice = TakesItsTime()
    speaker = Speaker(lambda lang: voice, AudioCache())
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: speaker.sentence_audio("Zone B : mardi.", "fr"), range(8)))
    assert len(voice.calls) == 1 and len(set(results)) == 1 and results[0]
    # Different sentences are still made side by side: both syntheses meet at a barrier.
    side_by_side = MeetingVoice(threading.Barrier(2, timeout=30))
    speaker = Speaker(lambda lang: side_by_side, AudioCache())
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(lambda t: speaker.sentence_audio(t, "fr"), ["Zone A.", "Zone C."]))
    assert not side_by_side.broken and len(side_by_side.calls) == 2


class MeetingVoice(CountingVoice):
    """Each synthesis waits for the other at a barrier: one at a time, it would break."""

    def __init__(self, barrier) -> None:
        super().__init__()
        self.barrier, self.broken = barrier, False

    def synthesize(self, text, language, slow=False):
        try:
            self.barrier.wait()
        except threading.BrokenBarrierError:
            self.broken = True
        return super().synthesize(text, language, slow)


def test_a_failed_synthesis_does_not_block_the_next_caller():
    class Broken(CountingVoice):
        def synthesize(self, text, language, slow=False):
            raise RuntimeError("voice crashed")

    speaker = Speaker(lambda lang: Broken(), AudioCache())
    for _ in range(2):
        with pytest.raises(RuntimeError):
            speaker.sentence_audio("Bonjour.", "fr")
