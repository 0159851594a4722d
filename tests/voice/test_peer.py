"""The peer of bench/noise_bench.py: Home Assistant's wyoming-faster-whisper, run on
127.0.0.1 with the Whisper base model from the registry packages (assembled in a temporary
folder, never downloaded), answers over the wyoming protocol."""

import importlib.util
import sys
from pathlib import Path

import pytest

from voice.channel import through_channel
from voice.eval import normalize, sample, word_error_rate

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import wyoming_peer  # noqa: E402


@pytest.mark.slow
def test_the_model_folder_is_assembled_from_the_packages(tmp_path):
    folder = wyoming_peer.assemble_model(tmp_path / "m")
    assert sorted(p.name for p in folder.iterdir()) == ["config.json", "model.bin", "tokenizer.json", "vocabulary.txt"]
    assert (folder / "model.bin").stat().st_size > 50_000_000


@pytest.mark.slow
def test_the_peer_hears_a_recording_in_each_language(tmp_path):
    if importlib.util.find_spec("wyoming_faster_whisper") is None:
        pytest.fail("the peer needs: pip install -e '.[peer]'", pytrace=False)
    with wyoming_peer.wyoming_server(cpu_threads=2, log=tmp_path / "peer.log") as (port, version):
        assert version
        for lang in ("en", "fr", "es"):
            recs = sample(lang, 40)[:2]
            heard = [wyoming_peer.transcribe(port, through_channel(r.path, "gsm"), 8000, lang) for r in recs]
            assert all(a.seconds > 0 for a in heard)
            wer = word_error_rate([normalize(r.text, lang) for r in recs], [normalize(a.text, lang) for a in heard])
            assert wer < 0.5, (lang, [a.text for a in heard])
    assert "Ready" in (tmp_path / "peer.log").read_text()
