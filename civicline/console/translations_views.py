"""Translations: how complete each language's catalog is, which keys are missing, and the
machine drafts (prompts marked TODO:) waiting for a person, who can correct and approve them."""

from __future__ import annotations

import string
from typing import Any

from flask import flash, redirect, request, url_for

from civicline.console import catalog_edit, files
from civicline.console.core import (
    ConsoleError,
    _,
    _l,
    bp,
    civic,
    form_text,
    render,
    require,
    signed_in,
)
from civicline.console.i18n import language_name
from translations.catalog import TODO_MARK, load_catalog


def placeholders(text: str) -> set[str]:
    try:
        return {name for _text, name, _spec, _conv in string.Formatter().parse(text) if name}
    except ValueError:
        return {"(broken braces)"}


def coverage() -> tuple[list[dict], list[str]]:
    catalogs = civic().runtime.catalogs
    keys = sorted({k for c in catalogs.by_lang.values() for k in c.prompts})
    intents = sorted({k for c in catalogs.by_lang.values() for k in c.intents})
    rows = []
    for lang in catalogs.languages:
        c = catalogs[lang]
        done = [k for k in keys if c.has(k)]
        rows.append({
            "lang": lang,
            "done": len(done),
            "total": len(keys),
            "percent": round(100 * len(done) / len(keys), 1) if keys else 100.0,
            "missing": [k for k in keys if k not in c.prompts],
            "drafts": catalog_edit.drafts(c),
            "intents_missing": [i for i in intents if not c.intents.get(i)],
            "examples": sum(len(v) for v in c.intents.values()),
        })
    return rows, keys


@bp.get("/translations")
def translations() -> Any:
    rows, keys = coverage()
    catalogs = civic().runtime.catalogs
    main = catalogs.main_language
    reference = {k: catalogs[main].prompts.get(k, "") for k in keys}
    return render("translations.html", title=_("Translations"), rows=rows, main=main, reference=reference)


@bp.post("/translations/<lang>/prompt")
@require("editor")
def translations_prompt(lang: str) -> Any:
    catalogs = civic().runtime.catalogs
    if lang not in catalogs.languages:
        raise ConsoleError(404, _l("%(language)s is not a language of the assistant.", language=repr(lang)),
                           _l("Not found"))
    key = form_text("key", limit=200, required=True)
    text = " ".join(form_text("text", limit=2000, required=True).split())
    if text.startswith(TODO_MARK):
        raise ConsoleError(422, _l("Remove “%(mark)s” once the text is right; nothing was saved.", mark=TODO_MARK),
                           _l("Still a draft"))
    main = catalogs[catalogs.main_language].prompts.get(key) or ""
    if main and not main.startswith(TODO_MARK) and placeholders(text) != placeholders(main):
        want = ", ".join("{" + p + "}" for p in sorted(placeholders(main))) or _("none")
        raise ConsoleError(
            422, _l("The text must use the same placeholders as the %(language)s one (%(want)s). Nothing was saved.",
                    language=language_name(catalogs.main_language), want=want),
            _l("Placeholders differ"),
        )
    folder = catalog_edit.catalog_dir()
    path = folder / f"{lang}.yaml"
    before = load_catalog(path)
    old = files.read_text(path)
    try:
        new = catalog_edit.set_prompt(old, before, key, text)
    except catalog_edit.EditError as exc:
        raise ConsoleError(422, _l("%(error)s. Nothing was saved.", error=str(exc)), _l("Not saved")) from None
    saved = files.save(
        kind="catalog", folder=folder, relative=path.name, text=new, base_hash=request.form.get("base_hash") or files.text_hash(old),
        author=signed_in().name, note=_("reviewed %(key)s", key=key), reload=civic().reload_towns,
        check=lambda copy: catalog_edit.check_catalog(copy, lang, before, prompt=key, value=text),
    )
    if saved.problems or saved.current_text is not None:
        detail = "; ".join(str(p) for p in saved.problems) or _("the catalog changed meanwhile; reload the page")
        raise ConsoleError(409 if saved.current_text is not None else 422, _l("Not saved: %(detail)s.", detail=detail),
                           _l("Not saved"))
    flash(_("Saved the %(language)s text of %(key)s. New calls say it now.", language=language_name(lang), key=key),
          "ok")
    return redirect(url_for("console.translations") + f"#drafts-{lang}")
