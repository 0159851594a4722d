"""The review list and the callback requests: assign, note, close; "I verified this today"
on a data record; a phrase the assistant did not understand added as an intent example."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import flash, redirect, request, url_for

from civicline.console import catalog_edit, files
from civicline.console.calls_views import town_tz
from civicline.console.core import (
    ConsoleError,
    _,
    _l,
    bp,
    civic,
    form_text,
    not_found,
    own_record,
    record_towns,
    render,
    require,
    signed_in,
    state,
)
from civicline.console.i18n import language_name, town_date
from civicline.console.staff_words import intent_choices, merge_fee_items
from records import browse
from records.schema import REVIEW_STATUSES
from translations.catalog import load_catalog


def _note(old: str | None, text: str) -> str | None:
    """Notes accumulate, each signed and dated, so the next person sees the whole story."""
    if not text:
        return None
    stamp = datetime.now(town_tz()).strftime("%Y-%m-%d %H:%M")
    line = f"{stamp} {signed_in().name}: {text}"
    return f"{old}\n{line}" if old else line


def _assignee() -> str | None:
    name = form_text("assignee", limit=64)
    if name and state().users.get(name) is None:
        raise ConsoleError(422, _l("There is no console user named %(name)s.", name=repr(name)), _l("Unknown person"))
    return name or None


def _status_filter() -> str | None:
    status = request.args.get("status", "open")
    if status == "all":
        return None
    if status not in REVIEW_STATUSES:
        raise ConsoleError(422, _l("Unknown status %(status)s.", status=repr(status)), _l("Bad filter"))
    return status


def _not_understood(item: dict) -> list[str]:
    """Phrases of the item's call the assistant could not match, for the example form."""
    turns = (item.get("context") or {}).get("recent_turns") or []
    return [t["caller"] for t in turns if t.get("caller")]


@bp.get("/review")
def review() -> Any:
    status = _status_filter()
    items = browse.in_towns(state().store, state().store.review_items(status), record_towns())
    items = merge_fee_items(items)
    items.sort(key=lambda i: i["created_at"], reverse=True)
    return render("review.html", title=_("Review list"), items=items, status=status or "all", statuses=REVIEW_STATUSES)


@bp.get("/review/<item_id>")
def review_item(item_id: str) -> Any:
    item = browse.review_item(state().store, item_id[:64])
    if item is None:
        not_found(_l("This review item"))
    own_record(item, _l("This review item"))
    lang = (item.get("context") or {}).get("language") or civic().runtime.main_language
    catalogs = civic().runtime.catalogs
    intents = intent_choices(sorted({name for c in catalogs.by_lang.values() for name in c.intents}))
    return render(
        "review_item.html", title=_("Review item"), item=item, lang=lang, intents=intents,
        phrases=_not_understood(item), users=state().users.all(), languages=catalogs.languages,
    )


def _update(item: dict, status: str, assignee: str | None, note: str | None) -> None:
    state().store.update_review_item(item["id"], status=status, assignee=assignee, note=_note(item["note"], note or ""))


def _open_item(item_id: str) -> dict:
    item = browse.review_item(state().store, item_id[:64])
    if item is None:
        not_found(_l("This review item"))
    own_record(item, _l("This review item"))
    return item


@bp.post("/review/<item_id>")
@require("editor")
def review_update(item_id: str) -> Any:
    item = _open_item(item_id)
    action = request.form.get("action")
    note = form_text("note")
    if item["status"] == "closed" and action != "reopen":
        raise ConsoleError(409, _l("This item was already closed by %(name)s. Nothing was changed.",
                                   name=item["assignee"] or _("someone")), _l("Already closed"))
    if action == "assign":
        _update(item, "assigned", _assignee() or signed_in().name, note)
        flash(_("Assigned."), "ok")
    elif action == "note":
        if not note:
            raise ConsoleError(422, _l("Write the note first."), _l("Empty note"))
        _update(item, item["status"], None, note)
        flash(_("Note added."), "ok")
    elif action == "close":
        _update(item, "closed", item["assignee"] or signed_in().name, note)
        flash(_("Closed."), "ok")
    elif action == "reopen":
        _update(item, "open", None, note or _("reopened"))
        flash(_("Reopened."), "ok")
    else:
        raise ConsoleError(422, _l("Unknown action."))
    return redirect(url_for("console.review_item", item_id=item["id"]))


@bp.post("/review/<item_id>/verified")
@require("editor")
def review_verified(item_id: str) -> Any:
    """'I verified this today': the record's verified date becomes today, then the item closes."""
    from civicline.console import data_views

    item = _open_item(item_id)
    if not item.get("dataset") or not item.get("record"):
        raise ConsoleError(422, _l("This item is not about a data record."), _l("Not a record"))
    today = datetime.now(town_tz()).date()
    saved = data_views.mark_verified(item["dataset"], item["record"], today)
    record = f"{item['dataset']}/{item['record']}"
    _update(item, "closed", item["assignee"] or signed_in().name,
            _("verified %(record)s on %(day)s (%(file)s)", record=record, day=town_date(today), file=saved))
    flash(_("Recorded: %(record)s verified today (%(day)s). The item is closed.", record=record,
            day=town_date(today)), "ok")
    return redirect(url_for("console.review_item", item_id=item["id"]))


@bp.post("/review/<item_id>/example")
@require("editor")
def review_example(item_id: str) -> Any:
    item = _open_item(item_id)
    runtime = civic().runtime
    lang = form_text("language", limit=10, required=True)
    if lang not in runtime.catalogs.languages:
        raise ConsoleError(422, _l("%(language)s is not a language of the assistant.", language=repr(lang)),
                           _l("Unknown language"))
    intent = form_text("intent", limit=100, required=True)
    known = {name for c in runtime.catalogs.by_lang.values() for name in c.intents}
    if intent not in known:
        raise ConsoleError(422, _l("%(intent)s is not an intent the assistant knows.", intent=repr(intent)),
                           _l("Unknown intent"))
    phrase = " ".join(form_text("phrase", limit=200, required=True).split())
    if phrase.lower() in (p.lower() for p in runtime.catalogs[lang].intents.get(intent, ())):
        raise ConsoleError(409, _l("“%(phrase)s” is already an example of %(intent)s in %(language)s.", phrase=phrase,
                                   intent=intent, language=language_name(lang)), _l("Already there"))
    folder = catalog_edit.catalog_dir()
    path = folder / f"{lang}.yaml"
    before = load_catalog(path)
    text = files.read_text(path)
    try:
        new_text = catalog_edit.add_example(text, path, intent, phrase)
    except catalog_edit.EditError as exc:
        raise ConsoleError(422, _l("%(error)s. Nothing was saved.", error=str(exc)), _l("Not saved")) from None
    saved = files.save(
        kind="catalog", folder=folder, relative=path.name, text=new_text, base_hash=files.text_hash(text),
        author=signed_in().name, note=f"example for {intent}: {phrase}", reload=civic().reload_towns,
        check=lambda copy: catalog_edit.check_catalog(copy, lang, before, intent=intent, phrase=phrase),
    )
    if saved.problems or saved.conflict or saved.current_text is not None:
        detail = "; ".join(str(p) for p in saved.problems) or _("the catalog changed meanwhile")
        raise ConsoleError(422, _l("The example was not added: %(detail)s. Nothing was saved.", detail=detail),
                           _l("Not saved"))
    _update(item, item["status"], None, _("added “%(phrase)s” as an example of %(intent)s (%(language)s)",
                                          phrase=phrase, intent=intent, language=lang))
    flash(_("Added “%(phrase)s” as an example of %(intent)s in %(language)s. New calls understand it now.",
            phrase=phrase, intent=intent, language=language_name(lang)), "ok")
    return redirect(url_for("console.review_item", item_id=item["id"]))


# ---- callbacks and messages -------------------------------------------------------------


@bp.get("/callbacks")
def callbacks() -> Any:
    status = _status_filter()
    rows = browse.in_towns(state().store, state().store.staff_requests(status), record_towns())
    rows.sort(key=lambda r: r["created_at"])  # oldest first: they have waited longest
    return render("callbacks.html", title=_("Callbacks and messages"), rows=rows, status=status or "all",
                  statuses=REVIEW_STATUSES, users=state().users.all())


@bp.post("/callbacks/<request_id>")
@require("editor")
def callbacks_update(request_id: str) -> Any:
    row = browse.staff_request(state().store, request_id[:64])
    if row is None:
        not_found(_l("This request"))
    own_record(row, _l("This request"))
    _request_action(row, state().store.update_staff_request, assigned="assigned",
                    closed=_("Closed. The caller's full number has been deleted."))
    return redirect(url_for("console.callbacks") + f"#req-{row['id']}")



# ---- requests to the city's systems (Open311) --------------------------------------------

CITY_STATUSES = ("pending", "for_staff", "filed", "closed")


@bp.get("/city-requests")
def city_requests() -> Any:
    status = request.args.get("status", "all")
    if status != "all" and status not in CITY_STATUSES:
        raise ConsoleError(422, _l("Unknown status %(status)s.", status=repr(status)), _l("Bad filter"))
    rows = browse.in_towns(state().store, state().store.city_requests(None if status == "all" else status),
                           record_towns())
    return render("city_requests.html", title=_("City requests"), rows=rows, status=status,
                  statuses=CITY_STATUSES, users=state().users.all())


@bp.post("/city-requests/<request_id>")
@require("editor")
def city_requests_update(request_id: str) -> Any:
    store = state().store
    row = store.city_request(request_id[:64])
    if row is None:
        not_found(_l("This request"))
    own_record(row, _l("This request"))
    _request_action(row, store.update_city_request, assigned=None,
                    closed=_("Closed. The caller's number has been deleted."))
    return redirect(url_for("console.city_requests") + f"#city-{row['id']}")


def _request_action(row: dict[str, Any], update: Callable[..., None], *, assigned: str | None, closed: str) -> None:
    """Assign, annotate or close a request a resident left (a callback, a message, a request
    to the city's systems); ``assigned`` is the status an assigned request takes (None: its
    own, for requests whose status follows the city's system)."""
    if row["status"] == "closed":
        raise ConsoleError(409, _l("This request was already closed by %(name)s. Nothing was changed.",
                                   name=row["assignee"] or _("someone")), _l("Already closed"))
    action = request.form.get("action")
    note = _note(row["note"], form_text("note"))
    if action == "assign":
        update(row["id"], status=assigned or row["status"], assignee=_assignee() or signed_in().name, note=note)
        flash(_("Assigned."), "ok")
    elif action == "note":
        if not note:
            raise ConsoleError(422, _l("Write the note first."), _l("Empty note"))
        update(row["id"], status=row["status"], note=note)
        flash(_("Note added."), "ok")
    elif action == "close":
        update(row["id"], status="closed", assignee=row["assignee"] or signed_in().name, note=note)
        flash(closed, "ok")
    else:
        raise ConsoleError(422, _l("Unknown action."))
