"""Where words are lost through a mobile network and noise: civicline's Whisper path with one
part changed at a time, every recording sent to each variant in turn (one model, one run).

    .venv/bin/python bench/stt_ablation_bench.py [--lang es] [--channel gsm gsm+15dB]
        [--recordings 40] [--held-out]

Variants: ``as-runs`` (the default settings), ``no-vad`` (the whole audio to Whisper, not only
what the VAD calls speech), ``full-window`` (Whisper's 30 s encoder window instead of 10 s),
``fallback`` (Whisper's temperature fallback, as the Wyoming peer decodes), ``timestamps``
(decoded with timestamps), ``no-token-bound`` (no cap on the tokens for the audio's length).
The first sample is the default, the one settings may be chosen on; ``--held-out`` measures
the other one, which reports results and must not be tuned on.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from voice.engines import SpeechEngines  # noqa: E402
from voice.eval import each_in_turn, sample, score_transcripts, text_of  # noqa: E402
from voice.stt.whisper import WhisperTranscriber  # noqa: E402

FALLBACK = [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]


class Overriding:
    """A faster-whisper model whose ``transcribe`` gets some arguments changed; everything
    else (the encoder, already trimmed to the short window, the tokenizer) is the model's."""

    def __init__(self, model: Any, change: dict[str, Any], drop: tuple[str, ...] = ()) -> None:
        self._model, self._change, self._drop = model, change, drop

    def transcribe(self, audio: Any, **kwargs: Any) -> Any:
        for name in self._drop:
            kwargs.pop(name, None)
        return self._model.transcribe(audio, **{**kwargs, **self._change})

    def __getattr__(self, name: str) -> Any:
        return getattr(self._model, name)


def variants(lang: str) -> dict[str, Any]:
    runs = SpeechEngines(cpu_threads=2).transcriber(lang)
    assert isinstance(runs, WhisperTranscriber)
    model, vad, decoding = runs.model, runs.vad, runs.decoding

    def with_model(m: Any, **kw: Any) -> WhisperTranscriber:
        return WhisperTranscriber(m, vad=kw.pop("vad", vad), decoding=decoding, **kw)

    return {
        "as-runs": runs,
        "no-vad": with_model(model, vad=None),
        "full-window": with_model(model, min_window_s=None),
        "fallback": with_model(Overriding(model, {"temperature": FALLBACK})),
        "timestamps": with_model(Overriding(model, {"without_timestamps": False})),
        "no-token-bound": with_model(Overriding(model, {}, drop=("max_new_tokens",))),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lang", nargs="+", default=["es"])
    ap.add_argument("--channel", nargs="+", default=["gsm", "gsm+15dB"])
    ap.add_argument("--recordings", type=int, default=40)
    ap.add_argument("--held-out", action="store_true", help="the held-out sample (results; never tune on it)")
    args = ap.parse_args()
    print(f"sample: {'held out' if args.held_out else 'first (settings may be chosen on it)'}, "
          f"{args.recordings} recordings a language")
    for lang in args.lang:
        systems = variants(lang)
        recs = sample(lang, args.recordings, held_out=args.held_out)
        recognisers = {name: text_of(t) for name, t in systems.items()}
        for channel in args.channel:
            pairs, secs, _audio_s = each_in_turn(recs, channel, recognisers, lang)
            cells = [f"{name} {score_transcripts(lang, name, pairs[name], _audio_s, secs[name], channel).wer:.1%} "
                     f"({statistics.median(secs[name]):.2f} s)" for name in systems]
            print(f"{lang} {channel:9} " + "  ".join(cells), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
