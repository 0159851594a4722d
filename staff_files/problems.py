"""Errors and problems in files that staff write (flows, catalogs, town data).

A :class:`Problem` names a file, a line and says in plain words what is wrong; a
validator returns all of them at once so that staff can fix a file in one pass.
A :class:`FlowError` is raised when a file cannot be loaded at all and carries its problems.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"


class CivicError(Exception):
    """Base of the errors that civicline reports to a person rather than as a traceback."""


class FlowError(CivicError):
    """A flow, catalog or data file that cannot be used, with every problem found."""

    def __init__(self, problems: list[Problem] | Problem | str, file: str | Path | None = None):
        if isinstance(problems, str):
            problems = [Problem(str(file or "?"), None, problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class CatalogError(FlowError):
    """A language catalog that cannot be loaded."""


class DataError(FlowError):
    """Town data that cannot be loaded (streets, schedules, meetings, permits)."""
