"""The recorder's health: write failures that must not break a call but must be seen.

The server keeps a :class:`Health` in memory (for a health endpoint) and mirrors it into a
small JSON file next to the database, because ``civicline doctor`` runs in another process.
The file is written when a failure happens and when writes recover, not on every write.
It is made at its full size when the server starts and then overwritten in place: on a full
disk a new file (the usual write-then-rename) cannot be made, and the last word left in the
file would be the "ok" of the day before.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

FILE_BYTES = 4096


@dataclass
class Health:
    write_failures: int = 0  # writes lost after every retry
    retried_writes: int = 0  # writes that needed a retry (and may have succeeded)
    consecutive_failures: int = 0
    last_error: str | None = None
    last_error_at: str | None = None
    last_error_op: str | None = None
    last_success_at: str | None = None
    file: Path | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def ok(self) -> bool:
        return self.consecutive_failures == 0

    def to_json(self) -> dict[str, Any]:
        names = (
            "write_failures",
            "retried_writes",
            "consecutive_failures",
            "last_error",
            "last_error_at",
            "last_error_op",
            "last_success_at",
        )
        data: dict[str, Any] = {n: getattr(self, n) for n in names}
        data["ok"] = self.ok
        return data

    def failed(self, op: str, error: BaseException) -> None:
        with self._lock:
            self.write_failures += 1
            self.consecutive_failures += 1
            self.last_error = f"{type(error).__name__}: {error}"
            self.last_error_at = datetime.now(UTC).isoformat(timespec="seconds")
            self.last_error_op = op
            self._save()

    def retried(self) -> None:
        with self._lock:
            self.retried_writes += 1

    def succeeded(self) -> None:
        with self._lock:
            recovering = self.consecutive_failures > 0 or self.last_success_at is None
            self.consecutive_failures = 0
            self.last_success_at = datetime.now(UTC).isoformat(timespec="seconds")
            if recovering:
                self._save()

    def __post_init__(self) -> None:
        if self.file is not None:
            with self._lock:
                self._save()

    def _save(self) -> None:
        if self.file is None:
            return
        text = json.dumps(self.to_json()).encode()
        if len(text) > FILE_BYTES:  # only an absurdly long error message: keep its start
            data = self.to_json()
            data["last_error"] = str(data["last_error"])[:1000]
            text = json.dumps(data).encode()
        try:
            fd = os.open(self.file, os.O_WRONLY | os.O_CREAT, 0o600)
            try:
                # Spaces after the JSON keep it valid and the file at its full size.
                os.pwrite(fd, text.ljust(FILE_BYTES), 0)
            finally:
                os.close(fd)
        except OSError as exc:  # read-only directory: the log has it already
            log.error("could not write the recorder health file %s: %s", self.file, exc)


def read_health(path: Path | None) -> dict[str, Any] | None:
    """What the server last recorded, or None when it never wrote a health file."""
    if path is None or not path.exists():
        return None
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        return {"ok": False, "last_error": f"unreadable health file: {exc}"}
