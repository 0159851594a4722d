"""The staff console (``/console``): sign-in, dashboard, calls, review list and callbacks,
flows, data, translations and "try a call". Server-rendered pages; small JavaScript only
for the time-out warning, the flow editor's line jumps and the call simulator.

``init_app(app)`` attaches it to the Flask app that ``civicline.app.create_app`` builds.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from flask import Flask

log = logging.getLogger(__name__)

DEFAULTS = {
    "CONSOLE_IDLE_MINUTES": 20,  # WCAG 2.2.1: warned 2 minutes before, can extend
    "CONSOLE_WARN_SECONDS": 120,
    "CONSOLE_MAX_FAILURES": 5,  # wrong passwords per account within the lock-out window
    "CONSOLE_LOCKOUT_MINUTES": 15,
    "CONSOLE_MAX_UPLOAD_BYTES": 1024 * 1024,
    "CONSOLE_COOKIE_SECURE": True,
}


@dataclass
class ConsoleState:
    """What the console's requests share, kept in app.extensions['console']."""

    store: Any
    users: Any
    versions: Any
    trials: Any
    save_lock: threading.Lock = field(default_factory=threading.Lock)
    speech: Any = None  # trial_views.Speech around the phone line's speech; False without it


def init_app(app: Flask) -> None:
    from civicline.console import (  # noqa: F401  (each module adds its routes)
        auth,
        calls_views,
        dashboard,
        data_views,
        flows_views,
        i18n,
        review_views,
        sorting_views,
        town_forms_views,
        translations_views,
        trial_views,
    )
    from civicline.console.accounts import Users
    from civicline.console.core import bp
    from civicline.console.file_versions import FileVersions
    from civicline.console.trial import TrialCalls

    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    # Flask's defaults always hold SESSION_COOKIE_NAME ("session"): set, not setdefault.
    app.config["SESSION_COOKIE_NAME"] = "civicline_console"
    app.config["SESSION_COOKIE_SECURE"] = app.config["CONSOLE_COOKIE_SECURE"]
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Strict"
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(
        minutes=app.config["CONSOLE_IDLE_MINUTES"] + 5
    )
    civic = app.extensions["civicline"]
    store = getattr(civic.recorder, "store", None)
    if store is None:
        from civicline.wiring import store_for

        store = store_for(civic.config)
    if not app.config.get("SECRET_KEY"):
        log.warning("the staff console is off until CIVICLINE_SECRET_KEY is set")
    app.extensions["console"] = ConsoleState(
        store=store, users=Users(store), versions=FileVersions(store), trials=TrialCalls()
    )
    i18n.init_i18n(app)
    app.register_blueprint(bp)
