"""Vosk, for real, with the only Vosk model the registries ship (Korean). Speech comes from
espeak-ng's Korean voice: robotic, so free recognition is poor, but restricted to the
phrases a dialog node expects it must pick the right one."""

import numpy as np
import pytest

from voice.errors import AudioFormatError, ModelMissingError

pytestmark = pytest.mark.slow

PHRASES = ["안녕하세요", "감사합니다", "쓰레기 수거", "시청", "예", "아니요"]
SPOKEN = ["안녕하세요", "감사합니다", "시청", "예", "아니요"]


@pytest.fixture(scope="module")
def korean(espeak):
    return {p: espeak.synthesize(p, "ko", slow=True) for p in SPOKEN}


def test_model_has_dynamic_graph_so_phrases_restrict(vosk_ko):
    assert vosk_ko.supports_streaming and vosk_ko.supports_phrases
    assert vosk_ko.languages() == {"ko"}


def test_phrase_list_picks_the_spoken_phrase(vosk_ko, korean):
    heard = {p: vosk_ko.transcribe(s.samples, s.rate, "ko", phrases=PHRASES).text for p, s in korean.items()}
    right = [p for p, h in heard.items() if h == p]
    assert len(right) >= 4, heard
    assert all(h in PHRASES or h == "" for h in heard.values()), heard


def test_free_recognition_decodes_something(vosk_ko, korean):
    s = korean["안녕하세요"]
    assert vosk_ko.transcribe(s.samples, s.rate, "ko").text.strip()


def test_streaming_20ms_frames_gives_partials_and_same_final(vosk_ko, korean):
    s = korean["감사합니다"].at_rate(8000)
    session = vosk_ko.start_stream(8000, "ko", phrases=PHRASES)
    partials = [session.accept_chunk(s.samples[i : i + 160]) for i in range(0, len(s.samples), 160)]
    final = session.finish()
    assert final.is_final and final.text == "감사합니다"
    assert any(p is not None and not p.is_final for p in partials)


def test_silence_gives_empty_and_wrong_language_is_refused(vosk_ko):
    assert vosk_ko.transcribe(np.zeros(16000, np.int16), 16000, "ko").text == ""
    with pytest.raises(ModelMissingError, match="'ko'"):
        vosk_ko.transcribe(np.zeros(16000, np.int16), 16000, "fr")
    with pytest.raises(AudioFormatError):
        vosk_ko.transcribe(np.zeros(160, np.int16), 3, "ko")


def test_not_a_model_directory(tmp_path):
    from voice.stt.vosk import load_vosk

    with pytest.raises(ModelMissingError, match="not a Vosk model"):
        load_vosk(tmp_path)
