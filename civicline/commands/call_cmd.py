"""civicline call (an interactive call in the terminal) and civicline simulate (scenarios)."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path

from civicline.calls import Call
from civicline.commands.common import add_town_argument, config_from, parse_now
from civicline.scenarios import TownEngines, load_scenario, run_scenario, scenario_files
from civicline.wiring import load_runtime
from flows.dialog import Engine
from flows.session import (
    Ask,
    CallerHungUp,
    EndCall,
    Event,
    NoInput,
    Pressed,
    Said,
    Say,
    SendText,
    StaffRequest,
    Step,
    Transfer,
)
from staff_files.problems import CivicError, FlowError

HELP = """Type what you would say and press Enter. Keys: '#5' presses 5, '#0' a person,
'#*' repeat, '#9' slower, '##' presses # alone (where does that answer come from?),
'#0612345678#' a number. Empty line: silence. Ctrl-D: hang up."""


def register(subparsers: argparse._SubParsersAction) -> None:
    call = subparsers.add_parser("call", help="try a call in the terminal", description=HELP)
    call.add_argument("--lang", help="start in this language instead of the language menu")
    call.add_argument("--now", help="the clock the call sees (ISO date-time, town time if no offset)")
    call.add_argument("--caller", help="the caller's number, as the phone line would give it")
    call.add_argument("--record", type=Path, metavar="DB",
                      help="record the call in this store (a try is never put among the town's calls)")
    add_town_argument(call)
    call.set_defaults(func=run_call)

    sim = subparsers.add_parser("simulate", help="run scenario files; exit 1 if any fails")
    sim.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="scenario files or folders")
    sim.add_argument("--json", action="store_true", help="print a machine-readable report")
    sim.add_argument("-q", "--quiet", action="store_true", help="print failures only")
    sim.add_argument("--record", type=Path, metavar="DB",
                     help="record the calls in this store (never the production one by default)")
    sim.set_defaults(func=run_simulate)


def _print_step(step: Step, out=sys.stdout) -> None:
    for action in step.actions:
        if isinstance(action, Say):
            slow = " (slowly)" if action.slow else ""
            print(f"  assistant [{action.lang}]{slow}: {action.text}", file=out)
            for source in action.provenance:
                verified = f", verified {source.verified}" if source.verified else ""
                print(f"      source: {source.dataset}/{source.record} v{source.version}{verified}", file=out)
        elif isinstance(action, Ask):
            keys = ", ".join(f"{o.key}={o.label}" for o in action.options)
            what = action.slot_type or action.expect
            print(f"  (waiting for {what}{': ' + keys if keys else ''}; {action.timeout:.0f}s)", file=out)
        elif isinstance(action, Transfer):
            print(f"  >> transfer to {action.human_line} {action.number} ({action.reason})", file=out)
            print(f"     whisper: {action.summary}", file=out)
        elif isinstance(action, EndCall):
            print(f"  >> hang up ({action.reason})", file=out)
        elif isinstance(action, StaffRequest):
            print(f"  >> for staff: {action.kind} {json.dumps(action.details, ensure_ascii=False)}", file=out)
        elif isinstance(action, SendText):
            print(f"  >> text message ({action.purpose}) to {action.to or 'the caller'}:", file=out)
            for line in action.text.splitlines():
                print(f"     | {line}", file=out)


def run_call(args: argparse.Namespace) -> int:
    config = config_from(args)
    runtime = load_runtime(config)
    tz = getattr(runtime.town, "timezone", None)
    fixed = parse_now(args.now, tz)
    clock = (lambda: fixed) if fixed else (lambda: datetime.now(tz))
    if args.lang and args.lang not in runtime.languages:
        raise CivicError(f"--lang {args.lang}: not a language this town offers ({', '.join(runtime.languages)}); "
                        f"add it to town.yaml's languages, or for this run set "
                        f"CIVICLINE_LANGUAGES={','.join([*runtime.languages, args.lang])}")
    recorder = _recorder(config, Path(args.record)) if args.record else None
    call = Call(Engine(runtime), clock, caller=args.caller, language=args.lang, recorder=recorder, texts=_Shown())
    print(HELP)
    _print_step(call.start())
    while not call.ended:
        try:
            line = input("you> ")
        except EOFError:
            call.send(CallerHungUp())
            print("\n(hung up)")
            break
        line = line.strip()
        event: Event
        if not line:
            event = NoInput()
        elif line.startswith("#") and len(line) > 1:
            event = Pressed(line[1:])
        else:
            event = Said(line)
        _print_step(call.send(event))
    return 0


class _Shown:
    """The terminal sends no text message: it shows it (above)."""

    def send(self, to: str, text: str, *, call_id: str, purpose: str) -> None:
        return None


def _recorder(config, file=None):
    """The call records store, when the records package is installed and configured."""
    try:
        from civicline.wiring import recorder_for
    except ImportError:
        return None
    return recorder_for(config, file=file)


def run_simulate(args: argparse.Namespace) -> int:
    config = config_from(args)
    engine_for = TownEngines(config)
    results = []
    errors: list[str] = []
    recorder = None
    if args.record:
        # The file named, even when $CIVICLINE_DATABASE_URL points at the town's records.
        recorder = _recorder(config, Path(args.record))
    for path in scenario_files(args.paths):
        try:
            scenario = load_scenario(path)
        except FlowError as exc:
            errors.extend(str(p) for p in exc.problems)
            continue
        results.append(run_scenario(engine_for(scenario), scenario, str(path), recorder=recorder))
    failed = [r for r in results if not r.passed]
    if args.json:
        print(json.dumps({
            "passed": len(results) - len(failed), "failed": len(failed), "invalid": errors,
            "scenarios": [{"file": r.file, "name": r.name, "passed": r.passed, "failures": r.failures,
                           "transcript": r.transcript} for r in results],
        }, ensure_ascii=False, indent=2))
    else:
        for r in results:
            if r.passed and not args.quiet:
                print(f"PASS {r.file}: {r.name}")
            elif not r.passed:
                print(f"FAIL {r.file}: {r.name}")
                for failure in r.failures:
                    print(f"     {failure}")
        for error in errors:
            print(f"INVALID {error}")
        print(f"{len(results) - len(failed)} passed, {len(failed)} failed"
              + (f", {len(errors)} invalid" if errors else ""))
    return 1 if failed or errors or not results else 0
