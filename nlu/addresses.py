"""Street addresses against a town's street list (passed in: nlu knows no town).

A street name is matched by its distinctive words ("victor hugo", "tilleuls"), each
word fuzzily (recogniser errors), as initials ("v hugo") or joined ("victorhugo");
the kind of street ("rue", "street", "calle") only breaks ties, because callers
translate it or leave it out. The house number is a number the street name does not
use ("12 rue du 8 mai 1945" -> 12), said as digits or words ("douze", "twelve").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from nlu.normalize import normalize
from nlu.text import wordset

# Same street kind in several languages; the first word is the canonical key.
# Abbreviations as town lists write them ("R.", "Av.", "Rte") fold to the short forms.
STREET_KINDS = [
    "rue street st calle via c r",
    "avenue av ave avenida viale",
    "boulevard bd blvd boul bulevar",
    "chemin way path camino ch",
    "place square plaza piazza pl",
    "allee alley alameda all",
    "impasse cul-de-sac close callejon vicolo imp",
    "route road rd carretera strada rte",
    "quai quay wharf muelle banchina molo q",
    "cours promenade paseo corso lungomare",
    "passage pasaje passaggio",
    "square jardin",
]
_KIND_OF = {w: line.split()[0] for line in STREET_KINDS for w in line.split()}
# Kinds of street as callers say them, whole words only (never "c", "st", "all": they are
# words of ordinary sentences too): a sentence with one of them names a street.
SPOKEN_STREET_KINDS = frozenset(
    ["rue", "avenue", "boulevard", "chemin", "impasse", "allee", "place", "quai", "route", "promenade", "street", "road", "calle", "avenida", "camino", "plaza", "paseo", "via", "viale", "piazza", "vicolo", "strada", "corso", "lungomare"]
)
# A street matched this well by its name alone ("victor hugo") is said plainly.
PLAIN_NAME_SCORE = 90.0
# Words in street names and around addresses that do not tell streets apart.
_GENERIC = set(_KIND_OF) | wordset("""de du des d la le les l the of del el los las y et and a au aux en on in at
    della dello dei degli delle di il lo gli al alla
    numero number num no n nro nr""")
_NUMBER_MARKERS = {"numero", "number", "num", "no", "n", "nro", "nr"}
WORD_CUTOFF = 75.0
THRESHOLD = 75.0  # below: not found
MARGIN = 8.0  # candidates this close to the best one make the answer ambiguous
MAX_CANDIDATES = 4
MAX_HOUSE_NUMBER = 9999


@dataclass(frozen=True)
class StreetMatch:
    street_id: str
    name: str  # the official name (first name given for the street)
    score: float  # 0..100
    translated: bool = False  # found by the name as a caller of another language translates it


@dataclass(frozen=True)
class AddressResult:
    outcome: str  # "ok" | "ambiguous" | "not_found" | "number_only"
    street: StreetMatch | None
    number: int | None
    candidates: list[StreetMatch] = field(default_factory=list)  # ranked, when ambiguous


@dataclass(frozen=True)
class _Name:
    street_id: str
    official: str
    core: tuple[str, ...]  # distinctive words
    kind: str | None
    written: tuple[str, ...] = ()  # every word of this name, folded
    translated: bool = False


# Number words that are also articles ("une collecte", "una nevera", "one of"):
# a house number only right after a number marker or right before a street kind.
_ARTICLE_NUMBERS = wordset("un une uno una one")
_SMALL_NUMBERS = {
    "zero": "0", "cero": "0", "un": "1", "une": "1", "uno": "1", "una": "1", "one": "1",
    "deux": "2", "dos": "2", "two": "2",
}  # fmt: skip


def _tokens(text: str, lang: str) -> list[str]:
    """Normalised words with numbers as digits. text2num leaves the smallest numbers
    as words (its threshold); they are decided here, from the address context."""
    if not isinstance(text, str):
        return []
    tokens = normalize(text, lang).split()
    out = []
    for i, t in enumerate(tokens):
        if t in _SMALL_NUMBERS:
            before = tokens[i - 1] if i else ""
            after = tokens[i + 1] if i + 1 < len(tokens) else ""
            if t not in _ARTICLE_NUMBERS or before in _NUMBER_MARKERS or after in _KIND_OF:
                t = _SMALL_NUMBERS[t]
        # "12bis", "12b": the number without its suffix.
        out.append(re.sub(r"^(\d+)(?:bis|ter|b)$", r"\1", t))
    return out


def _core(tokens: list[str]) -> list[str]:
    return [t for t in tokens if t not in _GENERIC]


class AddressResolver:
    """`translated`: the names as callers of other languages translate them ("Church Street"
    for Rue de l'Église), matched like the others but never enough alone to make a sentence
    name a street: their words ("church", "market", "school") are ordinary words too."""

    def __init__(self, gazetteer: Sequence[tuple[str, Sequence[str]]],
                 translated: Sequence[tuple[str, Sequence[str]]] = ()) -> None:
        self._names: list[_Name] = []
        self._official: dict[str, str] = {}
        for street_id, names in gazetteer:
            if not names:
                continue
            self._official[street_id] = str(names[0])
            for name in names:
                self._add(street_id, str(name), translated=False)
        for street_id, names in translated:
            for name in names:
                if street_id in self._official:
                    self._add(street_id, str(name), translated=True)
        self._vocab = sorted({t for n in self._names for t in n.core if not t.isdigit()})
        # Only the town's own spellings are read cut short or joined: a translated name's
        # short words ("mill", "mare") would start or end too many ordinary words ("mi calle",
        # "ma rue").
        self._own_vocab = sorted({t for n in self._names if not n.translated for t in n.core if not t.isdigit()})

    def _add(self, street_id: str, name: str, *, translated: bool) -> None:
        # Street names are proper nouns: folded with French number words, so "Rue du Huit
        # Mai" and "Rue du 8 Mai" agree.
        tokens = normalize(name, "fr", number_threshold=0).split()
        core = _core(tokens) or tokens
        kind = next((_KIND_OF[t] for t in tokens if t in _KIND_OF), None)
        if core:
            self._names.append(_Name(street_id, self._official[street_id], tuple(core), kind, tuple(tokens),
                                     translated))

    # -- word matching -------------------------------------------------------------
    def _word_matches(self, tokens: list[str]) -> dict[str, tuple[float, tuple[int, ...]]]:
        """Best (score 0..1, utterance positions) for every street word."""
        best: dict[str, tuple[float, tuple[int, ...]]] = {}

        def offer(word: str, score: float, where: tuple[int, ...]) -> None:
            if score > best.get(word, (0.0, ()))[0]:
                best[word] = (score, where)

        cands: list[tuple[str, tuple[int, ...]]] = [(t, (i,)) for i, t in enumerate(tokens)]
        cands += [(tokens[i] + tokens[i + 1], (i, i + 1)) for i in range(len(tokens) - 1)]
        for cand, where in cands:
            if cand.isdigit():
                offer(cand, 1.0, where)  # numbers inside a street name match exactly
                continue
            if len(cand) == 1:
                continue  # initials are handled below
            # Two words joined ("victorhugo") are read against the town's own spellings only.
            vocab = self._vocab if len(where) == 1 else self._own_vocab
            for word, score, _ in process.extract(
                cand, vocab, scorer=fuzz.ratio, score_cutoff=WORD_CUTOFF, limit=None
            ):
                offer(word, score / 100.0, where)
        # A word cut short by the line or the caller ("rue du po"): every street word
        # it begins counts, so close streets come out as ambiguous, not as not found.
        for i, t in enumerate(tokens):
            if len(t) >= 2 and not t.isdigit():
                for word in self._own_vocab:
                    if len(word) > len(t) and len(word) - len(t) <= 2 and word.startswith(t):
                        offer(word, 0.8, (i,))
        return best

    @staticmethod
    def _initial(name: _Name, tokens: list[str], matches: dict) -> float:
        """ "v hugo", "j jaures": a first name said as its initial, right before the
        matched family name. Returns the weight to add for the first name."""
        if len(name.core) < 2 or name.core[0] in matches:
            return 0.0
        first, second = name.core[0], name.core[1]
        after = matches.get(second, (0.0, ()))[1]
        for i, t in enumerate(tokens):
            if len(t) == 1 and t == first[0] and i + 1 in after:
                return 0.9 * len(first)
        return 0.0

    def _rank(self, tokens: list[str]) -> tuple[list[tuple[float, int, _Name]], dict]:
        matches = self._word_matches(tokens)
        said_kinds = {_KIND_OF[t] for t in tokens if t in _KIND_OF}
        per_street: dict[str, tuple[float, int, _Name]] = {}
        for name in self._names:
            total = sum(len(t) for t in name.core)
            got = sum(len(t) * matches.get(t, (0.0, ()))[0] for t in name.core)
            got += self._initial(name, tokens, matches)
            if not got:
                continue
            score = 100.0 * got / total
            # The kind only nudges: "avenue victor hugo" prefers an avenue.
            if name.kind and said_kinds:
                score += 2.0 if name.kind in said_kinds else -6.0
            score = max(0.0, min(100.0, score))
            matched_chars = sum(len(t) for t in name.core if t in matches)
            prev = per_street.get(name.street_id)
            if prev is None or (score, matched_chars) > (prev[0], prev[1]):
                per_street[name.street_id] = (score, matched_chars, name)
        ranked = sorted(per_street.values(), key=lambda s: (-s[0], -s[1], s[2].street_id))
        return ranked, matches

    # -- numbers -------------------------------------------------------------------
    @staticmethod
    def _house_number(tokens: list[str], used: set[int]) -> int | None:
        numbers = [
            (i, int(t))
            for i, t in enumerate(tokens)
            if t.isdigit() and i not in used and 0 < int(t) <= MAX_HOUSE_NUMBER
        ]
        if not numbers:
            return None
        # "numero 12", "number twelve" say which number is the house number.
        for i, value in numbers:
            if i > 0 and tokens[i - 1] in _NUMBER_MARKERS:
                return value
        return numbers[0][1]

    def resolve(self, text: str, lang: str, *, known_street_id: str | None = None) -> AddressResult:
        tokens = _tokens(text, lang)
        if not tokens:
            return AddressResult("not_found", None, None, [])
        ranked, matches = self._rank(tokens)
        good = [r for r in ranked if r[0] >= THRESHOLD]
        if not good:
            number = self._house_number(tokens, set())
            if number is None:
                return AddressResult("not_found", None, None, self._as_matches(ranked[:1]))
            known = None
            if known_street_id in self._official:
                known = StreetMatch(known_street_id, self._official[known_street_id], 100.0)
            return AddressResult("number_only", known, number, [])
        top = good[0]
        used = {i for t in top[2].core for i in matches.get(t, (0.0, ()))[1]}
        number = self._house_number(tokens, used)
        close = [r for r in good[1:] if r[0] >= top[0] - MARGIN]
        # A longer name that contains the other one and was said in full is not
        # ambiguous: "allee des tilleuls prolongee" beats "allee des tilleuls".
        close = [r for r in close if not (set(r[2].core) < set(top[2].core) and r[1] < top[1])]
        # The same name of two kinds ("Place du Marché", "Rue du Marché"): the kind said tells them apart.
        said_kinds = {_KIND_OF[t] for t in tokens if t in _KIND_OF}
        if top[2].kind in said_kinds:
            close = [r for r in close if not (r[2].core == top[2].core and r[2].kind not in said_kinds)]
        if close:
            cands = self._as_matches([top, *close][:MAX_CANDIDATES])
            return AddressResult("ambiguous", None, number, cands)
        return AddressResult("ok", self._as_matches([top])[0], number, [])

    @staticmethod
    def _as_matches(items: list[tuple[float, int, _Name]]) -> list[StreetMatch]:
        return [StreetMatch(n.street_id, n.official, round(s, 1), n.translated) for s, _, n in items]


def _kind_or_number(tokens: list[str]) -> bool:
    """A kind of street as callers say it, or a number: what makes a sentence say an address."""
    return bool(SPOKEN_STREET_KINDS & set(tokens)) or any(t.isdigit() for t in tokens)


def plainly_an_address(resolver: AddressResolver, text: str, lang: str) -> bool:
    """Whether a sentence said for something else also says an address plainly: a kind of
    street, a house number, or a street's name matched closely. "A question about the bins"
    is no "Avenue des Pins" (a lenient match that only a question for an address may take)."""
    tokens = _tokens(text, lang)
    if _kind_or_number(tokens):
        return True
    result = resolver.resolve(text, lang)
    return result.street is not None and result.street.score >= PLAIN_NAME_SCORE and not result.street.translated


def without_address(resolver: AddressResolver, text: str, lang: str) -> str | None:
    """The sentence less the address it names plainly (the street's name as the town writes it,
    the house number before it), as normalised words; None when it names none. What a caller
    asks is in the other words: "when is garden waste collected at 13 rue Victor Hugo" asks
    about garden waste, and the street's words only pull its meaning towards the collection
    days."""
    tokens = _tokens(text, lang)
    if not tokens:
        return None
    ranked, matches = resolver._rank(tokens)
    if not ranked or ranked[0][0] < PLAIN_NAME_SCORE:
        return None
    name = ranked[0][2]
    if name.translated and not _kind_or_number(tokens):
        return None  # "the market" alone is no street: it stays in what is asked
    used = sorted({i for t in name.core for i in matches.get(t, (0.0, ()))[1]})
    if not used or used[-1] - used[0] >= 2 * len(used) + 2:
        return None  # the street's words scattered across the sentence: no one place to cut
    written = set(name.written) | set(normalize(name.official, "fr", number_threshold=0).split())
    first, last = used[0], used[-1]
    while first > 0 and tokens[first - 1] in written:
        first -= 1
    # "de la" before "rue de la République" belongs to the sentence ("les poubelles de la").
    while first < used[0] and tokens[first] in _GENERIC and tokens[first] not in _KIND_OF:
        first += 1
    if first > 0 and tokens[first - 1].isdigit():
        first -= 1
    if first > 0 and tokens[first - 1] in _NUMBER_MARKERS:
        first -= 1
    # A translated name may say its kind after ("church street", "market square").
    while last + 1 < len(tokens) and tokens[last + 1] in written and tokens[last + 1] in _KIND_OF:
        last += 1
    return " ".join(tokens[:first] + tokens[last + 1:])
