"""Sentences of the town's own wording keep their audio once joined; every other sentence is
joined again each time, and a new rendering of the vocabulary drops what was kept."""

from __future__ import annotations

import json
import os

from test_vocabulary import Engines, assembler_for

from voice.vocab.assemble import Said
from voice.vocab.joined import Joined, JoinedSentences
from voice.vocab.manifest import Manifest

FIXED = "Pour les collectes, appuyez sur 1."


def test_a_fixed_sentence_is_joined_once_and_said_the_same_counted_the_same(tmp_path):
    engines = Engines()
    assembler, live = assembler_for(tmp_path, ["Pour les collectes, ", "appuyez sur"], engines)
    assembler.fixed = lambda sentence: sentence == FIXED
    heard: list[str] = []
    assembler.observer = lambda data, text: heard.append(text)
    said = [Said(), Said()]
    first = list(assembler.stream(FIXED + " Vous avez dit 12.", "fr", said=said[0]))
    assert live == ["un", "Vous avez dit douze"]
    second = list(assembler.stream(FIXED + " Vous avez dit 12.", "fr", said=said[1]))
    assert second == first  # byte for byte
    assert live == ["un", "Vous avez dit douze", "Vous avez dit douze"]  # only the other sentence again
    assert vars(said[0]) == vars(said[1]) == {"known": 2, "live": 2, "live_words": 5}
    assert assembler.counts["live:fr"] == 4 and assembler.counts["known:fr"] == 4
    assert heard[: len(heard) // 2] == heard[len(heard) // 2:]  # the observer hears the same chunks


def test_without_fixed_every_sentence_is_joined_again(tmp_path):
    engines = Engines()
    assembler, live = assembler_for(tmp_path, ["Pour les collectes, ", "appuyez sur"], engines)
    list(assembler.stream(FIXED, "fr"))
    list(assembler.stream(FIXED, "fr"))
    assert live == ["un", "un"] and len(assembler.joined) == 0


def test_slow_speech_is_kept_apart(tmp_path):
    engines = Engines()
    assembler, _ = assembler_for(tmp_path, ["Pour les collectes, ", "appuyez sur", "un"], engines)
    assembler.fixed = lambda sentence: True
    normal = b"".join(assembler.stream(FIXED, "fr"))
    slow = b"".join(assembler.stream(FIXED, "fr", slow=True))
    assert len(slow) > len(normal) and b"".join(assembler.stream(FIXED, "fr")) == normal


def test_a_new_rendering_of_the_vocabulary_drops_the_sentences_joined_from_the_old(tmp_path):
    engines = Engines()
    assembler, live = assembler_for(tmp_path, ["Pour les collectes, ", "appuyez sur", "un"], engines)
    assembler.fixed = lambda sentence: True
    list(assembler.stream(FIXED, "fr"))
    assert live == []
    path = Manifest.path(tmp_path, "fr")
    data = json.loads(path.read_text())
    data["pieces"] = {}
    path.write_text(json.dumps(data))
    os.utime(path, (1, 1))
    list(assembler.stream(FIXED, "fr"))
    assert live == ["Pour les collectes", "appuyez sur un"]  # joined again: every piece now live


def test_kept_sentences_are_bounded_in_bytes_oldest_dropped_first():
    kept = JoinedSentences(max_bytes=100)
    for n in range(4):
        kept.put("fr", False, f"s{n}", None, Joined((b"x" * 40,), ()))
    assert len(kept) == 2 and kept.get("fr", False, "s0", None) is None and kept.get("fr", False, "s3", None)
    kept.put("fr", False, "huge", None, Joined((b"x" * 101,), ()))
    assert kept.get("fr", False, "huge", None) is None


def test_from_kept_gives_a_kept_sentence_only(tmp_path):
    engines = Engines()
    assembler, live = assembler_for(tmp_path, ["Pour les collectes, ", "appuyez sur", "un"], engines)
    assembler.fixed = lambda sentence: sentence == FIXED
    assert assembler.from_kept(FIXED, "fr") is None  # not joined yet: nothing made here
    joined = b"".join(assembler.stream(FIXED, "fr"))
    assert assembler.from_kept(FIXED, "fr") == joined
    assert assembler.from_kept("Vous avez dit 12.", "fr") is None and live == []
