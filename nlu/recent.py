"""A small, thread-safe memory of the last results computed from a sentence.

One turn asks several questions about the same sentence (a request said anywhere? which of
the menu's requests?); each question reuses what the first one computed instead of
embedding or matching the sentence again. Bounded and in memory only: what a caller said
is never written anywhere by it (docs/privacy.md).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Recent(Generic[K, V]):
    """The `size` most recently used results by key; computed outside the lock, so that
    two threads never wait on each other's work (both may compute the same key once)."""

    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError("a memory of results holds at least one")
        self.size = size
        self._items: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K, make: Callable[[], V]) -> V:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = make()
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)
