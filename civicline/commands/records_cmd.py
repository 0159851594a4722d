"""``civicline report``, ``civicline purge`` and ``civicline doctor``: the call records.

The database is ``--db`` (a SQLite file), else ``$CIVICLINE_DATABASE_URL`` (PostgreSQL),
else ``$CIVICLINE_DB``, else the configuration's ``[records] db`` (default
``instance/civicline.sqlite3``). Retention and minutes-per-call are options that default to
the configuration's ``[records]`` values.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from records import kpis, retention
from records.health import read_health
from records.store import PostgresStore, RecordsStore, SQLiteStore
from staff_files.problems import CivicError

DEFAULT_DB = "instance/civicline.sqlite3"
LOW_DISK_BYTES = 200 * 1024 * 1024  # below this, a busy day of calls could fill the disk
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def _config(args: argparse.Namespace) -> Any:
    try:
        from civicline.config import load_config
    except ImportError:  # the shell's configuration is not there: options and defaults only
        return None
    return load_config(getattr(args, "config", None))


def db_path(args: argparse.Namespace) -> Path:
    explicit = getattr(args, "db", None) or os.environ.get("CIVICLINE_DB")
    if explicit:
        return Path(explicit)
    config = _config(args)
    return Path(config.db_path) if config else Path(DEFAULT_DB)


def _postgres(args: argparse.Namespace, *, read_only: bool = False) -> PostgresStore | None:
    """The PostgreSQL store of ``$CIVICLINE_DATABASE_URL``, unless ``--db`` names a file."""
    if getattr(args, "db", None) or not os.environ.get("CIVICLINE_DATABASE_URL"):
        return None
    from civicline.config import load_config
    from civicline.wiring import store_for

    store = store_for(load_config(getattr(args, "config", None)), read_only=read_only)
    assert isinstance(store, PostgresStore)
    return store


def _setting(args: argparse.Namespace, name: str, default: Any) -> Any:
    """An option given on the command line, else the configuration's, else the default."""
    value = getattr(args, name, None)
    if value is not None:
        return value
    config = _config(args)
    return getattr(config, name, default) if config else default


def parse_since(text: str, now: datetime | None = None) -> datetime:
    """'30d', '12h', '2w', '90m' back from now, or an ISO date such as 2024-05-01."""
    now = now or datetime.now(UTC)
    match = re.fullmatch(r"\s*(\d+)\s*([mhdw])\s*", text)
    if match:
        return now - timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        raise CivicError(
            f"--since {text!r}: give a duration such as 30d, 12h, 2w or a date such as 2024-05-01"
        ) from None
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _existing(args: argparse.Namespace) -> RecordsStore:
    shared = _postgres(args)
    if shared is not None:
        if shared.open_error:
            shared.close()
            raise CivicError(f"call records {shared.target}: {shared.open_error}")
        return shared
    path = db_path(args)
    if not path.exists():
        raise CivicError(f"no call records at {path} (give --db or set $CIVICLINE_DB)")
    store = SQLiteStore(path)
    if store.open_error:
        raise CivicError(f"call records {path}: {store.open_error}")
    return store


def run_report(args: argparse.Namespace) -> int:
    store = _existing(args)
    try:
        from records.browse import WithoutTrials

        report = kpis.compute(
            WithoutTrials(store),  # staff's "try a call" calls are not residents' calls
            since=parse_since(args.since) if args.since else None,
            minutes_per_call=_setting(args, "minutes_per_call", 5.0),
            town=args.town,
        )
    finally:
        store.close()
    sys.stdout.write(kpis.render(report, args.format))
    return 0


def run_purge(args: argparse.Namespace) -> int:
    store = _existing(args)
    try:
        result = retention.purge(
            store,
            _setting(args, "retention_days", retention.DEFAULT_RETENTION_DAYS),
            dry_run=args.dry_run,
        )
    except Exception as exc:  # sqlite3.Error, psycopg.Error: the database's own words
        raise CivicError(f"purge of {store.describe()} failed: {exc}") from None
    finally:
        store.close()
    print(result)
    return 0


def doctor_postgres(store: PostgresStore) -> tuple[bool, list[str]]:
    """(healthy?, lines to print) for the records in PostgreSQL (the URL without password)."""
    lines, ok = [f"call records: PostgreSQL {store.target}"], True
    info = store.check()
    if not info["reachable"]:
        ok = False
        lines.append(f"  PROBLEM  the server does not answer: {info['error']}")
    else:
        lines.append(f"  ok       reachable (PostgreSQL {info['server_version']})")
        lines.append(f"  ok       schema version {info['schema_version']}")
        if info["writable"]:
            lines.append("  ok       writable")
        else:
            ok = False
            lines.append(f"  PROBLEM  the database is not writable: {info['write_error']}")
    write_ok, write_lines = _write_health(store.health_file)
    return ok and write_ok, lines + write_lines


def doctor(path: Path) -> tuple[bool, list[str]]:
    """(healthy?, lines to print) for the records store at ``path``."""
    lines, ok = [], True

    def problem(text: str) -> None:
        nonlocal ok
        ok = False
        lines.append(f"  PROBLEM  {text}")

    lines.append(f"call records: SQLite {path}")
    folder = path.parent if path.parent.exists() else Path(".")
    free = shutil.disk_usage(folder).free
    if free < LOW_DISK_BYTES:
        problem(f"only {free // (1024 * 1024)} MB free on the disk of {folder}")
    else:
        lines.append(f"  ok       {free // (1024 * 1024)} MB free")
    if not path.exists():
        problem("the database does not exist yet (it is created when the server starts)")
    else:
        store = None
        try:
            store = SQLiteStore(path, read_only=True)
            info = store.check()
        except Exception as exc:  # a corrupt or unreadable file
            problem(f"cannot open the database: {exc}")
            info = None
        finally:
            if store:
                store.close()
        if info:
            lines.append(f"  ok       schema version {info['schema_version']}")
            if info["journal_mode"].lower() != "wal":
                problem(
                    f"journal mode is {info['journal_mode']}, not WAL: concurrent calls"
                    " and reports will block each other"
                )
            else:
                lines.append("  ok       WAL journal")
        writable = _probe_write(path)
        if writable:
            problem(f"the database is not writable: {writable}")
        else:
            lines.append("  ok       writable")
    write_ok, write_lines = _write_health(path.with_name(path.name + ".health.json"))
    return ok and write_ok, lines + write_lines


def _write_health(file: Path | None) -> tuple[bool, list[str]]:
    """What the server's recorder last said of its writes (records.health)."""
    health = read_health(file) if file is not None else None
    if health is None:
        return True, ["  ok       no write errors recorded by the server"]
    if health.get("ok", False):
        return True, [
            f"  ok       last write {health.get('last_success_at')};"
            f" {health.get('write_failures', 0)} writes lost since the server started"
        ]
    return False, [
        f"  PROBLEM  the server's last writes FAILED: {health.get('last_error')} "
        f"(at {health.get('last_error_at')}, {health.get('consecutive_failures')} in a row,"
        f" {health.get('write_failures')} lost); calls go on but are not recorded"
    ]


def _probe_write(path: Path) -> str | None:
    """None when a write transaction can be taken (and rolled back), else the error."""
    store = None
    try:
        store = SQLiteStore(path, read_only=not os.access(path, os.W_OK))
        if store.open_error:
            return store.open_error
        info = store.check()
        return None if info["writable"] else info["write_error"]
    except Exception as exc:
        return str(exc)
    finally:
        if store:
            store.close()


def run_doctor(args: argparse.Namespace) -> int:
    store = _postgres(args, read_only=True)
    if store is not None:
        try:
            ok, lines = doctor_postgres(store)
        finally:
            store.close()
    else:
        ok, lines = doctor(db_path(args))
    config = _config(args)
    if config is not None and not args.records_only:
        from civicline.commands.speech import doctor_lines

        speech_ok, speech_lines = doctor_lines(config)
        ok, lines = ok and speech_ok, lines + speech_lines
    print("\n".join(lines))
    return 0 if ok else 1


def register(subparsers: argparse._SubParsersAction) -> None:
    def with_db(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument(
            "--db",
            metavar="PATH",
            help="call-records SQLite file (default: PostgreSQL when $CIVICLINE_DATABASE_URL is set,"
            f" else $CIVICLINE_DB or {DEFAULT_DB})",
        )
        return p

    p = with_db(
        subparsers.add_parser(
            "report",
            help="call KPIs: containment, transfers, repeat callers, satisfaction, time saved",
        )
    )
    p.add_argument("--since", default="30d", help="30d, 12h, 2w or a date (default: 30d)")
    p.add_argument("--format", choices=("text", "json", "csv"), default="text")
    p.add_argument("--town", help="only the calls of this town, by its folder's name (a service with [towns])")
    p.add_argument(
        "--minutes-per-call",
        type=float,
        help="minutes a call with a person takes, for time saved "
        "(default: the configuration's [records] minutes_per_call)",
    )
    p.set_defaults(func=run_report)

    p = with_db(
        subparsers.add_parser(
            "purge", help="remove call text older than the retention period (counts are kept)"
        )
    )
    p.add_argument(
        "--retention-days",
        type=int,
        help="default: the configuration's [records] retention_days (90)",
    )
    p.add_argument("--dry-run", action="store_true", help="count what would go, change nothing")
    p.set_defaults(func=run_purge)

    p = with_db(
        subparsers.add_parser(
            "doctor",
            help="check the server's set-up: call records (writable, WAL, disk space, write "
            "errors) and each language's speech models",
        )
    )
    p.add_argument("--records-only", action="store_true", help="check the call records only")
    p.set_defaults(func=run_doctor)
