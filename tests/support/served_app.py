"""The app gunicorn serves for :mod:`support.served`: the configuration from ``CIVICLINE_*``
variables (as in production), the test flows (``SERVED_TOWN=test``) or the demo town
(``SERVED_TOWN=demo``), and the clock fixed at ``SERVED_NOW``."""

from __future__ import annotations

import logging
import os
from datetime import datetime
from typing import Any


def create() -> Any:
    from civicline.app import create_app
    from civicline.config import load_config
    from civicline.wiring import store_for
    from records import CallRecorder

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    config = load_config(env=dict(os.environ))
    # The SQLite file of CIVICLINE_DB_PATH, or PostgreSQL with CIVICLINE_DATABASE_URL.
    recorder = CallRecorder(store_for(config), hash_key=b"s" * 32, auto_purge=False)
    runtime = None
    if os.environ.get("SERVED_TOWN", "test") == "test":
        from support.flowkit import make_runtime

        runtime = make_runtime()
    app = create_app(config, runtime=runtime, recorder=recorder)
    now = datetime.fromisoformat(os.environ.get("SERVED_NOW", "2026-12-01T10:15:00+01:00"))
    app.extensions["telephony"].clock = lambda: now
    if os.environ.get("SERVED_HTTP_COOKIES"):  # the console's cookie over the tests' http
        app.config["SESSION_COOKIE_SECURE"] = False
    return app
