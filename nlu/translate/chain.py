"""Engines in fallback order, with protection of names and numbers, a timeout and a cache.

Never raises: a missing, slow or failing engine is logged and the next one is tried;
when none works the original text comes back with machine_translated=False.
"""

from __future__ import annotations

import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path

from nlu.translate.base import Engine, Translation, base_lang
from nlu.translate.protect import protect, restore

log = logging.getLogger(__name__)

NO_TRANSLATION = "none"


class TranslatorChain:
    def __init__(
        self,
        engines: Sequence[Engine],
        *,
        timeout: float = 15.0,
        cache_size: int = 4096,
        cache_path: Path | None = None,
        protected_terms: Sequence[str] = (),
    ) -> None:
        self.engines = list(engines)
        self.timeout = timeout
        self.protected_terms = tuple(protected_terms)
        self._cache: OrderedDict[tuple[str, str, str], tuple[str, str]] = OrderedDict()
        self._cache_size = cache_size
        self._cache_path = cache_path
        self._lock = threading.Lock()
        # Engines run in worker threads so a slow one can be abandoned after `timeout`
        # (the call goes on; its late answer is dropped).
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="translate")
        if cache_path and cache_path.exists():
            self._load_cache(cache_path)

    # -- cache ---------------------------------------------------------------------
    def _load_cache(self, path: Path) -> None:
        try:
            for row in json.loads(path.read_text(encoding="utf-8")):
                self._cache[(row["text"], row["source"], row["target"])] = (
                    row["translation"],
                    row["engine"],
                )
        except (OSError, ValueError, KeyError, TypeError):
            log.warning("translation cache %s unreadable; starting empty", path)

    def save_cache(self) -> None:
        if not self._cache_path:
            return
        with self._lock:
            rows = [
                {"text": k[0], "source": k[1], "target": k[2], "translation": v[0], "engine": v[1]}
                for k, v in self._cache.items()
            ]
        self._cache_path.parent.mkdir(parents=True, exist_ok=True)
        self._cache_path.write_text(json.dumps(rows, ensure_ascii=False, indent=0), "utf-8")

    def _remember(self, key: tuple[str, str, str], value: tuple[str, str]) -> None:
        with self._lock:
            self._cache[key] = value
            self._cache.move_to_end(key)
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)

    # -- translation ---------------------------------------------------------------
    def translate(
        self, text: str, source: str, target: str, *, terms: Sequence[str] = ()
    ) -> Translation:
        return self.translate_many([text], source, target, terms=terms)[0]

    def translate_many(
        self, texts: Sequence[str], source: str, target: str, *, terms: Sequence[str] = ()
    ) -> list[Translation]:
        texts = [t if isinstance(t, str) else "" for t in texts]
        results: list[Translation | None] = [None] * len(texts)
        todo: list[int] = []
        for i, text in enumerate(texts):
            key = (text, base_lang(source), base_lang(target))
            if not text.strip() or key[1] == key[2]:
                results[i] = Translation(text, NO_TRANSLATION, False)
            elif key in self._cache:
                out, engine_name = self._cache[key]
                results[i] = Translation(out, engine_name, True)
            else:
                todo.append(i)
        all_terms = tuple(terms) + self.protected_terms
        for engine in self.engines:
            if not todo:
                break
            if not self._supports(engine, source, target):
                continue
            protected = [protect(texts[i], all_terms) for i in todo]
            try:
                future = self._pool.submit(
                    engine.translate_many, [p[0] for p in protected], source, target
                )
                outs = future.result(timeout=self.timeout)
            except FutureTimeout:
                log.warning(
                    "%s: no translation in %g s, trying the next engine", engine.name, self.timeout
                )
                continue
            except Exception as exc:  # any engine failure degrades, never crashes a call
                log.warning("%s failed (%s), trying the next engine", engine.name, exc)
                continue
            still: list[int] = []
            for i, (_, mapping), out in zip(todo, protected, outs, strict=False):
                restored = restore(out, mapping) if isinstance(out, str) else None
                if restored is None or not restored.strip():
                    still.append(i)  # a protected name or number was lost
                    continue
                results[i] = Translation(restored, engine.name, True)
                self._remember(
                    (texts[i], base_lang(source), base_lang(target)), (restored, engine.name)
                )
            todo = still
        return [r or Translation(texts[i], NO_TRANSLATION, False) for i, r in enumerate(results)]

    @staticmethod
    def _supports(engine: Engine, source: str, target: str) -> bool:
        try:
            return bool(engine.supports(source, target))
        except Exception:
            log.exception("%s: cannot tell which languages it supports", engine.name)
            return False

    def as_catalog_translator(self) -> Callable[[str, str, str], tuple[str, str] | None]:
        """The shape translations.catalog.Catalogs takes: (text, source, target) ->
        (text, engine) or None when nothing could translate."""

        def translator(text: str, source: str, target: str) -> tuple[str, str] | None:
            result = self.translate(text, source, target)
            return (result.text, result.engine) if result.machine_translated else None

        return translator


def default_chain(
    order: Sequence[str] = ("argos", "apertium"),
    *,
    timeout: float = 15.0,
    cache_size: int = 4096,
    cache_path: Path | None = None,
    protected_terms: Sequence[str] = (),
) -> TranslatorChain:
    """The engines named in `order` that can be built here (argos only when its
    package is importable: it is an optional extra)."""
    engines: list[Engine] = []
    for name in order:
        if name == "apertium":
            from nlu.translate.apertium import ApertiumEngine

            engines.append(ApertiumEngine())
        elif name == "argos":
            from nlu.translate.argos import ArgosEngine

            engines.append(ArgosEngine())
        else:
            log.warning("unknown translation engine %r ignored", name)
    return TranslatorChain(
        engines,
        timeout=timeout,
        cache_size=cache_size,
        cache_path=cache_path,
        protected_terms=protected_terms,
    )
