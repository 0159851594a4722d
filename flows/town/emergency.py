"""The emergency numbers a town gives its callers (town.yaml ``emergency:``).

112 reaches the emergency services anywhere in the European Union; most countries also have
their own numbers for each service (France: 15 medical help, 17 police, 18 fire brigade,
3114 suicide prevention; the United Kingdom: 999; North America: 911). A caller who speaks
of an emergency hears the number of that kind of emergency, and the general one.

``text_number`` (optional) is the number the emergency services take text messages on, for
deaf and hard-of-hearing people and anyone who cannot speak (France: 114, by SMS or its app;
the United Kingdom: 999 by SMS once registered with emergencySMS; the United States: 911
where text-to-911 is available). The written replies (SMS, the chat page) say it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from flows.town.common import Problems

GENERAL = "general"
TEXT_NUMBER = "text_number"
KINDS = ("fire", "medical", "violence", "gas", "suicide")
DEFAULT_GENERAL = "112"
_NUMBER = re.compile(r"\+?[0-9][0-9 ]{1,15}")


@dataclass(frozen=True)
class EmergencyNumbers:
    general: str = DEFAULT_GENERAL
    by_kind: dict[str, str] = field(default_factory=dict)
    text_number: str | None = None

    def number(self, kind: str) -> str:
        """The number for this kind of emergency; the general one when the town gives none."""
        return self.by_kind.get(kind) or self.general


def load_emergency(data: Any, problems: Problems, line: int | None) -> EmergencyNumbers:
    if data is None:
        return EmergencyNumbers()
    if not isinstance(data, dict):
        problems.add(line, "emergency: must map kinds of emergency to numbers (general: \"112\", fire: \"18\"…)")
        return EmergencyNumbers()
    numbers: dict[str, str] = {}
    for kind, value in data.items():
        where = data.line_of(kind) if hasattr(data, "line_of") else line
        text = str(value).strip()
        if kind not in (GENERAL, TEXT_NUMBER, *KINDS):
            problems.add(where, f"emergency: '{kind}' is not a kind of emergency ({', '.join((GENERAL, *KINDS))}) "
                                f"nor '{TEXT_NUMBER}' (the number that takes text messages)")
        elif not _NUMBER.fullmatch(text):
            problems.add(where, f"emergency: {kind}: '{text}' is not a phone number (digits, as dialled)")
        else:
            numbers[str(kind)] = " ".join(text.split())
    general = numbers.pop(GENERAL, DEFAULT_GENERAL)
    text_number = numbers.pop(TEXT_NUMBER, None)
    return EmergencyNumbers(general, numbers, text_number)
