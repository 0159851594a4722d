"""civicline's own models folder, and writing a model file into it safely.

Several processes (gunicorn workers, the test suite's servers) and several threads in each
may need the same model file at once on a machine where it does not exist yet. A model is
therefore written under a unique temporary name in its destination folder, flushed to disk,
checked against its SHA-256 pin and only then renamed into place (``os.replace`` is atomic
within a folder): a reader sees either no file or the whole, checked one. A lock file held
with ``fcntl.flock`` makes the other processes wait for the one doing the work instead of
repeating it, and a thread lock does the same within a process.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from voice.errors import ModelChecksumError

MODELS_DIR_ENV = "CIVICLINE_MODELS_DIR"

_thread_locks: dict[str, threading.Lock] = {}
_thread_locks_guard = threading.Lock()


def models_dir() -> Path:
    """Where civicline keeps the models it assembles or fetches: ``$CIVICLINE_MODELS_DIR``,
    or ``~/.cache/civicline/models``. Read on every call so a test or an operator can point
    a process at another folder."""
    configured = os.environ.get(MODELS_DIR_ENV)
    return Path(configured).expanduser() if configured else Path.home() / ".cache" / "civicline" / "models"


def _thread_lock(path: Path) -> threading.Lock:
    with _thread_locks_guard:
        return _thread_locks.setdefault(str(path), threading.Lock())


@contextmanager
def exclusive(path: Path) -> Iterator[None]:
    """Hold the lock for ``path`` (a file that may not exist yet) across threads and processes.

    The lock file stays in place: removing it would let a process that opened the old one and
    a process that created a new one both believe they hold the lock.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with _thread_lock(path):
        fd = os.open(path.parent / f".{path.name}.lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing releases the flock


class _HashingWriter:
    """A file that hashes what is written to it, so the pin is checked without reading back."""

    def __init__(self, f: BinaryIO) -> None:
        self.f, self.sha = f, hashlib.sha256()

    def write(self, data: bytes) -> int:
        self.sha.update(data)
        return self.f.write(data)


def write_atomically(dest: Path, produce: Callable[[_HashingWriter], None], sha256: str, what: str) -> Path:
    """Write ``dest`` with ``produce(out)`` unless it already exists; refuse a result that
    differs from ``sha256``. Call it under ``exclusive(dest)`` when several writers may race
    (``ensure_file`` does).

    Temporary files a killed writer left behind are removed first: under the lock nobody
    else is writing one.
    """
    dest.parent.mkdir(parents=True, exist_ok=True)
    for stale in dest.parent.glob(f".{dest.name}.*.part"):
        stale.unlink(missing_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as f:
            out = _HashingWriter(f)
            produce(out)
            f.flush()
            os.fsync(f.fileno())
        actual = out.sha.hexdigest()
        if actual != sha256.lower():
            raise ModelChecksumError(
                f"{what} does not match its SHA-256 pin (expected {sha256[:12]}…, found {actual[:12]}…): "
                "its source is corrupt or was replaced; reinstall it"
            )
        os.chmod(tmp, 0o644)
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    _fsync_dir(dest.parent)
    return dest


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable (a crash after it must not bring the old name back)."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def ensure_file(dest: Path, produce: Callable[[_HashingWriter], None], sha256: str, what: str) -> Path:
    """``dest``, written once by whichever thread or process gets there first; the others
    wait for it. An existing file is trusted here (it was checked before its rename);
    ``civicline models prepare`` re-hashes it."""
    if dest.is_file():
        return dest
    with exclusive(dest):
        if dest.is_file():  # written while this one waited for the lock
            return dest
        return write_atomically(dest, produce, sha256, what)
