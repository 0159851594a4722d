"""Names the town's data gives per language (the waste kinds and the zones in
collections.yaml): one missing in an offered language is a warning of `civicline data
check`, naming the language. The data still loads: callers in that language hear the name
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
    return found
