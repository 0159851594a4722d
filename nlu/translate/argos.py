"""Argos Translate (OpenNMT models run by CTranslate2, SentencePiece tokens).

No language package ships in any registry: a city downloads `.argosmodel` files and
installs them with `civicline models add FILE` (`install_package`). argostranslate is
an optional extra (`pip install civicline[translate]`); without it this engine simply
supports nothing.
"""

from __future__ import annotations

import importlib.util
import logging
import re
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from nlu.translate.base import Engine, TranslationError, base_lang

if TYPE_CHECKING:
    # argostranslate is an optional extra and has no type information: Any to mypy
    from argostranslate.package import Package

log = logging.getLogger(__name__)


def argos_importable() -> bool:
    return importlib.util.find_spec("argostranslate") is not None


def install_package(path: Path) -> str:
    """Installs a local .argosmodel file; returns "from -> to". Never downloads."""
    if not argos_importable():
        raise TranslationError(
            "argostranslate is not installed (pip install 'civicline[translate]')"
        )
    import argostranslate.package as argos_package

    path = Path(path)
    if not path.is_file():
        raise TranslationError(f"{path}: no such file")
    try:
        argos_package.install_from_path(path)
    except Exception as exc:  # a broken zip or metadata
        raise TranslationError(f"{path}: not an Argos package ({exc})") from exc
    meta = _metadata(path)
    return f"{meta.get('from_code', '?')} -> {meta.get('to_code', '?')}"


def _metadata(path: Path) -> dict:
    import json
    import zipfile

    with zipfile.ZipFile(path) as zf:
        name = next((n for n in zf.namelist() if n.endswith("metadata.json")), None)
        return json.loads(zf.read(name)) if name else {}


class _Sentences:
    """Sentence splitting without a model. argostranslate's default splitter fetches
    a model from the network when a package has none, which hangs offline; callers'
    utterances and catalog prompts are short, so punctuation is enough."""

    _END = re.compile(r"(?<=[.!?])\s+")

    def split_sentences(self, text: str) -> list[str]:
        return [s for s in self._END.split(text) if s.strip()] or [text]


class ArgosEngine(Engine):
    """Installed Argos packages (argostranslate's package folder; XDG_DATA_HOME or
    ARGOS_PACKAGES_DIR move it). Direct pairs only: no pivot through English."""

    name = "argos"

    def __init__(self, device: str = "cpu") -> None:
        self.device = device
        self._translators: dict[str, object] = {}
        self._lock = threading.Lock()

    def _package(self, source: str, target: str) -> Package | None:
        if not argos_importable():
            return None
        import argostranslate.package as argos_package

        src, tgt = base_lang(source), base_lang(target)
        for pkg in argos_package.get_installed_packages():
            if pkg.type == "translate" and pkg.from_code == src and pkg.to_code == tgt:
                return pkg
        return None

    def supports(self, source: str, target: str) -> bool:
        try:
            return self._package(source, target) is not None
        except Exception:  # a half-installed package must not break the chain
            log.exception("argos: installed packages unreadable")
            return False

    def translate_text(self, text: str, source: str, target: str) -> str:
        pkg = self._package(source, target)
        if pkg is None:
            raise TranslationError(f"argos has no package {source} -> {target}")
        import ctranslate2
        from argostranslate.translate import apply_packaged_translation

        key = str(pkg.package_path)
        with self._lock:  # one CTranslate2 model per package, loaded once
            translator = self._translators.get(key)
            if translator is None:
                translator = ctranslate2.Translator(
                    str(pkg.package_path / "model"), device=self.device
                )
                self._translators[key] = translator
        hypotheses = apply_packaged_translation(
            pkg, text, translator, _Sentences(), num_hypotheses=1
        )
        return hypotheses[0].value
