"""Rendering the vocabulary: the same sample of pieces rendered each piece heard alone (one
recognition per piece and candidate, as before) and heard several at a time
(``voice.vocab.scoring``), in one run, each into its own empty cache, with the same workers.

    .venv/bin/python bench/render_bench.py [--lang fr] [--pieces 40] [--workers 2] [--seed 1]

Prints, for each way: seconds, pieces a minute, candidates rendered, pieces heard word for
word, and the mean word error of the kept renderings (the two ways judge with different
clips, so these say how each judged, not which audio is better).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lang", default="fr")
    ap.add_argument("--pieces", type=int, default=40)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--order", choices=["alone-first", "batched-first"], default="alone-first")
    args = ap.parse_args()

    from civicline.config import load_config
    from civicline.vocabulary import vocabulary
    from civicline.wiring import load_runtime, speech_engines
    from voice.tts.cache import AudioCache
    from voice.vocab.manifest import Manifest
    from voice.vocab.render import BATCH, render_vocabulary, vocabulary_pieces
    from voice.vocab.scoring import CLIP_S

    config = load_config(None)
    runtime = load_runtime(config)
    today = datetime.now(runtime.town.timezone).date()
    vocab = vocabulary_pieces(vocabulary(runtime, args.lang, today), args.lang)
    keys = random.Random(args.seed).sample(sorted(vocab), min(args.pieces, len(vocab)))
    sample = {k: vocab[k] for k in keys}
    voice_id = speech_engines(config).synthesizer(args.lang).voice_id
    ways = [("alone", 0.0, 1), ("batched", CLIP_S, BATCH)]
    if args.order == "batched-first":
        ways.reverse()
    print(f"render bench, {args.lang}, {len(sample)} pieces ({sum(len(t.split()) for t in sample.values())} words), "
          f"{args.workers} workers, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f} at start")
    rows = []
    for name, clip_s, batch in ways:
        with tempfile.TemporaryDirectory() as tmp:
            report = render_vocabulary(sample, args.lang, AudioCache(Path(tmp)), voice_id, voice_config=config.voice_models,
                                       workers=args.workers, clip_s=clip_s, batch=batch)
            entries = list(Manifest.load(Path(tmp), args.lang).pieces.values())  # type: ignore[union-attr]
        scored = [e for e in entries if e.score is not None]
        rows.append((name, report.seconds, len(entries) / report.seconds * 60, sum(e.tried for e in entries),
                     sum(1 for e in scored if e.score == 0), len(scored),
                     sum(e.score or 0 for e in scored) / max(1, len(scored)), os.getloadavg()[0]))
    print("| pieces heard | seconds | pieces/min | candidates rendered | heard word for word | mean error kept | load after |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, seconds, rate, tried, perfect, heard, error, load in rows:
        print(f"| {name} | {seconds:.0f} | {rate:.1f} | {tried} | {perfect} of {heard} | {error:.1%} | {load:.1f} |")
    by = {r[0]: r for r in rows}
    print(f"batched / alone: {by['batched'][2] / by['alone'][2]:.2f}x the pieces a minute")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
