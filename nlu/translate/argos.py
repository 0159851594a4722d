"""Argos Translate (OpenNMT models run by CTranslate2, SentencePiece tokens).

No language package ships in any registry: a city downloads `.argosmodel` files and
installs them with `civicline models add FILE` (`install_package`). argostranslate is
an optional extra (`pip install civicline[translate]`); without it this engine simply
supports nothing.
"""

from __future__ import annotations

import importlib.util
import logging
from pathlib import Path

from nlu.translate.base import Engine, TranslationError, base_lang

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


class ArgosEngine(Engine):
    name = "argos"

    def _languages(self) -> dict[str, object]:
        if not argos_importable():
            return {}
        import argostranslate.translate as argos_translate

        return {lang.code: lang for lang in argos_translate.get_installed_languages()}

    def _translation(self, source: str, target: str):
        langs = self._languages()
        src, tgt = langs.get(base_lang(source)), langs.get(base_lang(target))
        if src is None or tgt is None:
            return None
        return src.get_translation(tgt)  # type: ignore[attr-defined]

    def supports(self, source: str, target: str) -> bool:
        try:
            return self._translation(source, target) is not None
        except Exception:  # a half-installed package must not break the chain
            log.exception("argos: installed packages unreadable")
            return False

    def translate_text(self, text: str, source: str, target: str) -> str:
        translation = self._translation(source, target)
        if translation is None:
            raise TranslationError(f"argos has no package {source} -> {target}")
        return translation.translate(text)
