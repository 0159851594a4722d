"""The console's blueprint and what every page shares: who is signed in, roles, the CSRF
token, the idle time-out, security headers and rendering.

Sessions are Flask's signed cookies holding a session id, a CSRF token and the time of the
last request; the id must name a live row of the store's console sessions, so signing out
(or an administrator disabling the account) ends the session on the server too, whatever a
copied cookie says. The user's role is read from the store on every request, so a changed
role takes effect at once.
"""

from __future__ import annotations

import hmac
import secrets
import time
from collections.abc import Callable
from dataclasses import replace
from functools import wraps
from typing import Any, NoReturn

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from civicline.console.accounts import User

bp = Blueprint(
    "console",
    __name__,
    url_prefix="/console",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)

PUBLIC = {"console.sign_in", "console.static", "console.set_language"}  # reachable without signing in
# Pages about the session itself, not a town's: reachable by an account that sees no town.
NO_TOWN = {*PUBLIC, "console.sign_out", "console.session_status", "console.session_extend"}


class ConsoleError(Exception):
    """A request the console refuses, with a status and a message for staff: give the
    message and title as ``_l("English %(name)s", name=...)``, said in the staff's language
    when the page is made."""

    def __init__(self, status: int, message: Any, title: Any = None) -> None:
        super().__init__(message)
        self.status, self.message, self.title = status, message, title if title is not None else _l("Not done")


def fresh_session() -> None:
    """Empties the session (signing in or out, an ended session) but for the language the
    member of staff chose: the console keeps speaking it."""
    lang = session.get("console_lang")
    session.clear()
    if lang:
        session["console_lang"] = lang


def state() -> Any:
    """The console's shared state; its file versions are the current town's."""
    return g.get("console_state") or current_app.extensions["console"]


def civic() -> Any:
    """The app's Civicline seen from the town the page shows (civicline.console.towns)."""
    return g.get("console_scope") or current_app.extensions["civicline"]


def town_key() -> str:
    """The key of the town the page shows."""
    return str(g.get("console_town") or "")


def record_towns() -> tuple[str, ...]:
    """The ``calls.town`` values of the records the page may show."""
    from civicline.console.towns import record_keys

    return record_keys(current_app.extensions["civicline"].towns, town_key())


def own_record(row: dict[str, Any], what: Any) -> None:
    """Refuses (403) a call, or an item of a call, of a town the page does not show."""
    from records.browse import town_of

    if town_of(state().store, row) not in record_towns():
        raise ConsoleError(403, _l("%(what)s belongs to another town than the one shown, which your account "
                                   "may not see, or which you did not open.", what=what), _l("Not allowed"))


def user() -> User | None:
    return g.get("console_user")


def signed_in() -> User:
    """The user of a page behind the sign-in guard: every page but the PUBLIC ones."""
    who = user()
    assert who is not None, "_guard lets no request without a user reach a non-public page"
    return who


def wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json" or request.is_json


def idle_seconds() -> int:
    return int(current_app.config["CONSOLE_IDLE_MINUTES"] * 60)


def require(role: str) -> Callable:
    """Pages for editors and admins; a viewer gets a clear 403, not a missing button."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            who = user()
            if who is None or not who.can(role):
                raise ConsoleError(
                    403, _l("This needs the %(role)s role; you are signed in as %(yours)s.", role=_(role),
                            yours=_(who.role) if who else _("a guest")),
                    _l("Not allowed"),
                )
            return view(*args, **kwargs)

        return wrapper

    return decorator


def csrf_token() -> str:
    if not current_app.config.get("SECRET_KEY"):
        return ""  # no session without a key: only the "switched off" page renders
    token = session.get("csrf")
    if not token:
        token = session["csrf"] = secrets.token_urlsafe(32)
    return token


@bp.before_request
def _guard() -> Any:
    # Uploads and flow files may be larger than the telephony webhooks' limit; the
    # console's own limit applies to its requests only (Flask 3.1 per-request limit).
    request.max_content_length = current_app.config["CONSOLE_MAX_UPLOAD_BYTES"]
    if request.endpoint == "console.static":
        return None
    if not current_app.config.get("SECRET_KEY"):
        raise ConsoleError(
            503,
            _l("The console is switched off: set CIVICLINE_SECRET_KEY in the server's environment."),
            _l("Console not configured"),
        )
    now = time.time()
    session_id = session.get("sid")
    name = state().users.session_user(str(session_id)) if session_id else None
    if session_id and name is None:  # signed out elsewhere, or a replayed cookie
        fresh_session()
    if name:
        last = float(session.get("last", 0))
        if now - last > idle_seconds():
            fresh_session()
            session["expired"] = True
            if wants_json():  # the time-out poll: keep the flag for the sign-in page
                return jsonify(error="session expired", expires_in=0), 401
            if request.method == "POST":
                raise ConsoleError(
                    401,
                    _l("Your session ended after a period without activity, so nothing was saved. "
                       "Sign in again, then repeat what you were doing."),
                    _l("Session expired"),
                )
            return redirect(url_for("console.sign_in", next=request.full_path.rstrip("?")))
        who = state().users.get(name)
        if who is None or who.disabled:
            fresh_session()
            return redirect(url_for("console.sign_in"))
        g.console_user = who
    if request.method == "POST":
        sent = str(request.headers.get("X-CSRF-Token") or request.form.get("csrf_token", ""))
        expected = str(session.get("csrf", ""))
        # Bytes: compare_digest refuses non-ASCII text with a TypeError (a 500 for a forged
        # token). An empty expected token means no page of ours was loaded first.
        if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
            raise ConsoleError(
                400,
                _l("The page's security token did not match, so nothing was saved. This happens "
                   "when a form was open in an old tab or came from another site. Reload the page "
                   "and try again."),
                _l("Form refused"),
            )
    if request.endpoint not in PUBLIC and g.get("console_user") is None:
        if wants_json():
            return jsonify(error="not signed in"), 401
        return redirect(url_for("console.sign_in", next=request.full_path.rstrip("?")))
    if g.get("console_user") is not None and request.endpoint not in NO_TOWN:
        _enter_town(g.console_user)
    if g.get("console_user") is not None and request.endpoint != "console.session_status":
        session["last"] = now  # activity extends the session; the status poll does not
    return None


def _enter_town(who: User) -> None:
    """The town this page shows: ``?town=``, else the one last opened, else the first the
    account sees; a town it does not see is refused."""
    from civicline.console.towns import TownScope, versions_prefix, visible_towns

    ext = current_app.extensions["civicline"]
    visible = visible_towns(who, ext.towns)
    asked = request.args.get("town")
    if asked is not None:
        if asked not in visible:
            raise ConsoleError(403, _l("Your account may not see the town %(town)s.", town=repr(asked[:100])),
                               _l("Not allowed"))
        key: str | None = asked
    else:
        kept = session.get("town")
        key = kept if kept in visible else (visible[0] if visible else None)
    if key is None:
        raise ConsoleError(403, _l("Your account sees no town of this service. An administrator gives it "
                                   "towns with `civicline users towns NAME TOWN…`."), _l("No town"))
    session["town"] = key
    g.console_town, g.console_towns = key, visible
    g.console_scope = TownScope(ext, key)
    base = current_app.extensions["console"]
    g.console_state = replace(base, versions=base.versions.of_town(versions_prefix(ext.towns, key)))


@bp.url_defaults
def _town_in_links(endpoint: str, values: dict[str, Any]) -> None:
    """Every console link and form names the town its page shows: two tabs on two towns
    each save to their own."""
    key = g.get("console_town")
    if key and endpoint != "console.static" and "town" not in values \
            and current_app.extensions["civicline"].towns.several:
        values["town"] = key


@bp.after_request
def _headers(response: Response) -> Response:
    # Server-rendered pages with our own files only: no inline script, no framing.
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "media-src 'self' blob:; connect-src 'self'; frame-ancestors 'none'; "
        "form-action 'self'; base-uri 'none'; object-src 'none'",
    )
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if request.endpoint != "console.static":
        response.headers["Cache-Control"] = "no-store"
    return response


@bp.app_template_global()
def session_expires_in() -> int:
    last = float(session.get("last", time.time()))
    return max(0, int(last + idle_seconds() - time.time()))


@bp.app_context_processor
def _template_values() -> dict[str, Any]:
    return {"csrf_token": csrf_token, "current_user": user(), "console_town": g.get("console_town"),
            "console_towns": g.get("console_towns") or [], "console_town_names": _town_names}


def _town_names() -> dict[str, str]:
    ext = current_app.extensions["civicline"]
    return {key: holder.get().town_name for key, holder in ext.towns.holders.items()}


def render(template: str, code: int = 200, /, **values: Any) -> tuple[str, int]:
    return render_template(f"console/{template}", **values), code


@bp.errorhandler(ConsoleError)
def _console_error(exc: ConsoleError) -> Any:
    if wants_json():
        return jsonify(error=str(exc.message)), exc.status
    return render("error.html", exc.status, title=str(exc.title), message=str(exc.message))


@bp.errorhandler(413)
def _too_large(error: Exception) -> Any:
    limit = current_app.config["CONSOLE_MAX_UPLOAD_BYTES"] // 1024
    message = _("The file or text sent is larger than the console accepts (%(kib)s KiB). Nothing was saved.",
                kib=limit)
    if wants_json():
        return jsonify(error=message), 413
    return render("error.html", 413, title=_("Too large"), message=message)


def not_found(what: Any) -> NoReturn:
    """``what``: the thing looked for, in the staff's language (``_l("This call")``)."""
    raise ConsoleError(404, _l("%(what)s was not found. It may have been removed or purged.", what=what),
                       _l("Not found"))


def form_text(name: str, *, limit: int = 2000, required: bool = False) -> str:
    value = (request.form.get(name) or "").strip()
    if required and not value:
        raise ConsoleError(422, _l("Please fill in '%(field)s'.", field=name.replace("_", " ")), _l("Missing field"))
    if len(value) > limit:
        raise ConsoleError(422, _l("'%(field)s' is longer than %(limit)s characters.", field=name, limit=limit),
                           _l("Too long"))
    return value


__all__ = ["ConsoleError", "_", "_l", "abort", "bp", "civic", "form_text", "fresh_session", "own_record",
           "record_towns", "render", "require", "signed_in", "state", "town_key", "user"]
