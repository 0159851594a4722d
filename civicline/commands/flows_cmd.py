"""civicline flows check: validates the town's flows, catalogs and data references (every
town's, with ``[towns]``)."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

from civicline.commands.common import add_town_argument, config_from
from civicline.config import Config
from civicline.wiring import check_runtime


def register(subparsers: argparse._SubParsersAction) -> None:
    flows = subparsers.add_parser("flows", help="work with flow files")
    sub = flows.add_subparsers(dest="flows_command", metavar="ACTION")
    check = sub.add_parser("check", help="check every flow and print each problem with file and line")
    check.add_argument("--flows-dir", type=Path,
                       help="check this folder of flows against the town's data and sentences (another "
                            "town's whole folder: --town)")
    add_town_argument(check)
    check.set_defaults(func=run_check)
    flows.set_defaults(func=lambda args: flows.print_help() or 2)


def run_check(args: argparse.Namespace) -> int:
    config = config_from(args)
    if config.towns and args.flows_dir is None and not args.town_dir:  # several towns: each is checked, named
        folders = list(dict.fromkeys(config.towns.values()))
        failed = [path for path in folders if _check(replace(config, town_path=path, towns={}), None, path.name)]
        return 1 if failed else 0
    return _check(config, args.flows_dir)


def _check(config: Config, flows_dir: Path | None, town: str | None = None) -> int:
    named = f"town {town!r}: " if town else ""
    checked = check_runtime(config, flows_dir=flows_dir)
    if checked.problems:
        for problem in checked.problems:
            print(f"{named}{problem}", file=sys.stderr)
        print(f"{named}{len(checked.problems)} problem(s) found; calls cannot start until they are fixed.",
              file=sys.stderr)
        return 1
    runtime = checked.runtime
    assert runtime is not None, "check_runtime gives no runtime only with problems"
    flows = runtime.flows
    print(f"{named}{len(flows.files)} flow file(s), {len(flows.nodes)} nodes, "
          f"languages {', '.join(runtime.catalogs.languages)}: no problems.")
    return 0
