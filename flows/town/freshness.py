"""Is the town's data still current? Published calendars end (a yearly file runs out), fees
go stale: what `civicline data check` warns about or fails on, and the list the console's
dashboard shows staff, soonest first.

- a calendar that ends within `WARN_WEEKS` weeks: a warning (add next year's file);
- a zone with no collection in the next `FAIL_WEEKS` weeks and none after: an error (its
  callers would hear nothing); with a later one (a seasonal break): a warning;
- a fee verified more than max_age_days ago: a note (it is not said until checked again).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

WARN_WEEKS = 8
FAIL_WEEKS = 4
ORDER = {"error": 0, "warning": 1, "note": 2, "ok": 3}


def N_(text: str) -> str:
    """Marks a message the console says in the staff's language (its .po files)."""
    return text


@dataclass(frozen=True)
class Notice:
    severity: str  # error | warning | note | ok
    file: str
    message: str
    due: date | None = None  # the day it concerns: a calendar's last day, a fee's verification
    # The message as an English text with %(name)s places and their values (dates as dates):
    # the console says it in the staff's language, with dates written their way.
    template: str = ""
    values: dict[str, Any] = field(default_factory=dict, compare=False)

    def __str__(self) -> str:
        return f"{self.file}: {self.severity}: {self.message}"


def notice(severity: str, file: str, due: date | None, template: str, **values: Any) -> Notice:
    """A notice whose message is ``template`` (marked with N_) with its values."""
    shown = {k: v.isoformat() if isinstance(v, date) else v for k, v in values.items()}
    return Notice(severity, file, template % shown, due, template, values)


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
            soon = [c for c in zone.source.between(today, today + timedelta(weeks=FAIL_WEEKS))]
            last = zone.source.last_day()
            if not soon:
                later = [c for c in zone.source.between(today, today + timedelta(days=400))]
                if not later and last:
                    notices.append(notice("error", file, last, N_(
                        "zone '%(zone)s' of service '%(service)s' has no collection in the next %(weeks)s weeks nor "
                        "after; its calendar ended on %(last)s: callers of this zone would hear no date. Add the "
                        "newly published calendar."), zone=zone.id, service=service.id, weeks=FAIL_WEEKS, last=last))
                elif not later:
                    notices.append(notice("error", file, last, N_(
                        "zone '%(zone)s' of service '%(service)s' has no collection in the next %(weeks)s weeks nor "
                        "after: callers of this zone would hear no date. Add the newly published calendar."),
                        zone=zone.id, service=service.id, weeks=FAIL_WEEKS))
                else:
                    notices.append(notice("warning", file, later[0].day, N_(
                        "zone '%(zone)s' of service '%(service)s' has no collection in the next %(weeks)s weeks; "
                        "the next is on %(next)s (a seasonal break?)"),
                        zone=zone.id, service=service.id, weeks=FAIL_WEEKS, next=later[0].day))
            if last is None or file in seen_files:
                continue
            seen_files.add(file)
            if today <= last <= today + timedelta(weeks=WARN_WEEKS):
                notices.append(notice("warning", file, last, N_(
                    "this calendar ends on %(last)s, in %(days)s days: add the next one before then"),
                    last=last, days=(last - today).days))
            elif everything and last > today:
                notices.append(notice("ok", file, last, N_("this calendar runs until %(last)s"), last=last))
    permits = town.permits.permits.values() if getattr(town, "permits", None) else []
    for permit in permits:
        fee = permit.fee
        if fee is None or fee.verified is None:
            continue
        file = str(Path(town.path) / "data" / "permits.yaml")
        age = (today - fee.verified).days
        if age >= max_age_days:
            notices.append(notice("note", file, fee.verified, N_(
                "the fee of '%(permit)s' was verified on %(verified)s, more than %(days)s days ago: it will not "
                "be said until someone checks it again"), permit=permit.id, verified=fee.verified, days=max_age_days))
        elif everything:
            until = fee.verified + timedelta(days=max_age_days)
            notices.append(notice("ok", file, until, N_(
                "the fee of '%(permit)s' was verified on %(verified)s; it stays sayable until %(until)s"),
                permit=permit.id, verified=fee.verified, until=until))
    return sorted(notices, key=lambda n: (ORDER[n.severity], n.due or date.max, n.file))
