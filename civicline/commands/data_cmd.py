"""civicline data check [TOWN_DIR]: checks a town's data files (streets, collections,
meetings, permits, human lines) and prints each problem with its file and line."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path

from civicline.commands.common import config_from, parse_now


def register(subparsers: argparse._SubParsersAction) -> None:
    data = subparsers.add_parser("data", help="work with the town's data files")
    sub = data.add_subparsers(dest="data_command", metavar="ACTION")
    check = sub.add_parser("check", help="check the town's data and print each problem with file and line")
    check.add_argument("town", nargs="?", type=Path, help="the town folder (default: the configured town)")
    check.add_argument("--now", help="the day to judge fee freshness on (ISO date-time; default: now)")
    check.set_defaults(func=run)
    data.set_defaults(func=lambda args: data.print_help() or 2)


def run(args: argparse.Namespace) -> int:
    from flows.town import check_town, load_town

    config = config_from(args)
    town_dir = args.town or config.town_path
    problems = check_town(town_dir)
    if problems:
        for problem in problems:
            print(problem, file=sys.stderr)
        print(f"{len(problems)} problem(s) in the data of {town_dir}; calls cannot start until they are fixed.",
              file=sys.stderr)
        return 1
    town = load_town(town_dir)
    # load_town refuses a town.yaml that does not name every dataset
    assert town.collections is not None and town.meetings is not None and town.permits is not None
    now = parse_now(getattr(args, "now", None), town.timezone) or datetime.now(town.timezone)
    max_age = config.max_age_days or town.max_age_days
    # Not an error: a stale fee is simply not said (callers are offered a person), but the
    # clerk should know which ones to check again.
    for permit in town.permits.permits.values():
        fee = permit.fee
        if fee and fee.verified and (now.date() - fee.verified).days >= max_age:
            print(f"note: the fee of '{permit.id}' was verified on {fee.verified}, more than {max_age} days ago: "
                  f"it will not be said until someone checks it again ({town_dir / 'data'})")
    print(f"{town.name}: {len(town.streets)} streets, {len(town.collections.zones)} zones, "
          f"{len(town.meetings.bodies)} meeting bodies, {len(town.permits.permits)} permits, "
          f"{len(town.lines)} human line(s): no problems.")
    return 0
