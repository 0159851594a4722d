"""Where a spoken fact comes from: every factual answer carries one or more sources."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any


@dataclass(frozen=True)
class Source:
    """One record behind an answer.

    dataset:   the data set's name as the town's staff know it ("collections", "permits")
    record:    the record's id inside the data set ("zone-A-household", "permit.terrace")
    version:   the data set's version (a date, a hash or a number set by the town's files)
    verified:  the day a person last checked the record, or None when nobody has
    document:  the public document or page the record was taken from
    machine_translated: the wording (not the fact) came from a translation engine
    """

    dataset: str
    record: str
    version: str = ""
    verified: date | None = None
    document: str = ""
    machine_translated: bool = False

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["verified"] = self.verified.isoformat() if self.verified else None
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Source:
        verified = data.get("verified")
        return cls(
            dataset=data["dataset"],
            record=data["record"],
            version=data.get("version", ""),
            verified=date.fromisoformat(verified) if verified else None,
            document=data.get("document", ""),
            machine_translated=bool(data.get("machine_translated", False)),
        )
