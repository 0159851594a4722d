"""espeak-ng through its command line: robotic, but speaks about a hundred languages, so it
is the last resort when no neural voice is installed for a language."""

from __future__ import annotations

import shutil
import subprocess

import numpy as np

from voice.audio.codec import bytes_to_pcm16
from voice.errors import EngineUnavailableError, VoiceError
from voice.stt.base import base_language
from voice.tts.base import SLOW_FACTOR, Speech, Synthesizer

ESPEAK_VOICES = {"en": "en-us", "fr": "fr-fr", "es": "es"}


class EspeakSynthesizer(Synthesizer):
    name = "espeak"

    def __init__(self, binary: str = "espeak-ng", words_per_minute: int = 150, timeout: float = 30.0) -> None:
        path = shutil.which(binary)
        if path is None:
            raise EngineUnavailableError(f"'{binary}' not found: apt-get install espeak-ng")
        self.binary, self.wpm, self.timeout = path, words_per_minute, timeout

    @property
    def voice_id(self) -> str:
        return f"espeak:wpm={self.wpm}"

    def synthesize(self, text: str, language: str, slow: bool = False) -> Speech:
        if not text.strip():
            return Speech(np.zeros(0, np.int16), 22050)
        voice = ESPEAK_VOICES.get(base_language(language), base_language(language))
        wpm = int(self.wpm / SLOW_FACTOR) if slow else self.wpm
        try:
            # Text on stdin, never on the command line: it may start with '-'.
            out = subprocess.run(
                [self.binary, "-v", voice, "-s", str(wpm), "--stdout"],
                input=text.encode("utf-8"),
                capture_output=True,
                timeout=self.timeout,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise VoiceError(f"espeak-ng took more than {self.timeout:.0f} s") from exc
        if out.returncode != 0 or not out.stdout:
            raise VoiceError(f"espeak-ng failed for voice '{voice}': {out.stderr.decode(errors='replace').strip()}")
        return Speech(*_parse_stream_wav(out.stdout))


def _parse_stream_wav(data: bytes) -> tuple[np.ndarray, int]:
    # espeak-ng writes a streaming WAV whose header claims ~2^31 frames, so the wave module
    # cannot be trusted with it: take the rate from the header and the samples after it.
    if len(data) < 44 or data[:4] != b"RIFF" or data[36:40] != b"data":
        raise VoiceError("espeak-ng did not produce a WAV stream")
    rate = int.from_bytes(data[24:28], "little")
    return bytes_to_pcm16(data[44:]), rate
