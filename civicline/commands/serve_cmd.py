"""civicline serve: the hotline server (development server; use gunicorn in production)."""

from __future__ import annotations

import argparse

from civicline.commands.common import config_from


def register(subparsers: argparse._SubParsersAction) -> None:
    serve = subparsers.add_parser("serve", help="start the hotline server on the configured town")
    serve.add_argument("--host", help="address to listen on (default from the configuration)")
    serve.add_argument("--port", type=int, help="port (default from the configuration)")
    serve.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from civicline.app import create_app

    config = config_from(args)
    app = create_app(config)  # refuses to start on an invalid flow, saying why
    host = args.host or config.host
    port = args.port or config.port
    print(f"civicline: {app.extensions['civicline'].runtime.town_name} on http://{host}:{port} "
          "(Twilio webhook: /twilio/voice, health: /health)")
    app.run(host=host, port=port, threaded=True)
    return 0
