"""civicline users: staff accounts of the console (add, list, password, role, towns, disable).

Passwords are asked at the terminal (twice, never echoed) or read from standard input with
--password-stdin for scripts; they are never command-line arguments, which other users of
the machine could read in the process list.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from civicline.commands.common import config_from
from records.schema_console import ROLES
from staff_files.problems import CivicError


def register(subparsers: argparse._SubParsersAction) -> None:
    users = subparsers.add_parser("users", help="staff accounts of the web console")
    sub = users.add_subparsers(dest="users_command", metavar="ACTION")
    add = sub.add_parser("add", help="create an account (asks for its password)")
    add.add_argument("name")
    add.add_argument("--role", choices=ROLES, default="viewer", help="viewer (reads), editor (changes), admin")
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    add.add_argument("--town", action="append", default=[], metavar="TOWN",
                     help="a town the account sees, by its folder's name (repeat for several; a service with [towns])")
    add.set_defaults(func=run_add)
    lst = sub.add_parser("list", help="list the accounts and their roles")
    lst.set_defaults(func=run_list)
    pw = sub.add_parser("password", help="set a new password (asks for it)")
    pw.add_argument("name")
    pw.add_argument("--password-stdin", action="store_true")
    pw.set_defaults(func=run_password)
    role = sub.add_parser("role", help="change an account's role")
    role.add_argument("name")
    role.add_argument("role", choices=ROLES)
    role.set_defaults(func=run_role)
    towns = sub.add_parser("towns", help="the towns an account sees in the console (a service with [towns])")
    towns.add_argument("name")
    towns.add_argument("town", nargs="*", help="every town it sees, by folder name; none: no town "
                       "(an admin then sees all)")
    towns.set_defaults(func=run_towns)
    for name, disabled in (("disable", True), ("enable", False)):
        p = sub.add_parser(name, help=f"{name} an account (it keeps its history)")
        p.add_argument("name")
        p.set_defaults(func=lambda args, d=disabled: run_disable(args, d))
    users.set_defaults(func=lambda args: users.print_help() or 2)


def _users(args: argparse.Namespace):
    from civicline.console.accounts import Users
    from civicline.wiring import store_for

    store = store_for(config_from(args))
    if store.open_error:
        raise CivicError(f"the records database cannot be opened: {store.open_error}")
    return Users(store)


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    if not sys.stdin.isatty():
        raise CivicError("no terminal to ask the password at: use --password-stdin")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Password again: ") != first:
        raise CivicError("the two passwords differ; nothing was changed")
    return first


def _town_keys(args: argparse.Namespace, towns: list[str]) -> list[str]:
    """The towns named, each checked to be one the configuration serves."""
    from civicline.towns import town_key

    config = config_from(args)
    served = list(dict.fromkeys(town_key(p) for p in config.towns.values())) or [town_key(config.town_path)]
    unknown = [t for t in towns if t not in served]
    if unknown:
        raise CivicError(f"{unknown[0]!r} is not a town of this service; its towns are: {', '.join(served)}")
    return towns


def run_add(args: argparse.Namespace) -> int:
    users = _users(args)
    towns = _town_keys(args, args.town)
    user = users.add(args.name, _password(args), args.role)
    if towns:
        users.set_towns(user.name, towns)
    print(f"Added {user.name} ({user.role}{'; ' + ', '.join(towns) if towns else ''}).")
    return 0


def run_list(args: argparse.Namespace) -> int:
    for user in _users(args).all():
        towns = f"  towns: {', '.join(user.towns)}" if user.towns else ""
        print(f"{user.name:24s} {user.role:8s}{'  (disabled)' if user.disabled else ''}{towns}")
    return 0


def run_towns(args: argparse.Namespace) -> int:
    users = _users(args)
    users.set_towns(args.name, _town_keys(args, args.town))
    user = users.get(args.name)
    assert user is not None  # set_towns refuses an unknown name
    if user.towns:
        print(f"{user.name} sees {', '.join(user.towns)} in the console.")
    else:
        print(f"{user.name} sees {'every town' if user.role == 'admin' else 'no town'} in the console"
              " (with one town, every account sees it).")
    return 0


def run_password(args: argparse.Namespace) -> int:
    users = _users(args)
    users.set_password(args.name, _password(args))
    users.clear_failures(f"user:{args.name.lower()}")  # a reset also lifts a lock-out
    print(f"New password set for {args.name}.")
    return 0


def run_role(args: argparse.Namespace) -> int:
    _users(args).set_role(args.name, args.role)
    print(f"{args.name} is now {args.role}.")
    return 0


def run_disable(args: argparse.Namespace, disabled: bool) -> int:
    users = _users(args)
    if users.get(args.name) is None:
        raise CivicError(f"no user named {args.name!r}")
    users.set_disabled(args.name, disabled)
    print(f"{args.name} is {'disabled' if disabled else 'enabled'}.")
    return 0
