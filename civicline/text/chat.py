"""The residents' chat page (``/chat``): the phone line's service in writing, without an
account. A plain HTML form that works without JavaScript (post, then the page again at the
latest answer); ``chat.js`` only avoids the reloads and shows a person's answers as they come.

The conversation is found by an unguessable cookie (only its hash is kept); each form
carries the conversation's own token, so another site cannot post into it. Every client
address (``civicline.proxies.client_address``) may send ``[text] chat_per_minute`` messages
a minute. Its wording comes from the catalogs (``chat.*``), in the conversation's language.

On a service answering several towns (``[towns]``) the page is a town's: ``/chat?town=KEY``
(its folder's name; every link of the page keeps it), the first town without it; a
conversation stays in the town it started in.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    g,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from markupsafe import Markup, escape
from werkzeug.wrappers.response import Response as BaseResponse

from civicline.proxies import client_address
from civicline.text.conversations import Conversation
from flows.session import CHAT, Expect, SessionState

bp = Blueprint("chat", __name__, template_folder="templates", static_folder="static", static_url_path="/chat/static")
COOKIE = "civicline_chat"
LINK = re.compile(r"https?://[^\s<>\"]+[^\s<>\".,;:!?)]")
PERSON = "0"  # the key that reaches a person at any question


def service() -> Any:
    return current_app.extensions["text_service"]


class _TownView:
    """The app's Civicline with the page's town's runtime as ``runtime``."""

    def __init__(self, ext: Any, town: str | None) -> None:
        self._ext, self._town = ext, town

    @property
    def runtime(self) -> Any:
        return self._ext.runtime_of(self._town)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._ext, name)


def civic() -> Any:
    """The app's Civicline, its ``runtime`` the page's town's."""
    return _TownView(current_app.extensions["civicline"], g.get("chat_town"))


def page_town(found: Conversation | None) -> str | None:
    """The key of the page's town: the conversation's, else ``?town=`` (a service with
    [towns]); None: the default town. An unknown town is not found (404)."""
    towns = current_app.extensions["civicline"].towns
    if not towns.several:
        return None
    if found is not None and found.town:
        return found.town
    asked = request.args.get("town") or request.form.get("town")
    if not asked:
        return str(towns.default)
    if asked not in towns.holders:
        abort(404)
    return str(asked)


@bp.url_defaults
def _town_in_links(endpoint: str, values: dict[str, Any]) -> None:
    town = g.get("chat_town")
    if town and endpoint != "chat.static" and "town" not in values:
        values["town"] = town


def _address(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def conversation() -> Conversation | None:
    token = request.cookies.get(COOKIE, "")
    if not token or len(token) > 100:
        return None
    found: Conversation | None = service().conversations.find(CHAT, _address(token))
    return found


@bp.before_request
def _town() -> None:
    if request.endpoint != "chat.static":
        g.chat_town = page_town(conversation())


def page_language(found: Conversation | None) -> str:
    """The conversation's language; else ?lang=, else the browser's, else the town's."""
    runtime = civic().runtime
    if found is not None and found.state_json:
        lang = SessionState.from_json(found.state_json).lang
        if lang:
            return lang
    asked = request.args.get("lang") or request.form.get("lang")
    if asked in runtime.languages:
        return str(asked)
    best = request.accept_languages.best_match(runtime.languages)
    return best or runtime.main_language


def say(lang: str, key: str, **values: Any) -> str:
    return str(civic().runtime.catalogs.render(key, lang, {"town": civic().runtime.town_name, **values}, written=True).text)


@bp.app_template_filter("linked")
def linked(text: str) -> Markup:
    """The text, escaped, its web addresses as links, its lines as line breaks."""
    out, last = [], 0
    for match in LINK.finditer(text):
        out.append(str(escape(text[last : match.start()])))
        url = escape(match.group(0))
        out.append(f'<a href="{url}">{url}</a>')
        last = match.end()
    out.append(str(escape(text[last:])))
    return Markup("<br>".join("".join(out).split("\n")))


def quick_answers(found: Conversation | None, lang: str) -> list[tuple[str, str]]:
    """(what is sent, what the button says) for the question waiting, if it has options."""
    if found is None or not found.state_json or found.with_person:
        return []
    state = SessionState.from_json(found.state_json)
    ask = state.last_ask
    if state.ended or ask is None:
        return []
    catalog = civic().runtime.catalogs[lang]
    said = {p.key for p in state.last_said}
    if ask.expect == Expect.YES_NO:
        if "emergency.closed" in said:  # after hours nobody can answer: "1" would only end the conversation
            return [("2", f"2 – {say(lang, 'chat.not_emergency')}")]
        if "callback.offer" in said:  # 1 and 2 are two ways to reach a person, not yes and no
            return [("1", f"1 – {say(lang, 'chat.call_back')}"), ("2", f"2 – {say(lang, 'chat.leave_message')}")]
        return [(o.key, f"{o.key} – {(catalog.yes if o.label == 'yes' else catalog.no)[:1][0]}") for o in ask.options]
    if ask.expect == Expect.LANGUAGE:
        runtime = civic().runtime
        return [(o.key, f"{o.key} – {runtime.catalogs.render('lang.name', o.label).text}") for o in ask.options]
    quick = [(o.key, f"{o.key} – {o.label}") for o in ask.options]
    if ask.expect == Expect.CHOICE and all(o.key != PERSON for o in ask.options):
        quick.append((PERSON, f"{PERSON} – {say(lang, 'chat.person')}"))  # a person, at any menu
    return quick


def messages_json(found: Conversation, after: int) -> list[dict[str, Any]]:
    return [{"by": m.by, "seq": m.seq, "html": str(linked(m.text))} for m in found.transcript if m.seq > after]


def _page(lang: str, found: Conversation | None, error: str | None = None, code: int = 200) -> Response:
    config = civic().config
    body = render_template(
        "chat/page.html",
        lang=lang,
        t=lambda key, **values: say(lang, key, **values),
        conversation=found,
        quick=quick_answers(found, lang),
        languages=[(code_, civic().runtime.catalogs.render("lang.name", code_).text) for code_ in civic().runtime.languages],
        error=error,
        limit=config.text_max_length,
        days=config.retention_days,
        latest=found.transcript[-1].seq if found and found.transcript else -1,
    )
    return make_response(body, code)


@bp.get("/chat")
def page() -> Response:
    found = conversation()
    return _page(page_language(found), found)


@bp.get("/chat/messages")
def new_messages() -> Response:
    """What the page has not shown yet (``after``: the last message it has), for chat.js."""
    found = conversation()
    try:
        after = int(request.args.get("after", "-1")[:9])
    except ValueError:
        after = -1
    if found is None:
        return jsonify(messages=[], ended=True, quick=[])
    lang = page_language(found)
    return jsonify(messages=messages_json(found, after), ended=False, with_person=found.with_person,
                   quick=quick_answers(found, lang))


@bp.post("/chat")
def send() -> BaseResponse:
    config = civic().config
    found = conversation()
    lang = page_language(found)
    wants_json = request.accept_mimetypes.best == "application/json"
    if not current_app.extensions["chat_limit"].allow(client_address(request, config.trusted_proxies)):
        return _refuse(lang, found, say(lang, "chat.too_many"), 429, wants_json)
    message = (request.form.get("message") or "").strip()
    if not message:
        return _refuse(lang, found, say(lang, "chat.empty"), 422, wants_json)
    if len(message) > config.text_max_length:
        return _refuse(lang, found, say(lang, "chat.too_long", limit=config.text_max_length), 422, wants_json)
    if found is not None and not hmac.compare_digest(request.form.get("token", "").encode(), found.form_token.encode()):
        return _refuse(lang, found, say(lang, "chat.ended"), 400, wants_json)
    token = request.cookies.get(COOKIE, "") if found is not None else secrets.token_urlsafe(32)
    before = found.transcript[-1].seq if found and found.transcript else -1
    received = service().receive(CHAT, _address(token), message, language=lang, town=g.get("chat_town"))
    if wants_json:
        lang = page_language(received.conversation)
        response: BaseResponse = jsonify(messages=messages_json(received.conversation, before), token=received.conversation.form_token,
                           with_person=received.conversation.with_person, quick=quick_answers(received.conversation, lang))
    else:
        response = redirect(url_for("chat.page", _anchor="latest"), code=303)
    if found is None:
        response.set_cookie(COOKIE, token, httponly=True, samesite="Strict", secure=config.chat_cookie_secure,
                            max_age=config.text_person_idle_minutes * 60, path="/chat")
    return response


@bp.post("/chat/new")
def new() -> BaseResponse:
    """Forget this conversation on this browser; the next message starts another."""
    found = conversation()
    if found is not None and hmac.compare_digest(request.form.get("token", "").encode(), found.form_token.encode()):
        service().end(found, "resident started a new conversation")
    response = redirect(url_for("chat.page"), code=303)
    response.delete_cookie(COOKIE, path="/chat")
    return response


def _refuse(lang: str, found: Conversation | None, message: str, code: int, wants_json: bool) -> Response:
    if wants_json:
        return make_response(jsonify(error=message), code)
    return _page(lang, found, message, code)


@bp.after_request
def _headers(response: Response) -> Response:
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'",
    )
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    if request.endpoint != "chat.static":
        response.headers["Cache-Control"] = "no-store"
    return response
