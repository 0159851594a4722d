"""Apertium, the rule-based engine Debian ships (apertium-eng-spa, apertium-fr-es).

Each hop is one `apertium -u MODE` process reading stdin; French <-> English goes
through Spanish. A batch is one process per hop, one text per line.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence
from functools import lru_cache

from nlu.translate.base import Engine, TranslationError, base_lang

# (source, target) -> the apertium modes to run in turn.
ROUTES: dict[tuple[str, str], tuple[str, ...]] = {
    ("en", "es"): ("eng-spa",),
    ("es", "en"): ("spa-eng",),
    ("fr", "es"): ("fr-es",),
    ("es", "fr"): ("es-fr",),
    ("fr", "en"): ("fr-es", "spa-eng"),
    ("en", "fr"): ("eng-spa", "es-fr"),
}


@lru_cache(maxsize=8)
def _installed_modes(binary: str) -> frozenset[str]:
    path = shutil.which(binary)
    if not path:
        return frozenset()
    try:
        out = subprocess.run([path, "-l"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return frozenset()
    return frozenset(out.stdout.split())


class ApertiumEngine(Engine):
    name = "apertium"

    def __init__(self, binary: str = "apertium", timeout: float = 10.0) -> None:
        self.binary = binary
        self.timeout = timeout

    def _route(self, source: str, target: str) -> tuple[str, ...] | None:
        return ROUTES.get((base_lang(source), base_lang(target)))

    def supports(self, source: str, target: str) -> bool:
        route = self._route(source, target)
        if not route:
            return False
        return set(route) <= _installed_modes(self.binary)

    def _run(self, mode: str, text: str) -> str:
        try:
            out = subprocess.run(
                [self.binary, "-u", mode],
                input=text,
                capture_output=True,
                text=True,
                timeout=self.timeout,
            )
        except subprocess.TimeoutExpired as exc:
            raise TranslationError(f"apertium {mode}: no answer in {self.timeout:g} s") from exc
        except OSError as exc:
            raise TranslationError(f"apertium {mode}: {exc}") from exc
        if out.returncode != 0:
            raise TranslationError(f"apertium {mode}: {out.stderr.strip()[:200]}")
        return out.stdout

    def translate_many(self, texts: Sequence[str], source: str, target: str) -> list[str]:
        route = self._route(source, target)
        if not route:
            raise TranslationError(f"apertium has no route {source} -> {target}")
        # One paragraph per text, so a batch is one process per hop. A single line
        # break would not do: apertium reads it as a space and moves words across it.
        lines = [" ".join(t.split()) for t in texts]
        if not lines:
            return []
        current = "\n\n".join(lines) + "\n"
        for mode in route:
            current = self._run(mode, current)
        out = current.strip("\n").split("\n\n")
        if len(out) != len(lines):
            raise TranslationError("apertium returned a different number of texts")
        return [" ".join(o.split()) for o in out]

    def translate_text(self, text: str, source: str, target: str) -> str:
        return self.translate_many([text], source, target)[0]
