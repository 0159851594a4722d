"""Versions of the files staff edit in the console (flows, data, catalogs): who saved what,
when, and the text itself, so that any version can be compared and brought back."""

from __future__ import annotations

import difflib
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

from records.database import iso
from records.store import RecordsStore


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Version:
    kind: str
    file: str
    seq: int
    saved_at: str
    author: str
    content: str
    hash: str
    note: str | None


def unified_diff(old: str, new: str, old_name: str, new_name: str) -> list[str]:
    return list(
        difflib.unified_diff(
            old.splitlines(), new.splitlines(), old_name, new_name, lineterm="", n=2
        )
    )


class FileVersions:
    """``prefix``: the town's, when one service answers several (the same file name, say
    ``main.yaml``, is another file in each town's folder)."""

    def __init__(self, store: RecordsStore, prefix: str = "") -> None:
        self.store = store
        self.prefix = prefix

    def of_town(self, prefix: str) -> FileVersions:
        return FileVersions(self.store, prefix)

    def _version(self, row: dict) -> Version:
        return Version(**{**row, "file": row["file"][len(self.prefix):]})

    def add(self, kind: str, file: str, content: str, author: str, note: str | None = None) -> Version:
        """Keeps a version; its number is the file's next one, taken under the file's lock
        so two editors saving at once (on two workers) never get the same number."""
        at = iso(datetime.now(UTC))
        with self.store._tx(lock=f"file_versions {kind} {file}") as tx:
            seq = tx.execute(
                "SELECT COALESCE(MAX(seq), 0) + 1 FROM file_versions WHERE kind = ? AND file = ?",
                (kind, self.prefix + file),
            ).fetchone()[0]
            tx.execute(
                "INSERT INTO file_versions VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (kind, self.prefix + file, seq, at, author, content, text_hash(content), note),
            )
        return Version(kind, file, seq, at, author, content, text_hash(content), note)

    def remove(self, kind: str, file: str, seq: int) -> None:
        """Only to undo a version whose file could not be put in place (nothing half-saved)."""
        with self.store._tx() as tx:
            tx.execute(
                "DELETE FROM file_versions WHERE kind = ? AND file = ? AND seq = ?", (kind, self.prefix + file, seq)
            )

    def history(self, kind: str, file: str) -> list[Version]:
        rows = self.store._rows(
            "SELECT * FROM file_versions WHERE kind = ? AND file = ? ORDER BY seq DESC", (kind, self.prefix + file)
        )
        return [self._version(r) for r in rows]

    def get(self, kind: str, file: str, seq: int) -> Version | None:
        rows = self.store._rows(
            "SELECT * FROM file_versions WHERE kind = ? AND file = ? AND seq = ?", (kind, self.prefix + file, seq)
        )
        return self._version(rows[0]) if rows else None

    def latest(self, kind: str, file: str) -> Version | None:
        history = self.history(kind, file)
        return history[0] if history else None

    def diff(self, kind: str, file: str, seq: int) -> list[str]:
        """What version ``seq`` changed compared with the one before it."""
        version = self.get(kind, file, seq)
        if version is None:
            return []
        before = self.get(kind, file, seq - 1)
        return unified_diff(
            before.content if before else "",
            version.content,
            f"{file} (version {seq - 1})" if before else f"{file} (nothing)",
            f"{file} (version {seq})",
        )
