"""Retention: call text older than ``retention_days`` is removed, counts stay.

Run automatically by the recorder (at most once a day, in a background thread after a
call ends) and by ``civicline purge``. What goes and what stays is decided in
:meth:`records.store.SQLiteStore.purge_text` and documented in docs/privacy.md.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from records.store import Store

log = logging.getLogger(__name__)

DEFAULT_RETENTION_DAYS = 90


@dataclass(frozen=True)
class PurgeReport:
    cutoff: datetime
    dry_run: bool
    counts: dict[str, int]

    def __str__(self) -> str:
        verb = "would purge" if self.dry_run else "purged"
        parts = ", ".join(f"{n} {what}" for what, n in self.counts.items())
        return f"{verb} text older than {self.cutoff:%Y-%m-%d %H:%M} UTC: {parts}"


def cutoff(retention_days: int, now: datetime | None = None) -> datetime:
    if retention_days < 1:
        raise ValueError("retention_days must be at least 1")
    return (now or datetime.now(UTC)) - timedelta(days=retention_days)


def purge(
    store: Store,
    retention_days: int = DEFAULT_RETENTION_DAYS,
    *,
    now: datetime | None = None,
    dry_run: bool = False,
) -> PurgeReport:
    """Purge (or, with ``dry_run``, count) what is older than the retention period."""
    before = cutoff(retention_days, now)
    counts = store.purge_text(before, dry_run=dry_run)
    report = PurgeReport(before, dry_run, counts)
    if not dry_run and any(counts.values()):
        log.info("call records: %s", report)
    return report
