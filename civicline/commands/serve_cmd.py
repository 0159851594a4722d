"""civicline serve: the hotline server (development server; use gunicorn in production)."""

from __future__ import annotations

import argparse
from typing import Any

from civicline.commands.common import config_from


def register(subparsers: argparse._SubParsersAction) -> None:
    serve = subparsers.add_parser("serve", help="start the hotline server on the configured town")
    serve.add_argument("--host", help="address to listen on (default from the configuration)")
    serve.add_argument("--port", type=int, help="port (default from the configuration)")
    serve.set_defaults(func=run)


def speech_report_lines(ext: Any) -> list[str]:
    """One line per language: what its calls will hear with and speak with."""
    if ext.speech is None:
        return ["speech is off (the voice extra is not installed): the phone line is off"]
    return [r.describe() for r in (ext.speech_report or {}).values()]


def run(args: argparse.Namespace) -> int:
    from civicline.app import create_app

    config = config_from(args)
    print("civicline: loading the speech models of every enabled language…", flush=True)
    app = create_app(config, check_speech=True)  # refuses to start on an invalid flow, saying why
    ext = app.extensions["civicline"]
    for line in speech_report_lines(ext):
        print(f"  {line}")
    host = args.host or config.host
    port = args.port or config.port
    towns = ext.towns.numbers if ext.towns is not None else {}
    serving = ", ".join(f"{ext.runtime_of(key).town_name} ({number})" for number, key in towns.items())
    print(f"civicline: {serving or ext.runtime.town_name} on http://{host}:{port} "
          "(Twilio webhook: /twilio/voice, health: /health)")
    from civicline.dev_server import WebsocketHandshakeHandler

    app.run(host=host, port=port, threaded=True, request_handler=WebsocketHandshakeHandler)
    return 0
