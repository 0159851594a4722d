"""Audio plumbing: codecs, resampling, WAV files, framing and voice activity detection."""

from voice.audio.codec import bytes_to_pcm16, pcm16_to_bytes, pcm16_to_ulaw, ulaw_to_pcm16
from voice.audio.frames import FRAME_MS, Framer, frames
from voice.audio.resample import StreamResampler, resample
from voice.audio.wav import read_wav, wav_bytes, write_wav

__all__ = [
    "FRAME_MS",
    "Framer",
    "StreamResampler",
    "bytes_to_pcm16",
    "frames",
    "pcm16_to_bytes",
    "pcm16_to_ulaw",
    "read_wav",
    "resample",
    "ulaw_to_pcm16",
    "wav_bytes",
    "write_wav",
]
