"""Which request a sentence's meaning points to: a multinomial logistic regression on its
sentence vector, fitted on the catalogs' examples (every language's, and the questions the
town does not answer as a class of their own) and on callers' own labelled sentences when
given (nlu.hybrid; translations/caller_sentences.py).

The nearest example (nlu.semantic) says how near the sentence is to one wording; the
regression weighs every example of every request at once, so a request whose wordings
spread widely ("the tip", "the dump", "la decheterie") is still recognised from a wording
none of its examples has. Plain numpy: fitted by full-batch Adam from zero weights
(deterministic), classes weighted by their number of examples, a small L2 penalty; the
weights are kept by content (in memory and as a .npy file beside the example vectors), so
a rebuilt runtime fits nothing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from nlu.semantic import cached_array

__all__ = ["IntentRegression", "fit_softmax"]

L2 = 1e-4  # chosen by leave-one-set-out folds over the caller sets (1e-3 ranked worse)
ITERATIONS = 400
STEP = 0.05
_FITTED: dict[str, Any] = {}
_KEEP = 16


def fit_softmax(x: Any, y: Any, classes: int, l2: float = L2, iterations: int = ITERATIONS) -> Any:
    """Weights (dims + 1, classes), the last row the biases, of a class-balanced softmax
    regression of the labels `y` (0..classes-1) on the rows of `x`."""
    import numpy as np

    x = np.asarray(x, dtype=np.float64)
    n, dims = x.shape
    targets = np.eye(classes)[y]
    counts = np.maximum(targets.sum(axis=0), 1.0)
    weight = (n / (classes * counts))[y][:, None] / n
    w = np.zeros((dims + 1, classes))
    m = np.zeros_like(w)
    v = np.zeros_like(w)
    xb = np.hstack([x, np.ones((n, 1))])
    penalty = np.full((dims + 1, 1), l2)
    penalty[-1] = 0.0  # the biases are not shrunk
    for t in range(1, iterations + 1):
        z = xb @ w
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        grad = xb.T @ ((p - targets) * weight) + penalty * w
        m = 0.9 * m + 0.1 * grad
        v = 0.999 * v + 0.001 * grad**2
        w -= STEP * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)
    return w.astype(np.float32)


class IntentRegression:
    """P(request | sentence vector) for the requests of the examples given."""

    def __init__(self, vectors: Any, labels: Sequence[str], *, cache_dir: Path | None = None) -> None:
        import numpy as np

        self.classes = tuple(dict.fromkeys(labels))
        index = {c: k for k, c in enumerate(self.classes)}
        y = np.array([index[label] for label in labels], dtype=int)
        key = _key(vectors, labels)
        if key not in _FITTED:
            path = cache_dir / f"intent-regression-{key}.npy" if cache_dir else None
            _FITTED[key] = cached_array(
                path, lambda: fit_softmax(vectors, y, len(self.classes)), "intent regression",
                rows=int(np.asarray(vectors).shape[1]) + 1,
            )
            while len(_FITTED) > _KEEP:
                _FITTED.pop(next(iter(_FITTED)))
        self.weights = _FITTED[key]

    def probabilities(self, vector: Any) -> dict[str, float]:
        """Each request's probability (they sum to 1 over all the examples' requests)."""
        import numpy as np

        z = np.asarray(vector, dtype=np.float32) @ self.weights[:-1] + self.weights[-1]
        z = np.exp(z - z.max())
        z /= z.sum()
        return {c: float(p) for c, p in zip(self.classes, z, strict=True)}


def _key(vectors: Any, labels: Sequence[str]) -> str:
    import numpy as np

    digest = hashlib.sha256(np.ascontiguousarray(vectors, dtype=np.float32).tobytes())
    digest.update(json.dumps([list(labels), L2, ITERATIONS, STEP]).encode("utf-8"))
    return digest.hexdigest()[:16]
