"""Time to understand one caller utterance on the demo town (goal: under 5 ms).

Run: .venv/bin/python bench/nlu_bench.py [--repeat N]
Measures, per language, over the labelled utterances (tests/nlu/data): intent ranking
and decision with the catalog's examples, and address resolution against the town's
streets; each utterance is made unique per round so the normalisation cache does not
flatter the numbers.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from civicline.commands.nlu_cmd import DATA, TOWN, _catalog, gazetteer  # noqa: E402
from nlu.addresses import AddressResolver  # noqa: E402
from nlu.eval import load_labelled  # noqa: E402
from nlu.intents import IntentMatcher  # noqa: E402

GOAL_MS = 5.0


def _pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(p * len(values)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    streets = gazetteer(TOWN)
    resolver = AddressResolver(streets)
    print(f"{len(streets)} streets; goal {GOAL_MS} ms per utterance (intent + address)")
    worst = 0.0
    for lang in ("en", "fr", "es"):
        t0 = time.perf_counter()
        matcher = IntentMatcher(_catalog(lang).intents, lang)
        build_ms = (time.perf_counter() - t0) * 1000
        texts = [str(c["text"]) for c in load_labelled(DATA / f"utterances_{lang}.yaml").cases]
        intent_ms, address_ms = [], []
        for r in range(args.repeat):
            for text in texts:
                unique = f"{text} {'x' * (r + 1)}"  # defeats the normalize cache
                t = time.perf_counter()
                matcher.decide(unique)
                intent_ms.append((time.perf_counter() - t) * 1000)
                t = time.perf_counter()
                resolver.resolve(unique, lang)
                address_ms.append((time.perf_counter() - t) * 1000)
        total = [a + b for a, b in zip(intent_ms, address_ms, strict=True)]
        worst = max(worst, _pct(total, 0.95))
        print(
            f"{lang}: matcher built in {build_ms:.0f} ms; per utterance "
            f"intent median {statistics.median(intent_ms):.2f} ms, "
            f"address median {statistics.median(address_ms):.2f} ms, "
            f"both p95 {_pct(total, 0.95):.2f} ms, max {max(total):.2f} ms "
            f"({len(total)} runs)"
        )
    print(f"p95 worst language: {worst:.2f} ms -> {'OK' if worst < GOAL_MS else 'OVER GOAL'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
