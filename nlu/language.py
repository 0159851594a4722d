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


def detect_language(text: str, vocabularies: Mapping[str, Collection[str]]) -> str | None:
    """The language whose catalog vocabulary covers the text best, or None when unsure."""
    tokens = fold(text).split() if isinstance(text, str) else []
    tokens = [t for t in tokens if not t.isdigit()]
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
