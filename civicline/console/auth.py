"""Signing in and out, and the idle time-out that warns and can be extended (WCAG 2.2.1)."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, g, jsonify, redirect, request, session, url_for

from civicline.console.core import (
    _,
    bp,
    civic,
    csrf_token,
    fresh_session,
    idle_seconds,
    render,
    state,
)
from civicline.proxies import client_address


def _safe_next(target: str | None) -> str:
    """Only a path of this console: never an open redirect to another site."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and parts.path.startswith("/console/"):
            return target.rstrip("?")
    return url_for("console.dashboard")


def _minutes(wait: timedelta) -> int:
    return max(1, int(wait.total_seconds() // 60) + (1 if wait.total_seconds() % 60 else 0))


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> Any:
    expired = session.pop("expired", False)
    if request.method == "GET":
        if g.get("console_user") is not None:
            return redirect(_safe_next(request.args.get("next")))
        return render("sign_in.html", expired=expired, next=request.args.get("next", ""))
    name = (request.form.get("name") or "").strip()[:64]
    password = request.form.get("password") or ""
    users = state().users
    cfg = current_app.config
    # The real client behind a declared proxy: otherwise every client of the proxy shares its
    # address, and one guesser locks every member of staff out.
    address = client_address(request, civic().config.trusted_proxies)
    keys = (f"user:{name.lower()}", f"addr:{address}")
    window = timedelta(minutes=cfg["CONSOLE_LOCKOUT_MINUTES"])
    # Per account, and (more loosely, since staff may share an office's address) per
    # address: a guesser is slowed whether they try many passwords or many accounts.
    waits = [
        users.locked_for(keys[0], limit=cfg["CONSOLE_MAX_FAILURES"], window=window),
        users.locked_for(keys[1], limit=4 * cfg["CONSOLE_MAX_FAILURES"], window=window),
    ]
    wait = max((w for w in waits if w is not None), default=None)
    if wait is not None:
        message = _("Too many wrong passwords. For safety, signing in is paused for %(minutes)s minute(s). "
                    "An administrator can reset your password with `civicline users password`.",
                    minutes=_minutes(wait))
        return render("sign_in.html", 429, error=message, name=name, next=request.form.get("next", ""))
    who = users.check_password(name, password) if name and password else None
    if who is None:
        users.failure(*keys)
        # One message for a wrong name and a wrong password: it does not reveal which.
        return render(
            "sign_in.html",
            401,
            error=_("The user name or password is not right. Check them and try again."),
            name=name,
            next=request.form.get("next", ""),
        )
    users.clear_failures(keys[0])
    old = session.get("sid")
    if old:
        users.end_session(str(old))
    fresh_session()  # a fresh session (and CSRF token) for the signed-in user
    session.permanent = True
    session["sid"] = users.open_session(who.name)
    session["last"] = time.time()
    csrf_token()
    return redirect(_safe_next(request.form.get("next")))


@bp.post("/sign-out")
def sign_out() -> Any:
    session_id = session.get("sid")
    if session_id:
        state().users.end_session(str(session_id))
    fresh_session()
    return render("sign_in.html", signed_out=True, next="")


@bp.get("/session")
def session_status() -> Any:
    """For the time-out warning: seconds left, without counting as activity."""
    left = max(0, int(float(session.get("last", 0)) + idle_seconds() - time.time()))
    return jsonify(expires_in=left, idle_seconds=idle_seconds())


@bp.post("/session/extend")
def session_extend() -> Any:
    """The warning's "stay signed in" button (any POST counts as activity already)."""
    if request.accept_mimetypes.best == "application/json" or request.is_json:
        return jsonify(expires_in=idle_seconds())
    return redirect(_safe_next(request.form.get("next")))
