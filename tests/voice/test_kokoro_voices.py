"""Kokoro's native voice styles installed from the npm package kokoro-js: only the pinned
.bin files, checked, written atomically; with tarballs the tests build, and once for real."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import tarfile
from pathlib import Path

import numpy as np
import pytest

from voice.errors import ModelChecksumError, ModelMissingError, VoiceError
from voice.tts import kokoro_voices as kv


def _style(seed: int) -> bytes:
    return np.random.default_rng(seed).standard_normal(kv.STYLE_BYTES // 4).astype("<f4").tobytes()


def _tarball(path: Path, members: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def fake(tmp_path):
    """A kokoro-js-like tarball with two voices, and the pins that go with it."""
    voices = {"xf_one": _style(1), "xm_two": _style(2)}
    tgz = _tarball(tmp_path / "kokoro-js-9.9.9.tgz", {f"package/voices/{n}.bin": d for n, d in voices.items()} | {"package/README.md": b"hi"})
    pins = {n: _sha(d) for n, d in voices.items()}
    return tgz, pins, voices


def _install(tmp_path, tgz, pins, names=("xf_one", "xm_two"), **kw):
    if "tarball_sha256" not in kw:
        kw["tarball_sha256"] = _sha(tgz.read_bytes())
    kw.setdefault("tarball_integrity", None)
    return kv.install_voices(names, directory=tmp_path / "models", tarball=tgz, pins=pins, **kw)


def test_installs_only_the_pinned_files_then_leaves_them(tmp_path, fake):
    tgz, pins, voices = fake
    assert _install(tmp_path, tgz, pins) == {"xf_one": "installed", "xm_two": "installed"}
    folder = tmp_path / "models" / kv.FOLDER
    assert sorted(p.name for p in folder.iterdir() if not p.name.startswith(".")) == ["xf_one.bin", "xm_two.bin"]
    assert (folder / "xf_one.bin").read_bytes() == voices["xf_one"]
    assert not list(folder.glob("*.part"))
    # Already there and matching: the tarball is not even read.
    absent = tmp_path / "absent.tgz"
    assert _install(tmp_path, absent, pins, tarball_sha256="0" * 64) == {"xf_one": "present", "xm_two": "present"}


def test_a_damaged_file_is_replaced(tmp_path, fake):
    tgz, pins, voices = fake
    _install(tmp_path, tgz, pins)
    damaged = tmp_path / "models" / kv.FOLDER / "xm_two.bin"
    damaged.write_bytes(b"\0" * kv.STYLE_BYTES)
    assert _install(tmp_path, tgz, pins) == {"xf_one": "present", "xm_two": "installed"}
    assert damaged.read_bytes() == voices["xm_two"]


def test_a_tarball_that_is_not_the_pinned_one_is_refused(tmp_path, fake):
    tgz, pins, _ = fake
    with pytest.raises(ModelChecksumError, match="does not match its SHA-256 pin"):
        _install(tmp_path, tgz, pins, tarball_sha256="0" * 64)
    algo = hashlib.sha512(tgz.read_bytes()).digest()
    with pytest.raises(ModelChecksumError, match="integrity"):
        _install(tmp_path, tgz, pins, tarball_integrity="sha512-" + base64.b64encode(algo[::-1]).decode())
    _install(tmp_path, tgz, pins, tarball_integrity="sha512-" + base64.b64encode(algo).decode())  # the right one passes
    assert (tmp_path / "models" / kv.FOLDER / "xf_one.bin").is_file()


def test_a_voice_file_that_differs_from_its_pin_is_not_installed(tmp_path, fake):
    tgz, pins, _ = fake
    with pytest.raises(ModelChecksumError, match="xm_two"):
        _install(tmp_path, tgz, {**pins, "xm_two": "0" * 64}, names=["xm_two"])
    assert not [p for p in (tmp_path / "models" / kv.FOLDER).iterdir() if not p.name.endswith(".lock")]


def test_odd_or_missing_members_are_refused(tmp_path):
    tgz = _tarball(tmp_path / "t.tgz", {"package/voices/short.bin": b"\0" * 100})
    with pytest.raises(ModelChecksumError, match="not a 522240-byte voice file"):
        _install(tmp_path, tgz, {"short": _sha(b"\0" * 100)}, names=["short"])
    with pytest.raises(ModelMissingError, match="has no voice nothere"):
        _install(tmp_path, tgz, {"nothere": "0" * 64}, names=["nothere"])
    with pytest.raises(ModelMissingError, match="no pin"):
        _install(tmp_path, tgz, {}, names=["unpinned"])


def test_npm_pack_runs_in_a_private_folder_without_scripts(tmp_path, monkeypatch, fake):
    """A stand-in npm on PATH records how it is called and writes the tarball."""
    tgz, _, _ = fake
    bindir, log = tmp_path / "bin", tmp_path / "npm-args"
    bindir.mkdir()
    npm = bindir / "npm"
    npm.write_text(
        "#!/bin/sh\n"
        f'echo "$@" > {log}\n'
        'while [ "$#" -gt 0 ]; do [ "$1" = --pack-destination ] && dest="$2"; shift; done\n'
        f'cp {tgz} "$dest/kokoro-js-9.9.9.tgz"\n'
        'echo \'[{"filename": "kokoro-js-9.9.9.tgz"}]\'\n'
    )
    npm.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ['PATH']}")
    work = tmp_path / "work"
    work.mkdir()
    assert kv.fetch_tarball(work).read_bytes() == tgz.read_bytes()
    args = log.read_text().split()
    assert args[:2] == ["pack", kv.KOKORO_JS] and "--ignore-scripts" in args
    assert args[args.index("--cache") + 1] == str(work / "npm-cache")
    npm.write_text("#!/bin/sh\necho 'npm error 404 Not Found' >&2\nexit 1\n")
    with pytest.raises(VoiceError, match="npm pack kokoro-js@1.2.1 failed .*404"):
        kv.fetch_tarball(work)


def test_loading_a_style_checks_its_pin(tmp_path, monkeypatch):
    monkeypatch.setenv("CIVICLINE_MODELS_DIR", str(tmp_path))
    with pytest.raises(ModelMissingError, match="civicline models prepare"):
        kv.load_style("ff_siwis")
    assert kv.voice_state("ff_siwis") == "missing"
    kv.voice_path("ff_siwis").parent.mkdir(parents=True)
    kv.voice_path("ff_siwis").write_bytes(_style(3))
    assert kv.voice_state("ff_siwis") == "mismatch" and kv.voice_state("ff_siwis", verify=False) == "ok"
    with pytest.raises(ModelChecksumError):
        kv.load_style("ff_siwis")
    with pytest.raises(ModelMissingError, match="not a native Kokoro voice"):
        kv.load_style("jf_gongitsune")


@pytest.mark.slow
def test_the_real_package_gives_the_pinned_voices(tmp_path):
    """The real path: npm pack kokoro-js@1.2.1 from the registry, checked against the pins."""
    result = kv.install_voices(["ff_siwis", "ef_dora"], directory=tmp_path)
    assert result == {"ff_siwis": "installed", "ef_dora": "installed"}
    style = kv.load_style("ff_siwis", tmp_path)
    assert style.shape == (510, 1, 256) and style.dtype == np.float32 and np.isfinite(style).all()
    assert 0.01 < float(np.abs(style).mean()) < 10
    assert not [p for p in tmp_path.rglob("*") if p.suffix in (".tgz", ".part")]


# ---- the engine taking a style by name ------------------------------------------------------


def test_a_native_style_is_given_as_its_array_a_japanese_one_by_name(tmp_path, monkeypatch):
    from voice.tts.kokoro import describe_voice, voice_settings

    monkeypatch.setenv("CIVICLINE_MODELS_DIR", str(tmp_path))
    style = _style(4)
    monkeypatch.setitem(kv.NATIVE_VOICES, "ff_siwis", kv.NativeVoice("ff_siwis", "fr", _sha(style)))
    kv.voice_path("ff_siwis").parent.mkdir(parents=True)
    kv.voice_path("ff_siwis").write_bytes(style)
    settings = voice_settings({"voice": "ff_siwis", "speed": 1.0})
    assert settings["voice"] == "ff_siwis" and settings["speed"] == 1.0
    assert np.array_equal(settings["style"].ravel(), np.frombuffer(style, "<f4"))
    assert "SHA-256 matches" in describe_voice({"voice": "ff_siwis"})
    assert voice_settings({"voice": "jf_nezumi", "speed": 0.8}) == {"voice": "jf_nezumi", "speed": 0.8}
    # A styles file of the city's own: the name is one of its styles, never a native file.
    assert "style" not in voice_settings({"voice": "ff_siwis", "voices": "/srv/voices.npz"})


@pytest.mark.parametrize("damage", ["missing", "mismatch"])
def test_a_missing_or_damaged_native_style_falls_back_to_the_japanese_one(tmp_path, monkeypatch, caplog, damage):
    from voice.tts.kokoro import JAPANESE_SPEED, JAPANESE_STYLE, describe_voice, voice_settings

    monkeypatch.setenv("CIVICLINE_MODELS_DIR", str(tmp_path))
    if damage == "mismatch":
        kv.voice_path("ef_dora").parent.mkdir(parents=True)
        kv.voice_path("ef_dora").write_bytes(_style(5))
    assert voice_settings({"voice": "ef_dora", "speed": 1.0}) == {"voice": JAPANESE_STYLE, "speed": JAPANESE_SPEED}
    assert "speaking with the Japanese style jf_gongitsune" in caplog.text
    assert f"FALLBACK to {JAPANESE_STYLE}" in describe_voice({"voice": "ef_dora"})


@pytest.mark.slow
def test_the_engine_speaks_with_a_native_style_and_without_it(tmp_path, monkeypatch):
    from voice.engines import SpeechEngines
    from voice.models import KOKORO

    if kv.voice_state("ff_siwis") != "ok":
        pytest.fail("ff_siwis is not installed: run civicline models prepare (make test does)", pytrace=False)
    spec = {"fr": {"tts": {"engine": "kokoro", "model": KOKORO, "voice": "ff_siwis", "speed": 1.0}}}
    native = SpeechEngines(spec, cpu_threads=1, espeak_fallback=False).synthesizer("fr")
    assert native.voice_id.endswith(":ff_siwis:speed=1.0") and native.style is not None
    first = native.synthesize("Bonjour, mairie de Port-Lumière.", "fr")
    assert first.duration > 1.0
    # Without the file (another models folder): the Japanese style, a different cache key.
    monkeypatch.setenv("CIVICLINE_MODELS_DIR", str(tmp_path))
    fallback = SpeechEngines(spec, cpu_threads=1, espeak_fallback=False).synthesizer("fr")
    assert fallback.name == "kokoro" and fallback.voice_id.endswith(":jf_gongitsune:speed=0.9")
    assert fallback.synthesize("Bonjour.", "fr").duration > 0.3
