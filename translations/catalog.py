"""Language catalogs: one YAML file per language with prompts, intent examples and words.

Adding a language is adding one file ``translations/<code>.yaml`` (``civicline
translations add`` starts one); the language's own name is its ``lang.name`` prompt. A prompt missing in a language falls back to a machine translation
when an engine is configured, else to the town's main language; the fallback is recorded.
"""

from __future__ import annotations

import logging
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from staff_files.problems import CatalogError, Problem
from staff_files.yaml_lines import LineDict, load_yaml_file

log = logging.getLogger(__name__)

CATALOG_DIR = Path(__file__).resolve().parent
TODO_MARK = "TODO:"
# A prompt's written wording, for residents who read rather than hear it (SMS, the chat
# page): `main.menu.text` beside `main.menu`. Only where the wording differs ("type 1"
# rather than "press 1", a link rather than a spelled address); otherwise the prompt itself.
WRITTEN_SUFFIX = ".text"


def is_written_variant(key: str) -> bool:
    return key.endswith(WRITTEN_SUFFIX)


@dataclass(frozen=True)
class Emergency:
    """A catalog's `emergency:` section; strings still marked TODO are left out."""

    words: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    ignore: tuple[str, ...] = ()
    examples: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    ordinary: tuple[str, ...] = ()
    ambiguous: tuple[str, ...] = ()
    calm: tuple[str, ...] = ()
    urgent: tuple[str, ...] = ()
    contrast: tuple[str, ...] = ()


def _translated(value: Any) -> tuple[str, ...]:
    return tuple(s for s in _strings(value) if not s.startswith(TODO_MARK))


def _emergency(data: Any, file: str, line: int | None, problems: list[Problem]) -> Emergency:
    if data is None:
        return Emergency()
    if not isinstance(data, dict) or not all(isinstance(data.get(k) or {}, dict) for k in ("words", "examples")):
        problems.append(Problem(file, line, "'emergency' must have words: and examples: (kind: [phrases]), "
                                            "ignore:, ambiguous:, calm:, urgent:, contrast: and ordinary: ([phrases])"))
        return Emergency()
    return Emergency(
        words={k: _translated(v) for k, v in (data.get("words") or {}).items()},
        ignore=_translated(data.get("ignore")),
        examples={k: _translated(v) for k, v in (data.get("examples") or {}).items()},
        ordinary=_translated(data.get("ordinary")),
        ambiguous=_translated(data.get("ambiguous")),
        calm=_translated(data.get("calm")),
        urgent=_translated(data.get("urgent")),
        contrast=_translated(data.get("contrast")),
    )


@dataclass(frozen=True)
class Catalog:
    language: str
    file: str
    prompts: Mapping[str, str]
    intents: Mapping[str, tuple[str, ...]]
    yes: tuple[str, ...]
    no: tuple[str, ...]
    keypad: Mapping[str, str]
    disclosure: tuple[str, ...]
    # Greetings alone ("bonjour", "hello"): they ask nothing, but show the language.
    greetings: tuple[str, ...] = ()
    entities: Mapping[str, Mapping[str, tuple[str, ...]]] = field(default_factory=dict)
    lines: Mapping[str, int] = field(default_factory=dict)
    # Words of emergencies (`emergency:`): words and examples per kind, ignore, ordinary.
    emergency: Emergency = field(default_factory=Emergency)
    # Prompts a town's own sentence file replaces: key -> (that file, line).
    overridden: Mapping[str, tuple[str, int]] = field(default_factory=dict)

    def where(self, key: str) -> tuple[str, int | None]:
        """The file and line a prompt's text comes from (the town's file when it overrides it)."""
        return self.overridden.get(key) or (self.file, self.lines.get(key))

    def has(self, key: str) -> bool:
        text = self.prompts.get(key)
        return bool(text and not text.startswith(TODO_MARK))

    def vocabulary(self) -> set[str]:
        """Words that show a caller speaks this language (for language detection)."""
        words: set[str] = set()
        for phrases in (*self.intents.values(), self.yes, self.no):
            for phrase in phrases:
                words.update(phrase.lower().split())
        return words


@dataclass(frozen=True)
class Rendered:
    text: str
    language: str  # the language the text is in
    fallback: str | None = None  # "main_language" | "machine_translation:<engine>" | None


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        log.warning("prompt placeholder {%s} has no value in this call", key)
        return ""


class _SlotFormatter(string.Formatter):
    def get_field(self, field_name: str, args: Any, kwargs: Any) -> Any:
        try:
            value, key = super().get_field(field_name, args, kwargs)
        except (KeyError, AttributeError, IndexError, TypeError):
            log.warning("prompt placeholder {%s} cannot be filled", field_name)
            return "", field_name
        if isinstance(value, dict) and "text" in value:
            value = value["text"]
        return value, key


_FORMATTER = _SlotFormatter()


def fill(template: str, values: Mapping[str, Any]) -> str:
    try:
        return _FORMATTER.vformat(template, (), _Blank(values))
    except (ValueError, IndexError) as exc:
        log.error("prompt %r is malformed: %s", template, exc)
        return template


def _strings(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value)


def load_catalog(path: Path) -> Catalog:
    data, problems = load_yaml_file(path)
    name = str(path)
    if not isinstance(data, LineDict):
        raise CatalogError(Problem(name, 1, "a catalog must be a mapping starting with 'language:'"))
    lang = data.get("language")
    if not isinstance(lang, str) or lang != path.stem:
        problems.append(
            Problem(name, data.line_of("language"), f"the file must start with 'language: {path.stem}'")
        )
    prompts = data.get("prompts") or LineDict()
    if not isinstance(prompts, dict):
        problems.append(Problem(name, data.line_of("prompts"), "'prompts' must be a mapping of key: text"))
        prompts = LineDict()
    lines = {}
    for key, text in prompts.items():
        lines[key] = prompts.line_of(key) if isinstance(prompts, LineDict) else 0
        if not isinstance(text, str):
            problems.append(Problem(name, lines[key], f"prompt '{key}' must be text in quotes"))
            continue
        try:
            list(string.Formatter().parse(text))
        except ValueError as exc:
            problems.append(Problem(name, lines[key], f"prompt '{key}' has broken braces: {exc}"))
    intents = data.get("intents") or {}
    if not isinstance(intents, dict):
        problems.append(Problem(name, data.line_of("intents"), "'intents' must map intent names to lists of examples"))
        intents = {}
    entities = data.get("entities") or {}
    emergency = _emergency(data.get("emergency"), name, data.line_of("emergency"), problems)
    if problems:
        raise CatalogError(problems)
    return Catalog(
        language=path.stem,  # checked above to be the file's `language:`
        file=name,
        prompts={k: v for k, v in prompts.items() if isinstance(v, str)},
        intents={k: _strings(v) for k, v in intents.items()},
        yes=_strings(data.get("yes")),
        no=_strings(data.get("no")),
        keypad={k: str(v) for k, v in (data.get("keypad") or {}).items()},
        disclosure=_strings(data.get("disclosure")),
        greetings=_strings(data.get("greetings")),
        entities={kind: {k: _strings(v) for k, v in (syn or {}).items()} for kind, syn in entities.items()},
        lines=lines,
        emergency=emergency,
    )


def _placeholders(text: str) -> set[str]:
    return {name.split(".")[0].split("[")[0] for _, name, _, _ in string.Formatter().parse(text) if name}


def with_town_sentences(base: Catalog, path: Path) -> Catalog:
    """The catalog with a town's own sentences in place of its ones. A town may say a
    sentence its own way but not invent a key or a {placeholder} the call cannot fill."""
    data, problems = load_yaml_file(path)
    name = str(path)
    if not isinstance(data, LineDict):
        raise CatalogError(Problem(name, 1, "a town's sentence file must be a mapping starting with 'language:'"))
    if data.get("language") != base.language:
        problems.append(Problem(name, data.line_of("language"), f"the file must start with 'language: {base.language}'"))
    prompts = data.get("prompts") or LineDict()
    if not isinstance(prompts, dict):
        raise CatalogError(problems + [Problem(name, data.line_of("prompts"), "'prompts' must map sentence keys to text")])
    unknown = set(data) - {"language", "prompts"}
    for key in sorted(unknown):
        problems.append(Problem(name, data.line_of(key), f"'{key}': a town's sentence file has only language: and "
                                                         "prompts: (words and intents stay in the catalogs)"))
    merged = dict(base.prompts)
    overridden: dict[str, tuple[str, int]] = {}
    for key, text in prompts.items():
        line = prompts.line_of(key) if isinstance(prompts, LineDict) else 0
        if key not in base.prompts:
            problems.append(Problem(name, line, f"there is no sentence '{key}' to replace: check its spelling "
                                                f"against {Path(base.file).name}"))
            continue
        if not isinstance(text, str):
            problems.append(Problem(name, line, f"sentence '{key}' must be text in quotes"))
            continue
        try:
            extra = _placeholders(text) - _placeholders(base.prompts[key])
        except ValueError as exc:
            problems.append(Problem(name, line, f"sentence '{key}' has broken braces: {exc}"))
            continue
        if extra:
            known = ", ".join("{" + p + "}" for p in sorted(_placeholders(base.prompts[key]))) or "none"
            problems.append(Problem(name, line, f"sentence '{key}' uses {', '.join('{' + p + '}' for p in sorted(extra))}, "
                                                f"which this sentence cannot fill (it can use: {known})"))
            continue
        merged[key] = text
        overridden[key] = (name, line)
    if problems:
        raise CatalogError(problems)
    return replace(base, prompts=merged, overridden=overridden)


def _has_written(catalog: Catalog, key: str) -> bool:
    """Whether the catalog has a written wording of `key` that fits: a town that says a
    sentence its own way (its menu offers other choices) and gives no written wording of
    its own is written its own way too, not with the catalog's general wording."""
    variant = key + WRITTEN_SUFFIX
    if not catalog.has(variant):
        return False
    return key not in catalog.overridden or variant in catalog.overridden


# A translator takes (text, source, target) and returns (text, engine name) or None.
Translator = Callable[[str, str, str], "tuple[str, str] | None"]


class Catalogs:
    """The catalogs of the enabled languages, with the fallback rules."""

    def __init__(
        self,
        catalogs: Mapping[str, Catalog],
        main_language: str,
        translator: Translator | None = None,
    ):
        if main_language not in catalogs:
            raise CatalogError(f"the main language '{main_language}' has no catalog")
        self.by_lang = dict(catalogs)
        self.main_language = main_language
        self.translator = translator
        self._translated: dict[tuple[str, str], tuple[str, str]] = {}

    @classmethod
    def load(
        cls,
        languages: list[str],
        main_language: str,
        directory: Path = CATALOG_DIR,
        translator: Translator | None = None,
        town_sentences: Path | None = None,
    ) -> Catalogs:
        """`town_sentences`: a town's folder of its own sentences (`<lang>.yaml` with
        `language:` and `prompts:`), which replace the catalogs' ones."""
        catalogs, problems = {}, []
        for lang in languages:
            path = directory / f"{lang}.yaml"
            if not path.exists():
                problems.append(Problem(str(path), None, f"language '{lang}' is enabled but has no catalog file"))
                continue
            try:
                catalogs[lang] = load_catalog(path)
            except CatalogError as exc:
                problems.extend(exc.problems)
                continue
            own = town_sentences / f"{lang}.yaml" if town_sentences else None
            if own is not None and own.exists():
                try:
                    catalogs[lang] = with_town_sentences(catalogs[lang], own)
                except CatalogError as exc:
                    problems.extend(exc.problems)
        if town_sentences is not None and town_sentences.is_dir():
            for extra in sorted(town_sentences.glob("*.yaml")):
                if extra.stem not in languages:
                    problems.append(Problem(str(extra), None, f"sentences for '{extra.stem}', which is not among the "
                                                              f"languages offered ({', '.join(languages)})"))
        if problems:
            raise CatalogError(problems)
        return cls(catalogs, main_language, translator)

    @property
    def languages(self) -> list[str]:
        return list(self.by_lang)

    def __getitem__(self, lang: str) -> Catalog:
        return self.by_lang[lang]

    def template(self, key: str, lang: str, *, written: bool = False) -> Rendered:
        """The raw template for a key in a language, following the fallback rules.

        ``written``: the resident reads it; the language's written variant (KEY.text) is
        taken when there is one. A variant only in another language is not: the caller's
        own language comes first."""
        catalog = self.by_lang.get(lang)
        if written and catalog and _has_written(catalog, key):
            return Rendered(catalog.prompts[key + WRITTEN_SUFFIX], lang)
        if catalog and catalog.has(key):
            return Rendered(catalog.prompts[key], lang)
        main = self.by_lang[self.main_language]
        source_lang = self.main_language if main.has(key) else None
        if source_lang is None:
            source_lang = next((c.language for c in self.by_lang.values() if c.has(key)), None)
        if source_lang is None:
            log.error("prompt '%s' exists in no catalog", key)
            return Rendered("", lang, "missing")
        source = self.by_lang[source_lang]
        source_text = source.prompts[key]
        if written and _has_written(source, key):
            key, source_text = key + WRITTEN_SUFFIX, source.prompts[key + WRITTEN_SUFFIX]
        if self.translator and source_lang != lang:
            cached = self._translated.get((key, lang))
            if cached is None:
                try:
                    result = self.translator(source_text, source_lang, lang)
                except Exception:  # a failing engine must never break a call
                    log.exception("translation of prompt '%s' failed", key)
                    result = None
                if result:
                    cached = self._translated[(key, lang)] = result
            if cached:
                return Rendered(cached[0], lang, f"machine_translation:{cached[1]}")
        return Rendered(source_text, source_lang, "main_language")

    def render(
        self, key: str, lang: str, values: Mapping[str, Any] | None = None, *, written: bool = False
    ) -> Rendered:
        template = self.template(key, lang, written=written)
        return Rendered(fill(template.text, values or {}), template.language, template.fallback)
