"""Errors and problems in files that staff write (flows, catalogs, town data).

A :class:`Problem` names a file, a line and says in plain words what is wrong; a
validator returns all of them at once so that staff can fix a file in one pass.
A :class:`FlowError` is raised when a file cannot be loaded at all and carries its problems.

The problems a clerk meets most (a calendar that is not one, a file not saved as UTF-8, a
date written day/month/year...) are written as an English template marked with ``N_`` and
its values (:func:`problem`): the command line prints the English message, the staff
console says the same problem in the staff's language (its catalogs list these templates).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


def N_(text: str) -> str:
    """Marks a problem's template that the console translates (found there by its name)."""
    return text


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    message: str
    # The message as an English template with %(name)s places, and their values, when it was
    # written so: what the console translates. Not part of a problem's identity.
    template: str = field(default="", compare=False)
    values: Mapping[str, Any] = field(default_factory=dict, compare=False)

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"


def problem(file: str | Path, line: int | None, template: str, **values: Any) -> Problem:
    """A problem whose message is ``template`` (marked with ``N_``) filled with ``values``."""
    return Problem(str(file), line or None, template % values if values else template, template, values)


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
