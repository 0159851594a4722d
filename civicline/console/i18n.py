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
from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, abort, current_app, redirect, request, session
from flask_babel import Babel, get_locale

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


def town_date(value: date | datetime | str | None, style: str = "short") -> str:
    if value in (None, ""):
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    return format_date(value, style, locale=town_locale())


def init_i18n(app: Flask) -> None:
    compiled = Path(tempfile.mkdtemp(prefix="civicline-console-i18n-"))
    _compile(compiled)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(compiled)
    app.config.setdefault("BABEL_DEFAULT_LOCALE", "en")
    Babel(app, locale_selector=select_locale)

    @app.context_processor
    def _i18n_values() -> dict[str, Any]:
        return {"console_languages": LANGUAGES, "current_locale": str(get_locale() or "en"),
                "town_date": town_date}


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
