"""Helpers the subcommands share: the configuration and the runtime from the arguments."""

from __future__ import annotations

import argparse
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from civicline.config import Config, load_config
from staff_files.problems import CivicError


def config_from(args: argparse.Namespace) -> Config:
    """The configuration, with the town folder of ``--town`` when the command has one (as
    CIVICLINE_TOWN_PATH would set it)."""
    config = load_config(getattr(args, "config", None))
    town = getattr(args, "town_dir", None)
    if not town:
        return config
    if not (Path(town) / "town.yaml").is_file():
        raise CivicError(f"--town {town}: not a town folder (it has no town.yaml)")
    return replace(config, town_path=Path(town).resolve())


def add_town_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--town", dest="town_dir", metavar="DIR",
                        help="the town folder to use (default: the town of civicline.toml, or $CIVICLINE_TOWN_PATH)")


def parse_now(text: str | None, tz: ZoneInfo | None) -> datetime | None:
    """--now ISO: a clock for trying calls on a given day; naive times are the town's."""
    if not text:
        return None
    try:
        now = datetime.fromisoformat(text)
    except ValueError:
        raise CivicError(f"--now {text!r} is not an ISO date-time such as 2026-12-01T10:15") from None
    return now if now.tzinfo else now.replace(tzinfo=tz or ZoneInfo("UTC"))
