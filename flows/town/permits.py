"""Permits and authorisations (permits.yaml): names in each language, what each covers,
documents and forms, where to apply, processing time, fee with the day it was verified,
and a short decision tree from the kind of works (and surface) to the permit that fits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from flows.town.common import Origin, Problems, origin_of
from staff_files.problems import Problem
from staff_files.yaml_lines import load_yaml_file

TEXT_FIELDS = ("covers", "documents", "apply", "processing")
FEE_UNITS = ("once", "day", "m2_year", "month", "year")


@dataclass(frozen=True)
class Fee:
    amount: Decimal  # 0 for free
    currency: str
    unit: str  # once | day | m2_year | month | year
    verified: date | None
    document: str


@dataclass(frozen=True)
class Permit:
    id: str
    names: dict[str, tuple[str, ...]]  # language -> names and synonyms, the first is said
    texts: dict[str, dict[str, str]]  # field (covers, documents…) -> language -> text
    forms: tuple[str, ...]  # CERFA numbers, said as they are
    fee: Fee | None
    origin: Origin

    def name(self, lang: str, main: str = "fr") -> str:
        names = self.names.get(lang) or self.names.get(main) or (self.id,)
        return names[0]

    def text(self, field: str, lang: str, main: str = "fr") -> str:
        by_lang = self.texts.get(field, {})
        return by_lang.get(lang) or by_lang.get(main) or ""

    def texts_missing(self, lang: str) -> list[str]:
        """The fields written in some language but not in `lang`: said in another
        language, a text that touches legal status would be one nobody checked."""
        return [field for field, by_lang in self.texts.items() if by_lang and not by_lang.get(lang)]


@dataclass(frozen=True)
class SurfaceRule:
    up_to: float | None  # m²; None = any larger surface
    permit: str | None  # None = no authorisation needed


@dataclass(frozen=True)
class Works:
    """A kind of works in the decision tree: a fixed permit, or one by surface."""

    id: str
    names: dict[str, tuple[str, ...]]
    permit: str | None
    by_surface: tuple[SurfaceRule, ...]
    origin: Origin

    def name(self, lang: str, main: str = "fr") -> str:
        names = self.names.get(lang) or self.names.get(main) or (self.id,)
        return names[0]

    def decide(self, surface: float | None) -> tuple[bool, str | None]:
        """(decided, permit id or None for "nothing needed"); not decided = needs the surface."""
        if not self.by_surface:
            return True, self.permit
        if surface is None:
            return False, None
        for rule in self.by_surface:
            if rule.up_to is None or surface <= rule.up_to:
                return True, rule.permit
        return True, self.by_surface[-1].permit


@dataclass(frozen=True)
class PermitData:
    permits: dict[str, Permit]
    works: dict[str, Works]

    def synonyms(self, lang: str) -> dict[str, tuple[str, ...]]:
        """Words callers use, for the `permit_kind` slot: permits and kinds of works."""
        found: dict[str, tuple[str, ...]] = {}
        items: list[Permit | Works] = [*self.permits.values(), *self.works.values()]
        for item in items:
            names = item.names.get(lang)
            if names:
                found[item.id] = names
        return found


def _names(item: dict, problems: Problems, line: int, what: str) -> dict[str, tuple[str, ...]]:
    raw = item.get("names")
    if not isinstance(raw, dict) or not raw:
        problems.add(line, f"{what} has no names (names: {{fr: [...], en: [...]}})")
        return {}
    return {str(lang): tuple(str(n) for n in (v if isinstance(v, list) else [v])) for lang, v in raw.items()}


def _fee(raw: Any, problems: Problems, line: int, what: str) -> Fee | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        problems.add(line, f"{what}: fee must be a block with amount, unit, source and verified")
        return None
    try:
        amount = Decimal(str(raw.get("amount")))
    except InvalidOperation:
        problems.add(line, f"{what}: fee amount '{raw.get('amount')}' is not a number")
        return None
    unit = str(raw.get("unit", "once"))
    if unit not in FEE_UNITS:
        problems.add(line, f"{what}: fee unit '{unit}' must be one of {', '.join(FEE_UNITS)}")
    if raw.get("verified") in (None, ""):
        problems.add(line, f"{what}: the fee has no 'verified' date; a fee is never said without one")
    origin = origin_of(raw, problems, line, f"{what}: fee", required=raw.get("verified") not in (None, ""))
    return Fee(amount, str(raw.get("currency", "EUR")), unit, origin.verified, origin.document)


def load_permits(path: Path) -> tuple[PermitData, list[Problem]]:
    problems = Problems(path)
    data, duplicates = load_yaml_file(path)
    problems.extend(duplicates)
    if not isinstance(data, dict) or not isinstance(data.get("permits"), list):
        problems.add(None, "permits.yaml must have a list 'permits:'")
        return PermitData({}, {}), problems.items
    permits: dict[str, Permit] = {}
    raw = data["permits"]
    for item, line in zip(raw, raw.item_lines, strict=False):
        pid = str(item.get("id") or "") if isinstance(item, dict) else ""
        if not pid:
            problems.add(line, "each permit needs an id")
            continue
        if pid in permits:
            problems.add(line, f"permit id '{pid}' is used twice")
        what = f"permit '{pid}'"
        texts = {f: {str(k): str(v) for k, v in (item.get(f) or {}).items()} for f in TEXT_FIELDS}
        for f in ("covers", "apply"):
            if not texts[f]:
                problems.add(line, f"{what} has no '{f}' text")
        fee_line = item.line_of("fee") if hasattr(item, "line_of") else line
        permits[pid] = Permit(pid, _names(item, problems, line, what), texts,
                              tuple(str(f) for f in item.get("forms") or []),
                              _fee(item.get("fee"), problems, fee_line, what),
                              origin_of(item, problems, line, what))
    works: dict[str, Works] = {}
    raw_works = data.get("works") or []
    for item, line in zip(raw_works, getattr(raw_works, "item_lines", []), strict=False):
        wid = str(item.get("id") or "")
        what = f"works '{wid}'"
        rules = []
        for rule in item.get("by_surface") or []:
            target = rule.get("permit")
            if target is not None and target not in permits:
                problems.add(line, f"{what}: permit '{target}' is not in the list of permits")
            rules.append(SurfaceRule(rule.get("up_to"), target))
        permit = item.get("permit")
        if permit is not None and permit not in permits:
            problems.add(line, f"{what}: permit '{permit}' is not in the list of permits")
        if permit is None and not rules:
            problems.add(line, f"{what} needs either 'permit:' or 'by_surface:'")
        if wid in permits or wid in works:
            problems.add(line, f"works id '{wid}' is already used")
        works[wid] = Works(wid, _names(item, problems, line, what), permit, tuple(rules),
                           origin_of(item, problems, line, what))
    return PermitData(permits, works), problems.items
