"""The engine's bridge to nlu/: intents, yes/no, language and slot values for one call.

nlu knows nothing of towns and flows; this module hands it the town's street list and the
catalogs' words, and turns its answers into slot values a flow can keep in JSON.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

from babel.dates import format_date

from nlu.hybrid import OUT_OF_SCOPE
from nlu.intents import IntentDecision, IntentMatcher, IntentScore
from translations.catalog import Catalogs

log = logging.getLogger(__name__)

GLOBAL_INTENTS = ("human", "repeat", "slower", "goodbye", "text_copy", "source")
# A global intent interrupts what is being asked only when it is clearly meant.
GLOBAL_THRESHOLD = 88.0
DEFAULT_MEANING = "use-m3"
# Naming an object of the town's sorting guide ("an old washing machine") is evidence the
# caller asks where it goes: this much is added to that intent's score (0..1, tuned on the
# dev callers). A name counts from this match score (0..100): near-exact, as the guide
# has hundreds of names and a loose match would find one in almost any sentence.
SORTING_INTENT = "waste.sorting"
# "Is there a council meeting next Thursday?" asks about that day, not the next meeting.
NEXT_MEETING, MEETING_ON_DATE = "meetings.next", "meetings.on_date"
SORTING_BOOST = 0.25
SORTING_NAME_SCORE = 94.0
# Two names of a kind this close are both meant, and the caller is asked which one.
CLOSE_NAMES = 3.0


@dataclass
class SlotResult:
    """outcome: ok | ambiguous | not_found | number_only; value is JSON-able with a "text"."""

    outcome: str
    value: Any = None
    candidates: list[dict[str, Any]] = field(default_factory=list)


class Understanding:
    """Built once per runtime; every method is safe to call from several calls at once."""

    def __init__(
        self,
        catalogs: Catalogs,
        town: Any = None,
        translator: Any = None,
        *,
        meaning: str | None = DEFAULT_MEANING,
        cache_dir: Path | None = None,
        caller_sentences: Mapping[str, Sequence[str]] | None = None,
    ):
        self.catalogs = catalogs
        self.town = town
        self.translator = translator  # an nlu.translate TranslatorChain, or None
        self.meaning = meaning if meaning and meaning != "none" else None
        self.cache_dir = cache_dir
        # Callers' own labelled sentences, which the intent regression is fitted on too
        # (translations/caller_sentences.py); None: those shipped with the program.
        self._caller_sentences = caller_sentences
        # ... and as nearest examples too (the folds of bench/callers_folds.py: more right
        # answers than teaching the regression alone); the words matcher keeps the catalogs'.
        self.caller_sentences_nearest = True
        self._matchers: dict[str, Any] = {}
        self._lock = threading.Lock()

    @cached_property
    def encoder(self) -> Any:
        """The sentence encoder, or None (words only): not configured, or not installed."""
        if self.meaning is None:
            return None
        from nlu.semantic import SemanticUnavailable, load_encoder

        try:
            return load_encoder(self.meaning)
        except SemanticUnavailable as exc:
            log.warning("understanding by words only: %s", exc)
            return None

    @cached_property
    def space(self) -> Any:
        """One matrix of every index's example texts (nlu.semantic.SemanticSpace): the
        caller's sentence is compared with the matchers' and the emergency meaning's
        examples in one product a turn."""
        if self.encoder is None:
            return None
        from nlu.semantic import SemanticSpace

        return SemanticSpace(self.encoder)

    @property
    def caller_sentences(self) -> Mapping[str, Sequence[str]]:
        if self._caller_sentences is None:
            from translations.caller_sentences import load_caller_sentences

            self._caller_sentences = load_caller_sentences()
        return self._caller_sentences

    def matcher(self, lang: str) -> Any:
        with self._lock:  # two calls in a new language build it once
            if lang not in self._matchers:
                self._matchers[lang] = self._build_matcher(lang)
            return self._matchers[lang]

    def _build_matcher(self, lang: str) -> Any:
        own = self.catalogs[lang].intents
        reference = self.catalogs.by_lang.get("en") or self.catalogs[self.catalogs.main_language]
        curated = sum(1 for intent in reference.intents if own.get(intent))
        if self.translator is not None and reference.language != lang and curated < len(reference.intents) / 2:
            # A language without curated examples: match through machine translation.
            from nlu.crosslingual import CrossLingualMatcher

            log.info("intents in %s are matched through translation from %s", lang, reference.language)
            return CrossLingualMatcher(reference.intents, reference.language, lang, self.translator)
        if self.encoder is not None:
            from nlu.hybrid import HybridMatcher

            others: dict[str, list[str]] = {}
            for other in self.catalogs.languages:
                if other != lang:
                    for intent, phrases in self.catalogs[other].intents.items():
                        others.setdefault(intent, []).extend(phrases)
            return HybridMatcher(own, lang, self.encoder, extra_examples=others, training=self.caller_sentences,
                                 training_nearest=self.caller_sentences_nearest, cache_dir=self.cache_dir,
                                 space=self.space)
        return IntentMatcher({i: e for i, e in own.items() if i != OUT_OF_SCOPE}, lang)

    def decide(self, text: str, lang: str, only: list[str]) -> IntentDecision:
        return self._on_the_day(self._decide(text, lang, only), text, lang, only)

    def _decide(self, text: str, lang: str, only: list[str]) -> IntentDecision:
        matcher = self.matcher(lang)
        named = SORTING_INTENT in only and self.sorting_object(text, lang) is not None
        if hasattr(matcher, "semantic"):
            boost = {SORTING_INTENT: SORTING_BOOST} if named else None
            decision = self._request(lambda said: matcher.decide(said, only=only, boost=boost), text, lang)
            return self._same_service(decision, text, lang) if named else decision
        decision = self._request(lambda said: matcher.decide(said, only=only), text, lang)
        if named and decision.kind != "match":
            return IntentDecision("match", [IntentScore(SORTING_INTENT, 100.0), *decision.ranked])
        return decision

    @staticmethod
    def _on_the_day(decision: IntentDecision, text: str, lang: str, only: list[str]) -> IntentDecision:
        """The next meeting asked with a day or a month named ("un conseil jeudi prochain",
        "c'è il consiglio domani", "a council meeting in january") is a question about that
        day or month, when the caller may ask it here."""
        from nlu.dates import names_a_day, names_a_month

        if MEETING_ON_DATE not in only:
            return decision
        top_two = {s.intent for s in decision.ranked[:2]}
        # Asked back "a given date, or council meetings?" with the date said: no question.
        doubt = decision.kind == "ambiguous" and top_two == {NEXT_MEETING, MEETING_ON_DATE}
        if not doubt and (decision.kind != "match" or decision.intent != NEXT_MEETING):
            return decision
        # A month settles only a doubt: "the council of December" is most often the next one.
        if not names_a_day(text, lang) and not (doubt and names_a_month(text, lang)):
            return decision
        top = decision.ranked[0]
        return IntentDecision("match", [IntentScore(MEETING_ON_DATE, top.score),
                                        *(s for s in decision.ranked if s.intent != MEETING_ON_DATE)])

    def _request(self, decide: Callable[[str], IntentDecision], text: str, lang: str) -> IntentDecision:
        """The request is chosen without the address said in it, which pulls every sentence
        towards the collection days; whether the question is the town's is judged on the whole
        sentence ("a pothole on route de Lyon" stays out of scope)."""
        decision = decide(text)
        if decision.out_of_scope:
            return decision
        asked = self._asked(text, lang)
        if asked == text:
            return decision
        without = decide(asked)
        return without if without.kind == "match" else decision

    def _asked(self, text: str, lang: str) -> str:
        """What the request is judged on: the sentence less a street named plainly in it (the
        address is taken by its own slot, word for word), unless little else is left."""
        from nlu.addresses import without_address

        rest = without_address(self._addresses, text, lang)
        return rest if rest is not None and len(rest.split()) >= 2 else text

    def _same_service(self, decision: IntentDecision, text: str, lang: str) -> IntentDecision:
        """"Where does it go" or the service the named object goes to ("an old sofa": where
        it goes, or bulky items): one answer either way, so no question back."""
        if decision.kind != "ambiguous" or len(decision.ranked) < 2:
            return decision
        pair = {decision.ranked[0].intent, decision.ranked[1].intent}
        guide = getattr(self.town, "sorting", None)
        item = guide.items.get(self.sorting_object(text, lang) or "") if guide is not None else None
        service = f"waste.{item.goes}" if item is not None else None
        if SORTING_INTENT not in pair or service not in pair:
            return decision
        chosen = next(s for s in decision.ranked if s.intent == service)
        return IntentDecision("match", [chosen, *(s for s in decision.ranked if s is not chosen)])

    def sorting_object(self, text: str, lang: str) -> str | None:
        """The sorting guide's object the sentence names, if one is named clearly."""
        from nlu.synonyms import match_synonym

        names = self._synonyms("sorting_item", lang)
        if not names:
            return None
        ranked = match_synonym(text, lang, names)
        return ranked[0][0] if ranked and ranked[0][1] >= SORTING_NAME_SCORE else None

    def global_intent(self, text: str, lang: str) -> str | None:
        from nlu.numbers import lone_number

        if lone_number(text, lang) is not None:
            return None  # a key said as a number: never "goodbye" for a fuzzy "one" ~ "done"
        if not self._in_known_letters(text):
            # Mostly letters no catalog uses ("Привет 你好"): the meaning may still find a
            # greeting near a caller's "ciao", but a call is never ended on that.
            return None
        matcher = self.matcher(lang)
        if hasattr(matcher, "semantic"):
            # Against every intent: "a person" wins only when nothing else fits better, so
            # an address or a service named at a question is never taken for it.
            decision = matcher.decide(text)
            if decision.kind == "match" and decision.intent in GLOBAL_INTENTS:
                return decision.intent
            return None
        ranked = matcher.rank(text, only=GLOBAL_INTENTS, limit=1)
        if ranked and ranked[0].score >= GLOBAL_THRESHOLD:
            return ranked[0].intent
        return None

    @cached_property
    def emergencies(self) -> Any:
        """nlu.emergency.EmergencyDetector over every enabled language's words, and the
        meaning of their examples against every ordinary example of the catalogs."""
        from nlu.emergency import EmergencyDetector, EmergencyWords

        vocabularies = {}
        # A street's name is an address, never an alarm ("rue du Feu", "Fire Lane").
        streets = tuple(name for _, names in (self.town.street_gazetteer() if self.town else []) for name in names)
        for lang in self.catalogs.languages:
            e = self.catalogs[lang].emergency
            vocabularies[lang] = EmergencyWords(lang, e.words, (*e.ignore, *streets), e.examples, e.ordinary,
                                                e.ambiguous, e.calm, e.urgent, e.contrast)
        return EmergencyDetector(vocabularies, encoder=self.encoder, ordinary_examples=self.ordinary_sentences(),
                                 cache_dir=self.cache_dir, space=self.space)

    def ordinary_sentences(self) -> list[str]:
        """What the emergency meaning is told is ordinary: every request's examples in every
        enabled language and callers' own sentences (translations/callers), none of them an
        emergency; a caller's "my mother", "flesh and blood" or "rest in peace" is then
        nearer a caller who asked for a person or the bins than an emergency."""
        ordinary = [p for lang in self.catalogs.languages for phrases in self.catalogs[lang].intents.values()
                    for p in phrases]
        if self.encoder is not None:
            ordinary.extend(p for phrases in self.caller_sentences.values() for p in phrases)
        return ordinary

    def emergency(self, text: str, lang: str | None) -> Any:
        """nlu.emergency.Alarm when the caller speaks of an emergency (``level`` "alarm") or
        maybe does ("notice"), in any enabled language (the call's own first), else None."""
        languages = list(dict.fromkeys([*([lang] if lang else []), *self.catalogs.languages]))
        return self.emergencies.detect(text, languages)

    def yes_no(self, text: str, lang: str) -> bool | None:
        from nlu.yesno import parse_yes_no

        catalog = self.catalogs[lang]
        return parse_yes_no(text, lang, catalog.yes, catalog.no)

    def greeting_only(self, text: str, lang: str) -> bool:
        from nlu.yesno import greeting_only

        return greeting_only(text, lang, self.catalogs[lang].greetings)

    def greeting_languages(self, text: str) -> list[str]:
        """The languages in which ``text`` is a greeting and nothing more ("Bonjour !",
        "hello", "¿Aló?"): a greeting says too little for the language detector, but shows
        its language."""
        return [lang for lang in self.catalogs.languages if self.greeting_only(text, lang)]

    @cached_property
    def _letters(self) -> frozenset[str]:
        return frozenset(ch for words in self.vocabularies.values() for word in words for ch in word)

    def _in_known_letters(self, text: str) -> bool:
        letters = [ch for ch in text.lower() if ch.isalpha()]
        return not letters or 2 * sum(ch in self._letters for ch in letters) >= len(letters)

    @cached_property
    def vocabularies(self) -> dict[str, set[str]]:
        return {lang: self.catalogs[lang].vocabulary() for lang in self.catalogs.languages}

    @cached_property
    def street_words(self) -> frozenset[str]:
        """Street names say nothing of the caller's language ("rue du port" in English)."""
        if self.town is None:
            return frozenset()
        return frozenset(word for _, names in self.town.street_gazetteer() for name in names for word in name.split())

    def language_of(self, text: str) -> str | None:
        from nlu.language import detect_language

        return detect_language(text, self.vocabularies, ignore=self.street_words)

    # ---- slots ----

    @cached_property
    def _addresses(self) -> Any:
        from nlu.addresses import AddressResolver

        if self.town is None:
            return AddressResolver([])
        return AddressResolver(self.town.street_gazetteer(), self.town.street_translations())

    def slot(self, slot_type: str, text: str, lang: str, now: datetime, slots: dict[str, Any]) -> SlotResult:
        method = getattr(self, f"_slot_{slot_type}")
        return method(text, lang, now, slots)

    def plainly_an_address(self, text: str, lang: str) -> bool:
        from nlu.addresses import plainly_an_address

        return plainly_an_address(self._addresses, text, lang)

    def _slot_address(self, text: str, lang: str, now: datetime, slots: dict[str, Any]) -> SlotResult:
        known = (slots.get("address") or {}).get("street_id")
        result = self._addresses.resolve(text, lang, known_street_id=known)
        if result.outcome == "ok" and result.street:
            return SlotResult("ok", _address(result.street.street_id, result.street.name, result.number))
        if result.outcome == "number_only" and known and result.number is not None:
            return SlotResult("ok", _address(known, slots["address"]["street"], result.number))
        if result.outcome == "ambiguous" and result.candidates:
            return SlotResult(
                "ambiguous",
                candidates=[_address(c.street_id, c.name, result.number) for c in result.candidates],
            )
        return SlotResult("not_found")

    def _slot_date(self, text: str, lang: str, now: datetime, slots: dict[str, Any]) -> SlotResult:
        from nlu.dates import parse_date, parse_month

        day = parse_date(text, lang, now)
        if day is not None:
            return SlotResult("ok", date_value(day, lang))
        month = parse_month(text, lang, now)  # "en janvier": the month's days, for a question on dates
        if month is None:
            return SlotResult("not_found")
        return SlotResult("ok", month_value(*month, lang))

    def _slot_number(self, text: str, lang: str, now: datetime, slots: dict[str, Any]) -> SlotResult:
        from nlu.numbers import parse_number

        number = parse_number(text, lang)
        if number is None:
            return SlotResult("not_found")
        return SlotResult("ok", {"number": number, "text": str(number)})

    def _slot_phone(self, text: str, lang: str, now: datetime, slots: dict[str, Any]) -> SlotResult:
        from nlu.numbers import parse_digits

        digits = parse_digits(text, lang)
        if not digits or len(digits) < 8:
            return SlotResult("not_found")
        return SlotResult("ok", phone_value(digits))

    def _synonyms(self, kind: str, lang: str) -> dict[str, tuple[str, ...]]:
        synonyms = dict(self.catalogs[lang].entities.get(kind, {}))
        from_town = getattr(self.town, f"{kind}_synonyms", None)
        if callable(from_town):
            for key, phrases in from_town(lang).items():
                synonyms[key] = tuple(synonyms.get(key, ())) + tuple(phrases)
        return synonyms

    def _slot_by_synonym(self, kind: str, text: str, lang: str) -> SlotResult:
        return self._by_ranked(kind, self._ranked(kind, text, lang), lang)

    def _ranked(self, kind: str, text: str, lang: str) -> list[tuple[str, float]]:
        from nlu.synonyms import match_synonym

        return match_synonym(text, lang, self._synonyms(kind, lang))

    def _by_ranked(self, kind: str, ranked: list[tuple[str, float]], lang: str) -> SlotResult:
        if not ranked:
            return SlotResult("not_found")
        if len(ranked) > 1 and ranked[0][1] - ranked[1][1] < CLOSE_NAMES:
            return SlotResult(
                "ambiguous", candidates=[{"key": k, "text": self._label(kind, k, lang)} for k, _ in ranked[:3]]
            )
        key = ranked[0][0]
        return SlotResult("ok", {"key": key, "text": self._label(kind, key, lang)})

    def keypad_choices(self, slot_type: str, lang: str) -> list[tuple[str, dict[str, Any]]]:
        """Keys 1-8 for a kind slot, so that a caller who cannot be understood can pick
        by keypad (more than eight kinds: the first eight, the rest by voice)."""
        if slot_type not in ("waste_kind", "permit_kind"):
            return []
        kinds = list(self._synonyms(slot_type, lang))[:8]
        return [(str(i), {"key": k, "text": self._label(slot_type, k, lang)}) for i, k in enumerate(kinds, 1)]

    def _label(self, kind: str, key: str, lang: str) -> str:
        synonyms = self._synonyms(kind, lang).get(key)
        return synonyms[0] if synonyms else key

    def _slot_waste_kind(self, text: str, lang: str, now: datetime, slots: dict[str, Any]) -> SlotResult:
        return self._slot_by_synonym("waste_kind", text, lang)

    def _slot_sorting_item(self, text: str, lang: str, now: datetime, slots: dict[str, Any]) -> SlotResult:
        ranked = self._ranked("sorting_item", text, lang)
        found = self._by_ranked("sorting_item", ranked, lang)
        if found.outcome != "ambiguous":
            return found
        # Two objects named that go to the same place ("old clothes and shoes", "a fridge
        # freezer", "the pizza box, the cardboard"): one answer either way, so no question back.
        guide = getattr(self.town, "sorting", None)
        close = [key for key, score in ranked if ranked[0][1] - score < CLOSE_NAMES]
        items = [guide.items.get(key) for key in close] if guide is not None else []
        if items and all(item is not None for item in items) and len({item.goes for item in items}) == 1:
            return SlotResult("ok", {"key": close[0], "text": self._label("sorting_item", close[0], lang)})
        return found

    def _slot_permit_kind(self, text: str, lang: str, now: datetime, slots: dict[str, Any]) -> SlotResult:
        found = self._slot_by_synonym("permit_kind", text, lang)
        permits = getattr(self.town, "permits", None)
        if found.outcome != "ambiguous" or permits is None:
            return found
        # "Do I need a building permit for a conservatory?" names a permit and the works: asked
        # which permit fits, the works decide it; asked its documents or fee, the permit is the
        # subject. One candidate of the kind the question needs settles it.
        wanted = permits.permits if slots.get("permit_question") else permits.works
        fitting = [c for c in found.candidates if c["key"] in wanted]
        if len(fitting) == 1:
            return SlotResult("ok", fitting[0])
        # "How much is a licencia de obra": a major or a minor one, both free. Asked the fee
        # of permits that cost the same, the caller gets it without a question back.
        question = slots.get("permit_question")
        if (question.get("text") if isinstance(question, dict) else question) == "fee" and fitting:
            fees = {_price(permits.permits[c["key"]].fee) for c in fitting}
            if len(fees) == 1 and None not in fees:
                return SlotResult("ok", fitting[0])
        return found

    def _slot_text(self, text: str, lang: str, now: datetime, slots: dict[str, Any]) -> SlotResult:
        text = " ".join(text.split())
        return SlotResult("ok", {"text": text}) if text else SlotResult("not_found")


def _price(fee: Any) -> tuple[Any, str, str] | None:
    return (fee.amount, fee.currency, fee.unit) if fee is not None else None


def _address(street_id: str, street: str, number: int | None) -> dict[str, Any]:
    text = f"{number} {street}" if number is not None else street
    return {"street_id": street_id, "street": street, "number": number, "text": text}


def date_value(day: date, lang: str) -> dict[str, Any]:
    return {"date": day.isoformat(), "text": format_date(day, "EEEE d MMMM", locale=lang)}


def month_value(first: date, last: date, lang: str) -> dict[str, Any]:
    """A month named: from its first day (today, in the current month) to its last."""
    from babel.dates import format_skeleton

    return {"date": first.isoformat(), "until": last.isoformat(), "month": True,
            "text": format_skeleton("yMMMM", first, locale=lang)}


def phone_value(digits: str) -> dict[str, Any]:
    # Read back in pairs, the way French numbers are said and easy to check for anyone.
    pairs = " ".join(digits[i : i + 2] for i in range(0, len(digits), 2))
    return {"digits": digits, "text": pairs}
