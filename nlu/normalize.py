"""Normalisation of caller text before matching.

Everything the matchers compare goes through `normalize`, examples and utterances
alike, so both sides agree on case, accents, punctuation, filler words and numbers.
"""

from __future__ import annotations

import re
from functools import lru_cache

from text_to_num import alpha2digit

from nlu.text import clip, fold, wordset

# Hesitations and discourse fillers an ASR transcribes but that carry no meaning.
# Kept short on purpose: a word that can carry meaning ("bien", "bueno") stays.
FILLERS: dict[str, frozenset[str]] = {
    "en": wordset("um umm uh uhh uhm er erm hmm hm mm mmm ah eh"),
    "fr": wordset("euh euuh heu bah ben beh hein hum hmm hm mm mmm ah eh"),
    "es": wordset("eh ehm em emm mmm mm hmm hm ah pues"),
    "it": wordset("ehm eh ehmm mmm mm hmm hm ah boh cioe"),
}
_SUPPORTED_NUMBERS = {"en", "fr", "es", "de", "it", "pt", "nl"}
_SPACES = re.compile(r"\s+")


def _numbers_to_digits(text: str, lang: str, threshold: int) -> str:
    base = lang.split("-")[0].lower()
    if base not in _SUPPORTED_NUMBERS:
        return text
    try:
        return alpha2digit(text, base, threshold=threshold)
    except Exception:  # text2num raises on odd inputs; numbers are a bonus, not a must
        return text


@lru_cache(maxsize=4096)
def normalize(text: str, lang: str, *, number_threshold: int = 3) -> str:
    """Lower case, no accents, no punctuation, no fillers, numbers as digits.

    `number_threshold` is text2num's: numbers below it stay words when isolated
    ("un agent", "one bin"); addresses and digit strings pass 0.
    """
    text = clip(text)
    # Numbers first: text2num needs the accents ("veintidós") and hyphens ("vingt-deux").
    lowered = _SPACES.sub(" ", text.lower().replace("’", "'"))
    lowered = re.sub(r"[!?.,;:«»\"()]", " ", lowered)
    with_digits = _numbers_to_digits(lowered, lang, number_threshold)
    folded = fold(with_digits)
    fillers = FILLERS.get(lang.split("-")[0].lower(), frozenset())
    return " ".join(w for w in folded.split() if w not in fillers)
