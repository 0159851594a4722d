import importlib.util
import io
import wave

import numpy as np
import pytest

from support.voice_data import tone
from voice.audio.codec import bytes_to_pcm16, pcm16_to_bytes, pcm16_to_ulaw, ulaw_to_pcm16
from voice.audio.frames import Framer, frame_size, frames
from voice.audio.resample import StreamResampler, resample
from voice.audio.wav import read_wav, wav_bytes, write_wav
from voice.errors import AudioFormatError, AudioTooLongError, VoiceError


def test_ulaw_reference_values():
    # G.711 reference points: silence is 0xFF, full scale decodes to ±32124.
    assert pcm16_to_ulaw(np.array([0], np.int16)) == b"\xff"
    assert list(ulaw_to_pcm16(b"\x00\x80\xff\x7f")) == [-32124, 32124, 0, 0]
    assert pcm16_to_ulaw(np.array([32767, -32768], np.int16)) == b"\x80\x00"


def test_ulaw_matches_cpython_audioop_when_available():
    if importlib.util.find_spec("audioop") is None:  # Python 3.13+: reference points above hold
        return
    x = np.arange(-32768, 32768, 7, dtype=np.int16)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import audioop as ao
    assert pcm16_to_ulaw(x) == ao.lin2ulaw(x.tobytes(), 2)
    assert ulaw_to_pcm16(bytes(range(256))).tobytes() == ao.ulaw2lin(bytes(range(256)), 2)


def test_ulaw_round_trip_error_is_small_relative_to_level():
    x = tone(1.0, amplitude=0.5)
    y = ulaw_to_pcm16(pcm16_to_ulaw(x))
    snr = 10 * np.log10(np.sum(x.astype(float) ** 2) / np.sum((x.astype(float) - y) ** 2))
    assert snr > 30  # μ-law gives ~38 dB on a loud tone


def test_ulaw_refuses_float_samples():
    with pytest.raises(AudioFormatError):
        pcm16_to_ulaw(np.zeros(4, np.float32))


def test_pcm_bytes_round_trip_drops_odd_byte():
    x = np.array([1, -2, 32767], np.int16)
    assert list(bytes_to_pcm16(pcm16_to_bytes(x) + b"\x01")) == [1, -2, 32767]


def test_resample_lengths_and_frequency_preserved():
    x = tone(1.0, rate=8000, freq=1000)
    y = resample(x, 8000, 16000)
    assert y.dtype == np.int16 and abs(len(y) - 16000) <= 2
    spectrum = np.abs(np.fft.rfft(y.astype(float)))
    assert abs(np.argmax(spectrum) * 16000 / len(y) - 1000) < 5


def test_stream_resampler_matches_whole_signal():
    x = tone(1.0, rate=24000, freq=300)
    rs = StreamResampler(24000, 8000)
    parts = [rs.process(c) for c in np.array_split(x, 37)] + [rs.flush()]
    y = np.concatenate(parts)
    assert abs(len(y) - 8000) <= 2
    whole = resample(x, 24000, 8000)
    n = min(len(y), len(whole)) - 100
    assert np.max(np.abs(y[100:n].astype(int) - whole[100:n])) < 200


@pytest.mark.parametrize("rate", [0, -8000, 100, 10_000_000])
def test_absurd_sample_rates_are_refused(rate):
    with pytest.raises(AudioFormatError):
        resample(np.zeros(10, np.int16), rate, 16000)


def test_wav_round_trip(tmp_path):
    x = tone(0.5, rate=16000)
    write_wav(tmp_path / "a.wav", x, 16000)
    y, rate = read_wav(tmp_path / "a.wav")
    assert rate == 16000 and np.array_equal(x, y)


def _wav(channels: int, width: int, rate: int, frames: bytes) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(width)
        w.setframerate(rate)
        w.writeframes(frames)
    return buf.getvalue()


def test_stereo_is_mixed_down_and_8bit_converted():
    stereo = np.array([[1000, 3000], [-1000, -3000]], np.int16).tobytes()
    y, _ = read_wav(_wav(2, 2, 8000, stereo))
    assert list(y) == [2000, -2000]
    y, _ = read_wav(_wav(1, 1, 8000, bytes([128, 255, 0])))
    assert list(y) == [0, 127 << 8, -128 << 8]


@pytest.mark.parametrize(
    "data",
    [b"", b"RIFF", b"not a wav file at all" * 10, wav_bytes(tone(0.1), 8000)[:30]],
    ids=["empty", "header-only", "garbage", "truncated-header"],
)
def test_bad_wav_gives_clear_error(data):
    with pytest.raises(AudioFormatError):
        read_wav(data)


def test_wav_without_samples_is_an_error():
    with pytest.raises(AudioFormatError, match="no audio"):
        read_wav(_wav(1, 2, 8000, b""))


def test_truncated_data_keeps_what_is_there():
    data = wav_bytes(tone(0.5), 8000)
    y, _ = read_wav(data[: len(data) // 2 + 1])  # cut mid-sample
    assert 0 < len(y) < 4000


def test_wrong_rate_in_header_is_refused():
    with pytest.raises(AudioFormatError, match="sample rate"):
        read_wav(_wav(1, 2, 1000, b"\x00\x00" * 100))


def test_missing_file_is_a_voice_error(tmp_path):
    with pytest.raises(VoiceError):
        read_wav(tmp_path / "nope.wav")


def test_ten_minutes_is_refused_fast(tmp_path):
    write_wav(tmp_path / "long.wav", np.zeros(8000 * 600, np.int16), 8000)
    with pytest.raises(AudioTooLongError):
        read_wav(tmp_path / "long.wav", max_seconds=120)


def test_twenty_ms_frames():
    assert frame_size(8000) == 160 and frame_size(16000) == 320
    out = list(frames(np.ones(8000 + 50, np.int16), 8000))
    assert len(out) == 51 and all(len(f) == 160 for f in out)
    assert out[-1][50:].sum() == 0  # padding


def test_framer_rechunks_any_sizes():
    f = Framer(160)
    got = f.push(b"\x01" * 100) + f.push(b"\x02" * 300)
    assert [len(x) for x in got] == [160, 160]
    assert f.flush(pad=b"\xff") == b"\x02" * 80 + b"\xff" * 80
    assert f.flush() is None
