"""Voice activity and end-of-speech detection with the Silero VAD model that ships inside
faster-whisper (no download). Tuned for the phone: 8 kHz audio is upsampled to the model's
16 kHz, a caller's pause must last ``end_silence_ms`` before we answer, and an energy floor
keeps line hiss from counting as speech. Every number is a field of :class:`VadConfig` so a
city can tune it in configuration.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from voice.audio.codec import pcm16_to_float
from voice.audio.resample import StreamResampler
from voice.errors import EngineUnavailableError, ModelMissingError
from voice.onnx_session import open_session

VAD_RATE = 16000
WINDOW = 512  # samples per model step at 16 kHz (32 ms)
CONTEXT = 64  # samples of the previous window the model expects in front of each window
WINDOW_MS = WINDOW * 1000 // VAD_RATE
RESET_AFTER_WINDOWS = 2000 // WINDOW_MS
"""Silero's recurrent state is reset after this long (2 s) without speech: over a long
silence (a caller listening to a 9 s menu) its speech probability for the same word decays
from 0.85 to about 0.5, and the answer after the menu went unheard."""
QUIET_PROB = 0.15
"""Only windows this far below any speech count towards the reset: soft speech under the
threshold (a first syllable at 0.36) is not silence, and a reset inside it loses the word."""
WARM_WINDOWS = 8
"""A fresh state first hears the last quarter second again: one that met a word's onset cold
missed its first syllables."""
WARM_START_WINDOWS = 3
"""A new detector's state first hears this much silence (96 ms): one that met a word's onset
cold, as in a recording that starts on its first word, missed it. Measured on whole
recordings, Piper's lone "English" went unheard in 8 of 60 tries and "Two" in 13 of 16,
after 96 ms of silence in 0 of 60 and 6 of 16; of 80 real recordings a language cut at
their onset, 8, 9 and 5 were missed, after it only the tones (0.3 s of silence was worse
for "Two")."""

SOFT_RETURN_WINDOWS = 4
"""After this much of a pause (128 ms), a window at the onset level and at most
``SOFT_RETURN_DB`` below the caller's loudest speech is the caller talking again: "Yes,
that's right." with a soft "that's" (0.2-0.5, at the caller's own level) was cut in two
after "Yes," in 7 to 18 of 500 Piper renderings (1 of 600 after, 10 before on the same
audio), and "right" answered the next question. Sooner, it is the last word fading: counted
as speech it ended 481 of 1248 real recordings later (20 ms on average); after this pause
and near the caller's level, 4 (1 ms on average)."""
SOFT_RETURN_DB = 20.0
"""Quieter than this under the caller, a soft window is someone else (a voice in the room,
a television): a voice 32 dB under the caller kept 10 of 20 utterances open past 1.5 s
without this bound, 5 with it, as before the soft return."""


@dataclass(frozen=True)
class VadConfig:
    """End-of-speech settings (per city, from configuration)."""

    threshold: float = 0.5
    """Speech probability above which a window is speech."""
    onset_threshold: float | None = None
    """Once a window reached ``threshold``, the next ones count towards ``min_speech_ms``
    down to this probability (Silero's own hysteresis; None: ``threshold`` - 0.15). In a
    pause, a window at this level after ``SOFT_RETURN_WINDOWS``, near the caller's level, is
    speech again."""
    min_speech_ms: int = 160
    """Speech shorter than this (a cough, a click) does not start an utterance."""
    end_silence_ms: int = 700
    """Silence after speech that ends the utterance; callers pause mid-sentence on the phone."""
    pre_roll_ms: int = 300
    """Audio kept from before the detected start, so first syllables are not cut."""
    max_utterance_s: float = 20.0
    """An utterance is closed after this long even if the caller keeps talking."""
    min_rms_dbfs: float = -55.0
    """Windows quieter than this are silence whatever the model says (line hiss)."""
    early_ms: int = 0
    """After this much silence, hand out the speech so far as a provisional utterance, so
    recognition can start while the end of speech is still being confirmed (0: never)."""

    @property
    def onset_level(self) -> float:
        """``onset_threshold``, or Silero's own default below ``threshold``."""
        return self.threshold - 0.15 if self.onset_threshold is None else self.onset_threshold


def silero_model_path() -> Path:
    """Path of the Silero VAD ONNX file bundled with faster-whisper."""
    spec = importlib.util.find_spec("faster_whisper")
    if spec is None or not spec.submodule_search_locations:
        raise EngineUnavailableError("voice activity detection needs 'faster-whisper': pip install 'civicline[voice]'")
    path = Path(next(iter(spec.submodule_search_locations))) / "assets" / "silero_vad_v6.onnx"
    if not path.is_file():
        raise ModelMissingError(f"Silero VAD model not found at {path}; reinstall faster-whisper")
    return path


class SileroModel:
    """The shared, stateless ONNX session. Per-stream state lives in :class:`SileroState`."""

    def __init__(self, path: Path | None = None) -> None:
        # One thread: VAD runs per call on every frame and must not fight the recogniser.
        self.session = open_session(path or silero_model_path(), threads=1, log_severity=4)


@dataclass
class SileroState:
    """Recurrent state of one audio stream."""

    h: np.ndarray = field(default_factory=lambda: np.zeros((1, 1, 128), np.float32))
    c: np.ndarray = field(default_factory=lambda: np.zeros((1, 1, 128), np.float32))
    context: np.ndarray = field(default_factory=lambda: np.zeros(CONTEXT, np.float32))

    @classmethod
    def warmed(cls, model: SileroModel) -> SileroState:
        """A fresh state that has heard ``WARM_START_WINDOWS`` of silence."""
        state = cls()
        for _ in range(WARM_START_WINDOWS):
            state.step(model, np.zeros(WINDOW, np.float32))
        return state

    def step(self, model: SileroModel, window: np.ndarray) -> float:
        """Speech probability of one 512-sample float32 window at 16 kHz."""
        x = np.concatenate([self.context, window]).reshape(1, -1).astype(np.float32)
        prob, self.h, self.c = model.session.run(None, {"input": x, "h": self.h, "c": self.c})
        self.context = window[-CONTEXT:]
        return float(np.asarray(prob).ravel()[0])


@dataclass(frozen=True)
class Utterance:
    """One stretch of speech the detector closed."""

    samples: np.ndarray
    """16 kHz int16 audio, pre-roll included."""
    rate: int
    start_s: float
    """Start time in the stream, seconds."""
    truncated: bool
    """True when closed by ``max_utterance_s`` rather than by the caller's pause."""
    final: bool = True
    """False for a provisional utterance (``early_ms``): the caller may still go on."""
    voiced_s: float = 0.0
    """Seconds from the start to the last speech window: a provisional utterance with the
    same start and voiced_s as the final one holds all of its speech."""


class EndOfSpeechDetector:
    """Feed audio of any rate in chunks of any size; get back the utterances it closes.

    ``in_speech`` tells whether the caller is talking now (for barge-in).
    """

    def __init__(self, model: SileroModel, rate: int, config: VadConfig | None = None) -> None:
        self.model, self.config, self.rate = model, config or VadConfig(), rate
        self._resampler = StreamResampler(rate, VAD_RATE)
        self._state = SileroState.warmed(model)
        self._pending = np.zeros(0, np.int16)  # 16 kHz samples not yet a full window
        self._history: list[np.ndarray] = []  # recent windows for pre-roll
        self._speech: list[np.ndarray] = []
        self._speech_windows = 0
        self._silence_windows = 0
        self._elapsed_windows = 0
        self._quiet_windows = 0
        self._start_window = 0
        self._loudest = -np.inf  # dBFS of the utterance's loudest speech window
        self.in_speech = False
        self._raw_probability = 0.0  # the last window's, before the hiss floor

    def feed(self, samples: np.ndarray) -> list[Utterance]:
        """Process int16 samples at the detector's rate."""
        return self._windows(np.concatenate([self._pending, self._resampler.process(samples)]))

    def _windows(self, data: np.ndarray) -> list[Utterance]:
        """Run the whole windows of 16 kHz ``data``; keep the rest for the next call."""
        n = len(data) // WINDOW * WINDOW
        self._pending = data[n:]
        return [u for i in range(0, n, WINDOW) if (u := self._window(data[i : i + WINDOW])) is not None]

    def finish(self) -> Utterance | None:
        """End of stream: close an utterance in progress (if it was real speech).

        The resampler's filter and a last partial window are heard too: a recording that
        ends on its last word would otherwise lose up to 0.13 s of it."""
        tail = np.concatenate([self._pending, self._resampler.flush()])
        closed = [u for u in self._windows(np.concatenate([tail, np.zeros(-len(tail) % WINDOW, np.int16)])) if u.final]
        if closed:
            return closed[0]  # its end of speech fell in the tail
        if self.in_speech and self._speech_windows * WINDOW_MS >= self.config.min_speech_ms:
            return self._close(truncated=False)
        return None

    def _probability(self, window: np.ndarray) -> tuple[float, float]:
        """The window's speech probability (0 when it is quieter than the line's hiss) and
        its level in dBFS."""
        f = pcm16_to_float(window)
        prob = self._state.step(self.model, f)
        self._raw_probability = prob
        level = 20 * float(np.log10(np.sqrt(np.mean(f * f)) + 1e-9))
        return (prob if level >= self.config.min_rms_dbfs else 0.0), level

    def _window(self, window: np.ndarray) -> Utterance | None:
        cfg = self.config
        prob, level = self._probability(window)
        speech = prob >= cfg.threshold
        self._elapsed_windows += 1
        if not self.in_speech:
            self._history.append(window)
            pre = max(1, cfg.pre_roll_ms // WINDOW_MS)
            quiet = self._raw_probability < QUIET_PROB
            self._quiet_windows = self._quiet_windows + 1 if quiet else 0
            if self._quiet_windows >= RESET_AFTER_WINDOWS:
                self._state, self._quiet_windows = SileroState(), 0
                for past in self._history[-WARM_WINDOWS:]:
                    self._state.step(self.model, pcm16_to_float(past))
            if speech or (self._speech_windows and prob >= cfg.onset_level):
                self._loudest = max(self._loudest, level) if self._speech_windows else level
                self._speech_windows += 1
                if self._speech_windows * WINDOW_MS >= cfg.min_speech_ms:
                    # Keep the detected onset plus the pre-roll before it.
                    keep = self._speech_windows + pre
                    self._speech = self._history[-keep:]
                    self._start_window = self._elapsed_windows - len(self._speech)
                    self.in_speech, self._silence_windows = True, 0
            else:
                self._speech_windows = 0
            del self._history[: -(pre + cfg.min_speech_ms // WINDOW_MS + 2)]
            return None
        self._speech.append(window)
        if speech:
            self._speech_windows += 1
            self._loudest = max(self._loudest, level)
        soft_return = (
            self._silence_windows >= SOFT_RETURN_WINDOWS
            and prob >= cfg.onset_level
            and level >= self._loudest - SOFT_RETURN_DB
        )
        if speech or soft_return:
            self._silence_windows = 0
        else:
            self._silence_windows += 1
            if cfg.early_ms and self._silence_windows == -(-cfg.early_ms // WINDOW_MS) and cfg.early_ms < cfg.end_silence_ms:
                return self._utterance(truncated=False, final=False)  # once per pause
        if self._silence_windows * WINDOW_MS >= cfg.end_silence_ms:
            return self._close(truncated=False)
        if len(self._speech) * WINDOW / VAD_RATE >= cfg.max_utterance_s:
            return self._close(truncated=True)
        return None

    def _utterance(self, truncated: bool, final: bool) -> Utterance:
        audio = np.concatenate(self._speech) if self._speech else np.zeros(0, np.int16)
        voiced = (len(self._speech) - self._silence_windows) * WINDOW / VAD_RATE
        return Utterance(audio, VAD_RATE, self._start_window * WINDOW / VAD_RATE, truncated, final, voiced)

    def _close(self, truncated: bool) -> Utterance:
        utt = self._utterance(truncated, final=True)
        self._speech, self._history = [], []
        self._speech_windows = self._silence_windows = 0
        self.in_speech = False
        return utt


def speech_segments(
    model: SileroModel, samples: np.ndarray, rate: int, config: VadConfig | None = None
) -> list[Utterance]:
    """Every utterance in a whole recording (used to drop silence before recognition)."""
    det = EndOfSpeechDetector(model, rate, config)
    out = [u for u in det.feed(np.asarray(samples, np.int16)) if u.final]
    last = det.finish()
    return out + ([last] if last is not None else [])
