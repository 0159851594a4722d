"""The kinds of waste a town collects or takes, as its own data says them (collections.yaml
`kinds:`): the spoken name and the bin per language, whether it is collected at the door
(kerbside) or brought to drop-off points, the words callers use for it, and what to say
to someone whose address has no collection of it.

    kinds:
      recycling:
        names: {fr: "emballages recyclables", en: "recycling", es: "reciclaje"}
        bin: {fr: "bac jaune", en: "yellow bin", es: "contenedor amarillo"}
        collected: kerbside            # or drop_off (then `points:` say where)
        words: {en: ["packaging", "cans"]}
        elsewhere: {en: "Take it to the recycling centre."}   # no collection at an address
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flows.town.common import Origin, Problems, origin_of

COLLECTED = ("kerbside", "drop_off")


@dataclass(frozen=True)
class Place:
    """A drop-off point (bottle bank, container)."""

    id: str
    name: str
    address: str
    origin: Origin


@dataclass(frozen=True)
class WasteKind:
    id: str
    names: dict[str, str]  # language -> how the assistant says it
    bins: dict[str, str] = field(default_factory=dict)  # language -> the bin or box
    collected: str = "kerbside"
    words: dict[str, tuple[str, ...]] = field(default_factory=dict)  # language -> caller words
    elsewhere: dict[str, str] = field(default_factory=dict)  # language -> where else it goes
    points: tuple[Place, ...] = ()
    line: int | None = None  # where collections.yaml declares it

    @property
    def kerbside(self) -> bool:
        return self.collected == "kerbside"

    def name(self, lang: str, main: str) -> str:
        return self.names.get(lang) or self.names.get(main) or next(iter(self.names.values()), self.id)

    def bin(self, lang: str, main: str) -> str:
        return self.bins.get(lang) or self.bins.get(main) or ""

    def elsewhere_text(self, lang: str, main: str) -> str:
        return self.elsewhere.get(lang) or self.elsewhere.get(main) or ""

    def synonyms(self, lang: str) -> tuple[str, ...]:
        """What a caller may say for it, the spoken name first."""
        said = [self.names.get(lang, ""), self.bins.get(lang, ""), *self.words.get(lang, ())]
        return tuple(dict.fromkeys(w for w in said if w))


def _per_language(value: Any, problems: Problems, line: int | None, what: str) -> dict[str, str]:
    if value is None:
        return {}
    if isinstance(value, str):  # one text for every language (a proper noun)
        return {"*": value}
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        problems.add(line, f"{what} must give a text per language, e.g. {{fr: \"bac jaune\", en: \"yellow bin\"}}")
        return {}
    return {str(k): v.strip() for k, v in value.items()}


def _spread(texts: dict[str, str], languages: list[str]) -> dict[str, str]:
    """A text given once ({"*": …}) stands for every language."""
    if "*" in texts:
        return {lang: texts["*"] for lang in languages} | {k: v for k, v in texts.items() if k != "*"}
    return texts


def _words(value: Any, problems: Problems, line: int | None, what: str) -> dict[str, tuple[str, ...]]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(v, list) for v in value.values()):
        problems.add(line, f"{what} must list words per language, e.g. {{en: [\"cans\", \"plastic\"]}}")
        return {}
    return {str(k): tuple(str(w).strip() for w in v if str(w).strip()) for k, v in value.items()}


def _points(raw: Any, problems: Problems, line: int | None, kind_id: str) -> tuple[Place, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        problems.add(line, f"kind '{kind_id}': points must be a list of {{id, name, address, source, verified}}")
        return ()
    places = []
    lines = getattr(raw, "item_lines", [line] * len(raw))
    for item, where in zip(raw, lines, strict=False):
        if not isinstance(item, dict):
            problems.add(where, f"kind '{kind_id}': each point is a block with id, name, address, source, verified")
            continue
        pid = str(item.get("id") or f"{kind_id}-{where}")
        if not item.get("name"):
            problems.add(where, f"drop-off point '{pid}' has no name")
        places.append(Place(pid, str(item.get("name", "")), str(item.get("address", "")),
                            origin_of(item, problems, where, f"drop-off point '{pid}'")))
    return tuple(places)


def load_kinds(data: Any, problems: Problems, languages: list[str]) -> dict[str, WasteKind]:
    """`kinds:` of collections.yaml; every kind needs a spoken name (one for all languages,
    or one per language: flows.town.names warns of an offered language left out)."""
    where = data.line_of("kinds") if hasattr(data, "line_of") else None
    raw = data.get("kinds") if isinstance(data, dict) else None
    if not isinstance(raw, dict) or not raw:
        problems.add(where, "collections.yaml must declare the kinds of waste under kinds: "
                            "(e.g. kinds: {household: {names: {en: \"household waste\"}, collected: kerbside}})")
        return {}
    kinds: dict[str, WasteKind] = {}
    for kind_id, item in raw.items():
        line = raw.line_of(kind_id) if hasattr(raw, "line_of") else where
        if not isinstance(item, dict):
            problems.add(line, f"kind '{kind_id}' must be a block with names:, collected:…")
            continue

        def at(key: str, item: Any = item, line: int | None = line) -> int | None:
            return item.line_of(key) if hasattr(item, "line_of") and key in item else line

        names = _spread(_per_language(item.get("names"), problems, at("names"), f"kind '{kind_id}': names"), languages)
        names = {lang: text for lang, text in names.items() if text}
        # A kind named in some languages only is said in the main one to the others: a
        # warning of the data check (flows.town.names); a kind with no name is an error.
        if not names:
            problems.add(at("names"), f"kind '{kind_id}' has no spoken name: add it under names: "
                                      f"({', '.join(f'{lang}: …' for lang in languages) or 'en: …'})")
        collected = str(item.get("collected", "kerbside"))
        if collected not in COLLECTED:
            problems.add(at("collected"), f"kind '{kind_id}': collected must be kerbside (at the door) "
                                          f"or drop_off (brought to points), not '{collected}'")
            collected = "kerbside"
        kinds[str(kind_id)] = WasteKind(
            id=str(kind_id),
            names=names,
            bins=_spread(_per_language(item.get("bin"), problems, at("bin"), f"kind '{kind_id}': bin"), languages),
            collected=collected,
            words=_words(item.get("words"), problems, at("words"), f"kind '{kind_id}': words"),
            elsewhere=_spread(_per_language(item.get("elsewhere"), problems, at("elsewhere"),
                                            f"kind '{kind_id}': elsewhere"), languages),
            points=_points(item.get("points"), problems, at("points"), str(kind_id)),
            line=line,
        )
        if collected == "drop_off" and not kinds[str(kind_id)].points and not kinds[str(kind_id)].elsewhere:
            problems.add(line, f"kind '{kind_id}' is brought to drop-off points: list them under points: "
                               "or say where under elsewhere:")
    return kinds
