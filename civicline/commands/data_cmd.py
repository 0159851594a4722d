"""civicline data check [TOWN_DIR]: checks a town's data files (streets, collections,
meetings, permits, human lines) and prints each problem with its file and line, then
whether the data is still current (flows.town.freshness) and names every offered language
(flows.town.names)."""

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
    check.add_argument("--now", help="the day to judge freshness on: calendars that end, zones with no date "
                                      "left, stale fees (ISO date-time; default: now)")
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
    from flows.town.freshness import freshness

    now = parse_now(getattr(args, "now", None), town.timezone) or datetime.now(town.timezone)
    max_age = config.max_age_days or town.max_age_days
    # A stale fee is a note (it is simply not said, callers are offered a person); a
    # calendar that ends soon is a warning; a zone left with no date is an error: its
    # callers would hear nothing.
    from flows.town.names import untranslated

    notices = freshness(town, now.date(), max_age) + untranslated(town)
    for notice in notices:
        print(notice, file=sys.stderr if notice.severity == "error" else sys.stdout)
    errors = [n for n in notices if n.severity == "error"]
    if errors:
        print(f"{len(errors)} zone(s) of {town_dir} have no collection date left on {now.date().isoformat()}; "
              "add the new calendars.", file=sys.stderr)
        return 1
    zones = sum(len(s.zones) for s in town.collections.services.values()) if town.collections else 0
    parts = [f"{len(town.streets)} streets, {zones} zones" if town.collections else "",
             f"{len(town.meetings.bodies)} meeting bodies" if town.meetings else "",
             f"{len(town.permits.permits)} permits" if town.permits else "",
             f"{len(town.lines)} human line(s)"]
    print(f"{town.name}: {', '.join(p for p in parts if p)}: no problems.")
    return 0
