"""A new language catalog drafted by machine translation, for staff to review.

Every string is marked "TODO: " (a catalog loader treats such prompts as missing), so
nothing machine-translated reaches a caller before a person has read it. Strings no
engine could translate stay in the source language, marked the same way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any, Protocol

import yaml

from nlu.translate.chain import TranslatorChain

TODO = "TODO: "


class SourceCatalog(Protocol):
    language: str
    prompts: Mapping[str, str]
    intents: Mapping[str, Sequence[str]]
    yes: Sequence[str]
    no: Sequence[str]
    keypad: Mapping[str, str]
    disclosure: Sequence[str]
    entities: Mapping[str, Mapping[str, Sequence[str]]]


def draft_catalog(
    source: SourceCatalog,
    lang: str,
    chain: TranslatorChain,
    *,
    terms: Sequence[str] = (),
    today: date | None = None,
) -> dict[str, Any]:
    """The draft as a mapping in catalog order; `_stats` and `_engines` describe it."""
    # Every string once, in one batch per engine (apertium starts a process per batch).
    strings: list[str] = []
    strings += list(source.disclosure) + list(source.yes) + list(source.no)
    strings += list(source.keypad.values()) + list(source.prompts.values())
    strings += [e for phrases in source.intents.values() for e in phrases]
    strings += [p for kinds in source.entities.values() for ps in kinds.values() for p in ps]
    unique = list(dict.fromkeys(strings))
    results = chain.translate_many(unique, source.language, lang, terms=terms)
    done = dict(zip(unique, results, strict=True))
    engines = sorted({r.engine for r in results if r.machine_translated})
    stats = {"translated": 0, "untranslated": 0}

    def tr(text: str) -> str:
        result = done[text]
        stats["translated" if result.machine_translated else "untranslated"] += 1
        return TODO + result.text

    draft: dict[str, Any] = {
        "language": lang,
        "disclosure": [tr(t) for t in source.disclosure],
        "yes": [tr(t) for t in source.yes],
        "no": [tr(t) for t in source.no],
        "keypad": {k: tr(v) for k, v in source.keypad.items()},
        "prompts": {k: tr(v) for k, v in source.prompts.items()},
        "intents": {k: [tr(e) for e in v] for k, v in source.intents.items()},
        "entities": {
            kind: {k: [tr(p) for p in ps] for k, ps in keys.items()}
            for kind, keys in source.entities.items()
        },
    }
    draft["_stats"] = stats
    draft["_engines"] = engines
    draft["_header"] = (
        f"# Draft catalog for '{lang}', machine-translated from '{source.language}'"
        f" by {', '.join(engines) or 'no engine (nothing could translate)'}"
        f" on {(today or date.today()).isoformat()}.\n"
        "# Every string starts with 'TODO: ' until a person has checked it; production\n"
        "# refuses TODO strings. Review, remove the marker, then move this file to\n"
        f"# translations/{lang}.yaml.\n"
    )
    return draft


def write_draft(draft: Mapping[str, Any], path: Path) -> None:
    body = {k: v for k, v in draft.items() if not k.startswith("_")}
    path.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(body, allow_unicode=True, sort_keys=False, width=1000)
    path.write_text(str(draft.get("_header", "")) + text, encoding="utf-8")
