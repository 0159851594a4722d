import time

import numpy as np

from voice.tts.base import Speech, Synthesizer
from voice.tts.cache import AudioCache, Speaker, cache_key, split_sentences


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


def test_disk_cache_survives_restart_and_hits_are_fast(tmp_path):
    voice = CountingVoice()
    Speaker(lambda lang: voice, AudioCache(tmp_path)).prerender(["Bonjour. Au revoir."], "fr")
    assert len(voice.calls) == 4  # two sentences, normal and slow
    fresh_voice = CountingVoice()
    speaker = Speaker(lambda lang: fresh_voice, AudioCache(tmp_path))
    first = next(speaker.stream("Bonjour. Au revoir.", "fr"))  # read from disk
    assert first and fresh_voice.calls == []
    start = time.perf_counter()
    assert next(speaker.stream("Bonjour. Au revoir.", "fr")) == first
    assert time.perf_counter() - start < 0.005  # the cached-prompt goal


def test_memory_cache_is_bounded():
    cache = AudioCache(memory_items=2)
    for k in "abc":
        cache.put(k, k.encode())
    assert cache.get("a") is None and cache.get("c") == b"c"
