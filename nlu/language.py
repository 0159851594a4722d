"""Which language the caller speaks, from the words they used."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from functools import lru_cache

from nlu.text import fold

# Unsure unless this many words are known and the best language leads clearly:
# one word ("no", "ok", "taxi") exists in several languages.
MIN_KNOWN_WORDS = 2
MIN_SHARE = 0.5
MIN_LEAD = 0.2


@lru_cache(maxsize=64)
def _folded(vocab: frozenset[str]) -> frozenset[str]:
    # Catalog words carry accents and phrases; callers' text is folded word by word.
    return frozenset(w for v in vocab for w in fold(v).split())


def detect_language(
    text: str,
    vocabularies: Mapping[str, Collection[str]],
    *,
    ignore: Collection[str] = (),
) -> str | None:
    """The language whose catalog vocabulary covers the text best, or None when unsure.

    `ignore`: words that say nothing about the language, such as the town's street
    names ("rue du port" said by an English speaker is not French).
    """
    tokens = fold(text).split() if isinstance(text, str) else []
    skip = _folded(frozenset(str(w) for w in ignore)) if ignore else frozenset()
    tokens = [t for t in tokens if not t.isdigit() and t not in skip]
    if not tokens:
        return None
    shares: dict[str, float] = {}
    for lang, vocab in vocabularies.items():
        folded = _folded(frozenset(str(v) for v in vocab))
        known = sum(1 for t in tokens if t in folded)
        if known >= min(MIN_KNOWN_WORDS, len(tokens)):
            shares[lang] = known / len(tokens)
    if not shares:
        return None
    ranked = sorted(shares.items(), key=lambda kv: -kv[1])
    best, share = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
    if share < MIN_SHARE or share - runner_up < MIN_LEAD or len(tokens) < MIN_KNOWN_WORDS:
        return None
    return best
