"""Evaluation of the nlu on labelled caller utterances (tests/nlu/data/utterances_LANG.yaml).

The caller of `evaluate` supplies everything language- and town-specific (intent
examples, street list, yes/no words, synonyms), so this module stays free of flows
and civicline. An optional `translate` function lets a language without curated
examples be matched against another language's examples.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Protocol

import yaml

from nlu.addresses import AddressResolver
from nlu.dates import parse_date, parse_date_range
from nlu.intents import IntentDecision, IntentMatcher
from nlu.language import detect_language
from nlu.numbers import parse_digits, parse_number
from nlu.synonyms import match_synonym
from nlu.yesno import parse_yes_no


class _Decider(Protocol):
    def decide(self, text: str, only: Collection[str] | None = None) -> IntentDecision: ...


@dataclass(frozen=True)
class LabelledSet:
    lang: str
    now: datetime
    cases: list[dict[str, Any]]


def load_labelled(path: Path) -> LabelledSet:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    now = data.get("now")
    if not isinstance(now, datetime):
        now = datetime.fromisoformat(str(now))
    return LabelledSet(str(data["language"]), now, list(data["utterances"]))


@dataclass
class Tally:
    total: int = 0
    correct: int = 0
    failures: list[str] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 1.0

    def add(self, ok: bool, text: str, expected: Any, got: Any) -> None:
        self.total += 1
        if ok:
            self.correct += 1
        else:
            self.failures.append(f"{text!r}: expected {expected!r}, got {got!r}")


@dataclass
class Report:
    lang: str
    via: str | None  # translation engine used for intents, or None
    kinds: dict[str, Tally] = field(default_factory=dict)

    def tally(self, kind: str) -> Tally:
        return self.kinds.setdefault(kind, Tally())

    @property
    def intent_accuracy(self) -> float:
        return self.tally("intent").accuracy

    @property
    def address_accuracy(self) -> float:
        return self.tally("address").accuracy


def _address_ok(expected: Mapping[str, Any], result: Any) -> tuple[bool, Any]:
    outcome = expected.get("outcome", "ok")
    got: dict[str, Any] = {"outcome": result.outcome}
    if result.street:
        got["street"] = result.street.name
    if result.number is not None:
        got["number"] = result.number
    if result.candidates:
        got["candidates"] = [c.name for c in result.candidates]
    if result.outcome != outcome:
        return False, got
    if outcome == "ok":
        ok = result.street is not None and result.street.name == expected["street"]
        return ok and result.number == expected.get("number"), got
    if outcome == "ambiguous":
        return set(expected["candidates"]) <= {c.name for c in result.candidates}, got
    if outcome == "number_only":
        return result.number == expected.get("number"), got
    return True, got


def evaluate(
    labelled: LabelledSet,
    *,
    examples: Mapping[str, Sequence[str]],
    gazetteer: Sequence[tuple[str, Sequence[str]]],
    yes_words: Sequence[str] = (),
    no_words: Sequence[str] = (),
    synonyms: Mapping[str, Mapping[str, Sequence[str]]] | None = None,
    vocabularies: Mapping[str, Collection[str]] | None = None,
    translate: Callable[[str], str] | None = None,
    examples_lang: str | None = None,
    via: str | None = None,
    matcher: _Decider | None = None,
) -> Report:
    """Scores every labelled kind present in the set.

    With `translate`, utterances are translated before intent matching and matched
    against `examples` in `examples_lang` (e.g. Spanish callers, English examples).
    With `matcher` (e.g. a CrossLingualMatcher), intents come from it; with either,
    only intents are scored (the entities do not depend on translation).
    """
    lang, now = labelled.lang, labelled.now
    cross = matcher is not None or translate is not None
    matcher = matcher or IntentMatcher(examples, examples_lang or lang)
    resolver = AddressResolver(gazetteer)
    report = Report(lang, via)
    for case in labelled.cases:
        text = str(case.get("text") or "")
        if "intent" in case:
            expected = case["intent"]
            query = translate(text) if translate and text else text
            decision = matcher.decide(query)
            got = decision.intent or decision.kind
            want = expected if expected != "none" else "none"
            ok = got == want or (want == "none" and decision.kind != "match")
            shown = got if not translate else f"{got} (from {query!r})"
            report.tally("intent").add(ok, text, want, shown)
        if cross:
            continue  # the other kinds do not depend on translation
        if "address" in case:
            result = resolver.resolve(text, lang)
            ok, got = _address_ok(case["address"], result)
            report.tally("address").add(ok, text, case["address"], got)
        if "date" in case:
            want_date = case["date"]
            want_date = (
                want_date if isinstance(want_date, date) else date.fromisoformat(str(want_date))
            )
            got_date = parse_date(text, lang, now)
            report.tally("date").add(got_date == want_date, text, want_date, got_date)
        if "date_range" in case:
            want_range = tuple(date.fromisoformat(str(d)) for d in case["date_range"])
            got_range = parse_date_range(text, lang, now)
            report.tally("date").add(got_range == want_range, text, want_range, got_range)
        if "number" in case:
            got_n = parse_number(text, lang)
            report.tally("number").add(got_n == case["number"], text, case["number"], got_n)
        if "digits" in case:
            got_d = parse_digits(text, lang)
            report.tally("number").add(got_d == str(case["digits"]), text, case["digits"], got_d)
        if "yes_no" in case:
            got_yn = parse_yes_no(text, lang, yes_words, no_words)
            report.tally("yes_no").add(got_yn == case["yes_no"], text, case["yes_no"], got_yn)
        if "waste_kind" in case and synonyms is not None:
            ranked = match_synonym(text, lang, synonyms.get("waste_kind", {}))
            got_k = ranked[0][0] if ranked else None
            report.tally("waste_kind").add(
                got_k == case["waste_kind"], text, case["waste_kind"], got_k
            )
        if "language" in case and vocabularies is not None:
            got_l = detect_language(text, vocabularies)
            report.tally("language").add(got_l == case["language"], text, case["language"], got_l)
    return report


def format_report(report: Report, *, failures: bool = False) -> str:
    title = report.lang + (f" (intents via {report.via} translation)" if report.via else "")
    lines = [title]
    for kind, tally in report.kinds.items():
        lines.append(f"  {kind:<11} {tally.accuracy:6.1%}  ({tally.correct}/{tally.total})")
        if failures:
            lines.extend(f"      x {f}" for f in tally.failures)
    return "\n".join(lines)
