"""Which pieces of the answers callers get are outside a town's vocabulary, and why: counted
from the text alone, cut exactly as the phone line cuts it, with no voice and no audio.

The answers are those of scripted calls (``scenarios/``), each made on its own day to its
own town; the vocabulary is what ``civicline prompts render`` would render for that town on
that day. A piece the vocabulary lacks is made live at call time; each is put down to one
cause, the first that explains it (``CAUSES``, in order).
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from staff_files.problems import FlowError
from voice.tts.speech_text import format_for_speech
from voice.vocab.assemble import sentence_pieces, spoken_sentences
from voice.vocab.pieces import Index, Piece, cut, is_punct, norm, tokens
from voice.vocab.render import vocabulary_pieces

CAUSES = {
    "caller": "the caller's own words said back (an address not found, items described): live by design",
    "sentence cut": "a sentence cut where no catalog fragment ends (a long one at a comma, or at a colon, "
                    "semicolon or an abbreviation's full stop)",
    "punctuation": "the words are a piece, with other punctuation around them",
    "date": "a date, weekday, month or year the vocabulary lacks",
    "time": "a time of day the vocabulary lacks",
    "letters": "letters of a reference said one by one",
    "number": "a number or digits the vocabulary lacks",
    "catalog": "catalog words not cut as the vocabulary cuts them (a slot inside a phrase)",
    "data": "text from the town's data said as written",
    "other": "anything else",
}


@dataclass(frozen=True)
class Answer:
    """One thing the assistant said in a scripted call."""

    text: str
    lang: str
    town: str
    """The town's folder."""
    day: date
    """The call's day (the vocabulary is the one rendered that day)."""
    caller: tuple[str, ...] = ()
    """What the caller said in that call, up to this answer."""


@dataclass
class LivePiece:
    text: str
    cause: str
    answer: Answer


@dataclass
class Count:
    """Pieces of one language's answers: how many, and the live ones with their causes."""

    answers: int = 0
    pieces: int = 0
    live: list[LivePiece] = field(default_factory=list)
    vocabulary: int = 0
    """Pieces in the vocabulary (the largest of the days counted): what a render makes."""

    @property
    def causes(self) -> Counter[str]:
        return Counter(p.cause for p in self.live)


def town_runtime(config: Any, town: Path, langs: Iterable[str] = ()) -> Any:
    """The town's runtime; with ``langs`` it does not offer added to its languages, as if it
    offered them (its menus' wording, written for its own languages, is then not checked)."""
    from civicline.wiring import check_runtime, load_runtime, load_town

    config = dataclasses.replace(config, town_path=Path(town))
    offered = list(config.languages or getattr(load_town(config.town_path), "languages", None) or [])
    missing = [lg for lg in langs if lg not in offered]
    if not missing:
        return load_runtime(config)
    checked = check_runtime(dataclasses.replace(config, languages=[*offered, *missing]))
    if checked.runtime is None:
        raise FlowError(checked.problems)
    return checked.runtime


def scenario_answers(config: Any, files: Iterable[Path], languages: Iterable[str] = (),
                     streets: Sequence[int] = (), swept: int = 2) -> list[Answer]:
    """Every answer of these scenario calls, each with its town, day and the caller's words.
    ``languages``: each scenario is also called in these languages, its town offering them if
    it does not (a call whose words then go unheard gives other answers: those a caller would
    get). ``streets``: a scenario whose caller gives an address ("12 rue du Port") is also
    called with every street of its town, at each of these house numbers (the first ``swept``
    such scenarios of each town)."""
    from civicline.scenarios import load_scenario

    languages = list(languages)
    runner = _Runner(config, languages)
    out: list[Answer] = []
    sweeps: Counter[Path] = Counter()
    for path in files:
        scenario = load_scenario(path)
        engine, town = runner.engine(scenario)
        out += runner.answers(engine, town, scenario)
        address = next((i for i, t in enumerate(scenario.turns) if t.say and _ADDRESS.match(t.say)), None)
        if address is None or not streets or sweeps[town] >= swept:
            continue
        sweeps[town] += 1
        for _, names in engine.runtime.town.street_gazetteer():
            for number in streets:
                turns = list(scenario.turns)
                said = names[1] if len(names) > 1 else names[0]  # the name, without its locality
                turns[address] = turns[address].model_copy(update={"say": f"{number} {said}"})
                out += runner.answers(engine, town, scenario.model_copy(update={"turns": turns}))
    return list(dict.fromkeys(out))


_ADDRESS = re.compile(r"^\d+\s+\w")


class _Runner:
    """Scenario calls, each town's engine loaded once."""

    def __init__(self, config: Any, languages: list[str]) -> None:
        self.config, self.languages = config, languages
        self.engines: dict[Path, Any] = {}
        source = Path(config.source)
        self.base = source.resolve().parent if source.is_file() else Path.cwd()

    def engine(self, scenario: Any) -> tuple[Any, Path]:
        from flows.dialog import Engine

        town = (self.base / scenario.town).resolve() if scenario.town else Path(self.config.town_path)
        if town not in self.engines:
            self.engines[town] = Engine(town_runtime(self.config, town, self.languages))
        return self.engines[town], town

    def answers(self, engine: Any, town: Path, scenario: Any) -> list[Answer]:
        from zoneinfo import ZoneInfo

        from civicline.calls import Call
        from flows.session import CallerHungUp, NoInput, Pressed, Said, Say

        now = scenario.now if scenario.now.tzinfo else scenario.now.replace(
            tzinfo=getattr(engine.runtime.town, "timezone", None) or ZoneInfo("UTC"))
        out: list[Answer] = []
        for language in dict.fromkeys([scenario.language, *self.languages]):
            call = Call(engine, _clock(now), caller=scenario.caller, language=language)
            caller: list[str] = []
            steps: list[tuple[Any, tuple[str, ...]]] = [(call.start(), ())]
            for turn in scenario.turns:
                if call.ended:
                    break
                event: Any = (Said(turn.say) if turn.say is not None else Pressed(turn.press) if turn.press is not None
                              else NoInput() if turn.silence else CallerHungUp())
                if turn.say is not None:
                    caller.append(turn.say)
                steps.append((call.send(event), tuple(caller)))
            out += [Answer(a.text, a.lang, str(town), now.date(), heard) for step, heard in steps
                    for a in step.actions if isinstance(a, Say)]
        return out


def _clock(now: datetime) -> Callable[[], datetime]:
    return lambda: now


def _words_key(text: str) -> str:
    return " ".join(norm(t) for t in tokens(text) if not is_punct(t))


class Explainer:
    """Puts a live piece down to a cause, from what the language's catalog, the town's data
    and the formatters hold."""

    def __init__(self, lang: str, vocab: dict[str, str], catalog_texts: Iterable[str], data_texts: Iterable[str]) -> None:
        from babel.dates import get_day_names, get_month_names

        self.lang = lang
        self.bare = Index(_words_key(text) for text in vocab.values())
        self.catalog = [f" {_words_key(format_for_speech(t, lang))} " for t in catalog_texts]
        self.data = [f" {_words_key(format_for_speech(t, lang))} " for t in data_texts]
        self.calendar = {norm(w) for w in [*get_month_names("wide", locale=lang).values(),
                                           *get_day_names("wide", locale=lang).values()]}
        self.numbers = {w for n in [*range(0, 101), *range(100, 1001, 100)]
                        for w in re.split(r"[\s-]+", norm(format_for_speech(str(n), lang)))}
        self.time_words = {"fr": {"heure", "heures"}, "es": {"hora", "horas"},
                           "en": {"a", "m", "p", "o'clock", "hundred"}}.get(lang, set())

    def cause(self, piece: Piece, sentence: str, answer: Answer, whole: Index) -> str:
        key = _words_key(piece.text)
        words = key.split()
        said = " ".join(_words_key(format_for_speech(s, self.lang)) for s in answer.caller)
        if said and f" {key} " in f" {said} ":
            return "caller"
        if not _is_live_in(key, cut(format_for_speech(answer.text, self.lang), whole)):
            return "sentence cut"
        if key in self.bare:
            return "punctuation"
        if any(w in self.calendar for w in words) or any(re.fullmatch(r"(19|20)\d\d", w) for w in words):
            return "date"
        if all(len(w) == 1 and w.isalpha() for w in words):
            return "letters"
        if all(w in self.numbers or w in self.time_words for w in words):
            return "time" if any(w in self.time_words for w in words) else "number"
        if any(f" {key} " in text for text in self.catalog):
            return "catalog"
        if any(f" {key} " in text for text in self.data):
            return "data"
        return "other"


def _is_live_in(key: str, pieces: list[Piece]) -> bool:
    return any(not p.known and f" {key} " in f" {_words_key(p.text)} " for p in pieces)


def count_live(answers: list[Answer], lang: str, vocab: dict[str, str], explainer: Explainer,
               split: Callable[[str], list[str]] = spoken_sentences) -> Count:
    """The pieces of ``answers`` in ``lang`` cut against the vocabulary ``vocab`` (key -> text),
    each answer's sentences cut by ``split``."""
    index = Index(vocab)
    out = Count()
    for answer in answers:
        if answer.lang != lang:
            continue
        out.answers += 1
        for sentence, pieces in sentence_pieces(answer.text, lang, index, split):
            for piece in pieces:
                out.pieces += 1
                if not piece.known:
                    out.live.append(LivePiece(piece.text, explainer.cause(piece, sentence, answer, index), answer))
    return out


def town_counts(config: Any, answers: list[Answer], langs: Iterable[str],
                make: Callable[[Any, str, date], list[str]] | None = None,
                split: Callable[[str], list[str]] = spoken_sentences) -> Iterator[tuple[str, str, Count]]:
    """(town, language, count) for each town of ``answers`` and each language, the vocabulary
    being that of the town on each call's day: ``make(runtime, lang, day)``, by default
    ``civicline.vocabulary.vocabulary``; ``make`` and ``split`` may be other versions, to compare."""
    from civicline.vocabulary import catalog_fragments, town_values, vocabulary

    make = make or vocabulary
    langs = list(langs)

    by_town: dict[str, list[Answer]] = {}
    for a in answers:
        by_town.setdefault(a.town, []).append(a)
    for town, said in by_town.items():
        runtime = town_runtime(config, Path(town), langs)
        for lang in langs:
            mine = [a for a in said if a.lang == lang]
            if not mine:
                continue
            catalog = runtime.catalogs[lang]
            total = Count()
            for day in sorted({a.day for a in mine}):
                texts = make(runtime, lang, day)
                vocab = vocabulary_pieces(texts, lang)
                explainer = Explainer(lang, vocab, [t for t in catalog.prompts.values() if t],
                                      [*catalog_fragments(catalog), *town_values(runtime.town, lang, day)])
                part = count_live([a for a in mine if a.day == day], lang, vocab, explainer, split)
                total.answers += part.answers
                total.pieces += part.pieces
                total.live += part.live
                total.vocabulary = max(total.vocabulary, len(vocab))
            yield Path(town).name, lang, total


