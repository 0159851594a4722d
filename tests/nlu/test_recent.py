"""The memory of a turn's results: bounded, most recent kept, computed once per key."""

from __future__ import annotations

import threading

import pytest

from nlu.recent import Recent


def test_a_result_is_computed_once_and_the_oldest_is_forgotten():
    made: list[str] = []
    recent: Recent[str, str] = Recent(2)

    def make(key: str):
        return lambda: made.append(key) or key.upper()

    assert recent.get("a", make("a")) == "A"
    assert recent.get("a", make("a")) == "A"
    recent.get("b", make("b"))
    recent.get("a", make("a"))  # "a" used again: "b" is now the oldest
    recent.get("c", make("c"))
    assert len(recent) == 2
    recent.get("a", make("a"))
    recent.get("b", make("b"))
    assert made == ["a", "b", "c", "b"]


def test_it_holds_at_least_one():
    with pytest.raises(ValueError):
        Recent(0)


def test_threads_asking_together_all_get_the_result_and_the_bound_holds():
    recent: Recent[int, int] = Recent(4)
    barrier = threading.Barrier(8)
    got: list[int] = []

    def ask(n: int) -> None:
        barrier.wait()
        for k in range(50):
            got.append(recent.get((n + k) % 6, lambda k=k: (n + k) % 6 * 10))

    threads = [threading.Thread(target=ask, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(got) == 400 and all(v % 10 == 0 and v <= 50 for v in got)
    assert len(recent) == 4
