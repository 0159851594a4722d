"""Names the town's data gives per language (the waste kinds and the zones in
collections.yaml, the permits and kinds of works in permits.yaml, with the permits' texts):
one missing in an offered language is a warning of `civicline data check`, naming the
language. The data still loads: callers in that language hear the name
in the main language (or the one given), and staff see the same in the console.

A name written once (`name: "Monday G1"`, a proper noun) stands for every language and is
never reported; a name per language (`name: {fr: "Centre et port", en: "Centre and harbour"}`)
is reported for each offered language it leaves out.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flows.town.freshness import N_, Notice, notice


def untranslated(town: Any) -> list[Notice]:
    data = getattr(town, "collections", None)
    if data is None:
        return []
    languages = list(getattr(town, "languages", []) or [])
    main = str(getattr(town, "main_language", "") or "")
    file = str(Path(town.path) / "data" / "collections.yaml")
    found: list[Notice] = []
    for kind in data.kinds.values():
        for lang in (x for x in languages if x not in kind.names):
            found.append(notice("warning", file, None, N_(
                "the waste kind '%(kind)s' has no name in %(language)s (line %(line)s): callers in that language "
                "hear '%(said)s'; add %(language)s: … under its names:"),
                kind=kind.id, language=lang, line=kind.line or "?", said=kind.name(lang, main)))
    for service in data.services.values():
        for zone in service.zones.values():
            if "*" in zone.names:  # one name for every language
                continue
            for lang in (x for x in languages if x not in zone.names):
                found.append(notice("warning", file, None, N_(
                    "zone '%(zone)s' of service '%(service)s' has no name in %(language)s (line %(line)s): callers "
                    "in that language hear '%(said)s'; add %(language)s: … to its name:"),
                    zone=zone.id, service=service.id, language=lang, line=zone.line or "?",
                    said=zone.name(lang, main)))
    return found + _permits_untranslated(town, languages, main)


def _permits_untranslated(town: Any, languages: list[str], main: str) -> list[Notice]:
    data = getattr(town, "permits", None)
    if data is None:
        return []
    file = str(Path(town.path) / "data" / "permits.yaml")
    found: list[Notice] = []
    for item in [*data.permits.values(), *data.works.values()]:
        for lang in (x for x in languages if not item.names.get(x)):
            found.append(notice("warning", file, None, N_(
                "'%(permit)s' has no name in %(language)s: callers in that language cannot name it and hear "
                "'%(said)s'; add %(language)s: … under its names:"),
                permit=item.id, language=lang, said=item.name(lang, main)))
    for permit in data.permits.values():
        for lang in languages:
            fields = [field for field, by_lang in permit.texts.items() if by_lang and not by_lang.get(lang)]
            if fields:
                found.append(notice("warning", file, None, N_(
                    "the permit '%(permit)s' has no %(language)s text for %(fields)s: callers in that language hear "
                    "it in %(main)s; add %(language)s: … under each"),
                    permit=permit.id, language=lang, fields=", ".join(fields), main=main))
    return found
