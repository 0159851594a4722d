"""The `civicline` command. Each subcommand lives in its own module under
civicline/commands and adds itself to the parser through ``register(subparsers)``."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

from staff_files.problems import CivicError

# One module per group of subcommands; each defines register(subparsers).
COMMAND_MODULES = [
    "civicline.commands.flows_cmd",
    "civicline.commands.data_cmd",
    "civicline.commands.call_cmd",
    "civicline.commands.serve_cmd",
    "civicline.commands.records_cmd",
    "civicline.commands.speech",
    "civicline.commands.nlu_cmd",
    "civicline.commands.translations_cmd",
    "civicline.commands.console_cmd",
]


class CommandsHelp(argparse.HelpFormatter):
    """Each command's help on the command's own line, even the longest name's ("translations"),
    which argparse would otherwise put alone on its line, as if it had no description."""

    def __init__(self, prog: str) -> None:
        super().__init__(prog, max_help_position=30)
        self._action_max_length = max(self._action_max_length, 4 + len("translations"))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="civicline",
        description="Offline, multilingual, accessible phone assistant for city halls.",
        formatter_class=CommandsHelp,
    )
    parser.add_argument(
        "--config",
        metavar="FILE",
        help="configuration file (default: civicline.toml, or $CIVICLINE_CONFIG)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except CivicError as exc:
        print(f"civicline: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
