"""Is the town's data still current? Published calendars end (a yearly file runs out), fees
go stale: what `civicline data check` warns about or fails on, and the list the console's
dashboard shows staff, soonest first.

- a calendar that ends within `WARN_WEEKS` weeks: a warning (add next year's file);
- a zone with no collection in the next `FAIL_WEEKS` weeks and none after: an error (its
  callers would hear nothing); with a later one (a seasonal break): a warning;
- a fee verified more than max_age_days ago: a note (it is not said until checked again).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

WARN_WEEKS = 8
FAIL_WEEKS = 4
ORDER = {"error": 0, "warning": 1, "note": 2, "ok": 3}


@dataclass(frozen=True)
class Notice:
    severity: str  # error | warning | note | ok
    file: str
    message: str
    due: date | None = None  # the day it concerns: a calendar's last day, a fee's verification

    def __str__(self) -> str:
        return f"{self.file}: {self.severity}: {self.message}"


def _calendar_file(town: Any, zone: Any) -> str:
    name = getattr(zone.source, "file", "")
    return str(Path(town.path) / "data" / name) if name else str(Path(town.path) / "data" / "collections.yaml")


def freshness(town: Any, today: date, max_age_days: int, *, everything: bool = False) -> list[Notice]:
    """The notices for staff, most urgent first; `everything` adds one `ok` line per
    calendar and fee (the dashboard's full list)."""
    notices: list[Notice] = []
    data = town.collections
    seen_files: set[str] = set()
    for service in (data.services.values() if data else []):
        for zone in service.zones.values():
            if zone.source is None:
                continue
            file = _calendar_file(town, zone)
            label = f"zone '{zone.id}' of service '{service.id}'"
            soon = [c for c in zone.source.between(today, today + timedelta(weeks=FAIL_WEEKS))]
            last = zone.source.last_day()
            if not soon:
                later = [c for c in zone.source.between(today, today + timedelta(days=400))]
                if not later:
                    ended = f"; its calendar ended on {last.isoformat()}" if last else ""
                    notices.append(Notice("error", file, f"{label} has no collection in the next {FAIL_WEEKS} weeks "
                                                         f"nor after{ended}: callers of this zone would hear no date. "
                                                         "Add the newly published calendar.", last))
                else:
                    notices.append(Notice("warning", file, f"{label} has no collection in the next {FAIL_WEEKS} "
                                                           f"weeks; the next is on {later[0].day.isoformat()} "
                                                           "(a seasonal break?)", later[0].day))
            if last is None or file in seen_files:
                continue
            seen_files.add(file)
            if today <= last <= today + timedelta(weeks=WARN_WEEKS):
                notices.append(Notice("warning", file, f"this calendar ends on {last.isoformat()}, in "
                                                       f"{(last - today).days} days: add the next one before then",
                                      last))
            elif everything and last > today:
                notices.append(Notice("ok", file, f"this calendar runs until {last.isoformat()}", last))
    permits = town.permits.permits.values() if getattr(town, "permits", None) else []
    for permit in permits:
        fee = permit.fee
        if fee is None or fee.verified is None:
            continue
        file = str(Path(town.path) / "data" / "permits.yaml")
        age = (today - fee.verified).days
        if age >= max_age_days:
            notices.append(Notice("note", file, f"the fee of '{permit.id}' was verified on {fee.verified.isoformat()}, "
                                                f"more than {max_age_days} days ago: it will not be said until "
                                                "someone checks it again", fee.verified))
        elif everything:
            notices.append(Notice("ok", file, f"the fee of '{permit.id}' was verified on {fee.verified.isoformat()}; "
                                              f"it stays sayable until "
                                              f"{(fee.verified + timedelta(days=max_age_days)).isoformat()}",
                                  fee.verified + timedelta(days=max_age_days)))
    return sorted(notices, key=lambda n: (ORDER[n.severity], n.due or date.max, n.file))
