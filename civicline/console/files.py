"""Saving a file staff edited (a flow, a data file, a catalog): checked first on a copy,
then written atomically with a version, then the running assistant reloaded.

Nothing is half-saved: a file that does not pass the same checks as ``civicline flows
check`` / ``data check`` never reaches the town's folder; if the reload still fails, the
old text is put back and the version removed. Two editors saving the same file are told:
each form carries the hash of the text it started from, and a save whose file changed in
between is refused, showing what the other person saved.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from flask import current_app

from civicline.console.file_versions import Version, text_hash, unified_diff
from staff_files.problems import Problem

# Given a folder holding the candidate copy, returns the problems found there.
Check = Callable[[Path], list[Problem]]


@dataclass
class Saved:
    version: Version | None = None
    problems: list[Problem] = field(default_factory=list)
    conflict: Version | None = None  # what the other editor saved, when the base changed
    current_text: str | None = None  # the file's text now, on a conflict
    unchanged: bool = False


def read_text(path: Path) -> str:
    return path.read_text(encoding="utf-8") if path.exists() else ""


def write_atomic(path: Path, text: str) -> None:
    """Readers (a reload in another worker) see the old file or the new one, never half."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        if path.exists():
            shutil.copymode(path, tmp)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def file_lock(folder: Path) -> Iterator[None]:
    """One save at a time per folder, across threads and worker processes."""
    from civicline.console.core import state

    lock_path = Path(current_app.instance_path) / "console-save.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with state().save_lock, open(lock_path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def checked_copy(folder: Path, relative: str, text: str, check: Check) -> list[Problem]:
    """Runs ``check`` on a copy of ``folder`` where ``relative`` holds ``text``; problems
    name files relative to the folder, as staff see them in the console."""
    with tempfile.TemporaryDirectory(prefix="civicline-check-") as tmp:
        copy = Path(tmp) / folder.name
        shutil.copytree(folder, copy, ignore=shutil.ignore_patterns(".*"))
        target = copy / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        problems = check(copy)
        return [_relative(p, copy, folder) for p in problems]


def _relative(problem: Problem, copy: Path, folder: Path) -> Problem:
    name = problem.file
    for base in (str(copy), str(copy.resolve()), str(folder), str(folder.resolve())):
        if name.startswith(base + os.sep):
            name = name[len(base) + 1 :]
            break
    return replace(problem, file=name)


def save(
    *,
    kind: str,
    folder: Path,
    relative: str,
    text: str,
    base_hash: str | None,
    author: str,
    check: Check,
    note: str | None = None,
    reload: Callable[[], list[Problem]] | None = None,
) -> Saved:
    from civicline.console.core import state

    versions = state().versions
    path = folder / relative
    with file_lock(folder):
        current = read_text(path)
        if base_hash is not None and text_hash(current) != base_hash:
            return Saved(conflict=versions.latest(kind, relative), current_text=current)
        problems = checked_copy(folder, relative, text, check)
        if problems:
            return Saved(problems=problems)
        if current == text:
            return Saved(version=versions.latest(kind, relative), unchanged=True)
        existed = path.exists()
        if versions.latest(kind, relative) is None and existed:
            # The file as it was before the console first saved it: lets staff go back.
            from flask_babel import gettext

            versions.add(kind, relative, current, "(before the console)", gettext("as found on disk"))
        version = versions.add(kind, relative, text, author, note)
        write_atomic(path, text)
        problems = reload() if reload else []
        if problems:  # something changed under us: put the old text back
            if existed:
                write_atomic(path, current)
            else:
                path.unlink(missing_ok=True)
            versions.remove(kind, relative, version.seq)
            return Saved(problems=problems)
        return Saved(version=version)


def diff_lines(old: str, new: str, old_name: str, new_name: str) -> list[str]:
    return unified_diff(old, new, old_name, new_name)
