"""The console in the staff's language (French, English, Spanish) with Flask-Babel: the
user's choice (kept in the session), else the browser's, else English. Dates are written
the town's way (its language and country: 31/01/2026 in Gedling and Port-Lumière, never a
US month-first date).

The wording lives in `translations/<lang>/LC_MESSAGES/messages.po` next to this module,
with English as the source text; the .po files are compiled when the app starts (no
compiled file is kept in the repository).
"""

from __future__ import annotations

import tempfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, abort, current_app, redirect, request, session
from flask_babel import Babel, get_locale, gettext
from flask_babel import lazy_pgettext as _p

from civicline.console.core import bp, civic

LANGUAGES = {"en": "English", "fr": "Français", "es": "Español"}
SOURCE = Path(__file__).resolve().parent / "translations"
PHONE_REGIONS = {"UK": "GB"}


def _compile(target: Path) -> None:
    for po in SOURCE.glob("*/LC_MESSAGES/messages.po"):
        with po.open("rb") as f:
            catalog = read_po(f, locale=po.parent.parent.name)
        mo = target / po.relative_to(SOURCE).with_suffix(".mo")
        mo.parent.mkdir(parents=True, exist_ok=True)
        with mo.open("wb") as f:
            write_mo(f, catalog)


def select_locale() -> str:
    chosen = session.get("console_lang")
    if chosen in LANGUAGES:
        return str(chosen)
    return request.accept_languages.best_match(list(LANGUAGES)) or "en"


def town_locale() -> Locale:
    return locale_of(getattr(civic().runtime, "town", None))


def locale_of(town: Any) -> Locale:
    """The town's language and country (en_GB, fr_FR), for dates and numbers."""
    lang = str(getattr(town, "main_language", "") or "en")
    country = str(getattr(town, "country", "") or "").upper()
    for name in (f"{lang}_{PHONE_REGIONS.get(country, country)}", lang):
        try:
            return Locale.parse(name)
        except (ValueError, UnknownLocaleError):
            continue
    return Locale.parse("en_GB")


def staff_locale() -> Locale:
    """The staff's language, written the way the town's country writes dates (en_FR, fr_FR,
    en_GB); a language CLDR does not pair with that country keeps its own (fr, es), and
    English never falls back to the US month-first form."""
    lang = str(get_locale() or "en").split("_")[0]
    country = str(town_locale().territory or "")
    for name in (f"{lang}_{country}" if country else "", lang if lang != "en" else "en_GB"):
        if not name:
            continue
        try:
            return Locale.parse(name)
        except (ValueError, UnknownLocaleError):
            continue
    return Locale.parse("en_GB")


def town_date(value: date | datetime | str | None, style: str = "short") -> str:
    if value in (None, ""):
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    return format_date(value, style, locale=staff_locale())


def town_time(value: datetime | str | None, style: str = "short") -> str:
    """A moment (stored in UTC) as the town's clock showed it, in the staff's way."""
    if value in (None, ""):
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    from civicline.console.calls_views import town_tz

    return format_datetime(value, style, tzinfo=town_tz(), locale=staff_locale())


def language_name(code: str | None) -> str:
    """A caller's or a catalog's language named in the staff's language ("anglais")."""
    if not code:
        return ""
    try:
        return Locale.parse(code).get_display_name(staff_locale()) or code
    except (ValueError, UnknownLocaleError):
        return code


# What the records and files hold (an outcome, a status, a kind, a role), said in the staff's
# language; a value not listed here is shown as stored.
WORDS: dict[tuple[str, str], Any] = {
    ("outcome", "answered"): _p("outcome", "answered"),
    ("outcome", "transferred"): _p("outcome", "transferred"),
    ("outcome", "callback"): _p("outcome", "callback asked"),
    ("outcome", "message"): _p("outcome", "message left"),
    ("outcome", "abandoned"): _p("outcome", "abandoned"),
    ("outcome", "in_progress"): _p("outcome", "not ended"),
    ("status", "open"): _p("status", "open"),
    ("status", "assigned"): _p("status", "assigned"),
    ("status", "closed"): _p("status", "closed"),
    ("status", "all"): _p("status", "all"),
    ("status", "pending"): _p("status", "pending"),
    ("status", "for_staff"): _p("status", "for staff"),
    ("status", "filed"): _p("status", "filed"),
    ("review", "stale_fee"): _p("review", "fee to check"),
    ("review", "legal"): _p("review", "legal question"),
    ("review", "not_understood"): _p("review", "not understood"),
    ("review", "asked_person"): _p("review", "asked for a person"),
    ("review", "stale_record"): _p("review", "record to check"),
    ("review", "other"): _p("review", "other"),
    ("review", "emergency"): _p("review", "emergency"),
    ("request", "callback"): _p("request", "Callback"),
    ("request", "message"): _p("request", "Message"),
    ("channel", "voice"): _p("channel", "phone call"),
    ("channel", "sms"): _p("channel", "text messages (SMS)"),
    ("channel", "chat"): _p("channel", "chat page"),
    ("role", "viewer"): _p("role", "viewer"),
    ("role", "editor"): _p("role", "editor"),
    ("role", "admin"): _p("role", "admin"),
    ("severity", "error"): _p("severity", "error"),
    ("severity", "warning"): _p("severity", "warning"),
    ("severity", "note"): _p("severity", "note"),
    ("severity", "ok"): _p("severity", "ok"),
    ("service", "missed_collection"): _p("service", "Missed collection"),
    ("service", "bulky_pickup"): _p("service", "Bulky-item pickup"),
}


def word(kind: str, value: str | None) -> str:
    if value is None:
        return ""
    found = WORDS.get((kind, value))
    return str(found) if found is not None else value


def problem_text(problem: Any) -> str:
    """A problem or notice in the staff's language when it was written as a template with
    its values (staff_files.problems.problem, flows.town.freshness.notice), its dates
    written their way; else its message as written (English)."""
    if not getattr(problem, "template", ""):
        return str(problem.message)
    values = {k: town_date(v) if isinstance(v, date) else v for k, v in problem.values.items()}
    return str(gettext(problem.template, **values))


def init_i18n(app: Flask) -> None:
    compiled = Path(tempfile.mkdtemp(prefix="civicline-console-i18n-"))
    _compile(compiled)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(compiled)
    app.config.setdefault("BABEL_DEFAULT_LOCALE", "en")
    Babel(app, locale_selector=select_locale)

    @app.context_processor
    def _i18n_values() -> dict[str, Any]:
        return {"console_languages": LANGUAGES, "current_locale": str(get_locale() or "en"),
                "town_date": town_date, "town_time": town_time, "language_name": language_name,
                "word": word, "problem_text": problem_text}


@bp.post("/language")
def set_language() -> Any:
    lang = request.form.get("lang", "")
    if lang not in LANGUAGES:
        abort(422)
    session["console_lang"] = lang
    back = request.form.get("next", "")
    # Only a page of this console: never an address given by someone else.
    if not back.startswith(current_app.config.get("APPLICATION_ROOT", "/").rstrip("/") + "/console") or "//" in back:
        back = "/console/dashboard"
    return redirect(back)
