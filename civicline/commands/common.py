"""Helpers the subcommands share: the configuration and the runtime from the arguments."""

from __future__ import annotations

import argparse
from datetime import datetime
from zoneinfo import ZoneInfo

from civicline.config import Config, load_config
from staff_files.problems import CivicError


def config_from(args: argparse.Namespace) -> Config:
    return load_config(getattr(args, "config", None))


def parse_now(text: str | None, tz: ZoneInfo | None) -> datetime | None:
    """--now ISO: a clock for trying calls on a given day; naive times are the town's."""
    if not text:
        return None
    try:
        now = datetime.fromisoformat(text)
    except ValueError:
        raise CivicError(f"--now {text!r} is not an ISO date-time such as 2026-12-01T10:15") from None
    return now if now.tzinfo else now.replace(tzinfo=tz or ZoneInfo("UTC"))
