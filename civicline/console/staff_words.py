"""What the engine writes for itself (a review item's reason, an intent id, a permit id) said
in the staff's language with the names staff know: the town's permit names, the spoken
label of an intent in the catalogs. A reason no template here matches stays as written
(English, marked so); the raw text is always kept next to the translation."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask_babel import get_locale, gettext
from flask_babel import lazy_pgettext as _p
from markupsafe import Markup, escape

from civicline.console.core import bp, civic
from civicline.console.i18n import language_name, town_date

EMERGENCY_KINDS: dict[str, Any] = {
    "fire": _p("emergency", "fire"),
    "medical": _p("emergency", "medical"),
    "violence": _p("emergency", "violence"),
    "gas": _p("emergency", "gas"),
    "suicide": _p("emergency", "suicide risk"),
}
HEARD_BY: dict[str, Any] = {
    "words": _p("emergency", "heard by its words"),
    "meaning": _p("emergency", "heard by its meaning"),
    "words+meaning": _p("emergency", "heard by its words and by its meaning"),
}
# The slots a whisper's details name (context "slot"), as staff call them.
SLOTS: dict[str, Any] = {
    "address": _p("slot", "address"),
    "house_number": _p("slot", "house number"),
    "street": _p("slot", "street"),
    "zones": _p("slot", "collection zones"),
    "request_object": _p("slot", "object"),
    "request_service": _p("slot", "service asked"),
    "request_phone": _p("slot", "phone number"),
    "callback_number": _p("slot", "number to call back"),
    "permit": _p("slot", "permit"),
    "permit_kind": _p("slot", "kind of works"),
    "permit_question": _p("slot", "question about the permit"),
    "surface": _p("slot", "surface"),
    "sorting_item": _p("slot", "object to sort"),
    "meeting_date": _p("slot", "meeting date"),
    "meeting_when": _p("slot", "meeting day"),
    "message": _p("slot", "message"),
    "transfer_reason": _p("slot", "reason for the transfer"),
}
# The engine's own steps (not in a flow file), named as staff see them.
BUILT_IN_STEPS: dict[str, Any] = {
    "@language": _p("step", "choice of language"),
    "@person": _p("step", "with a person"),
    "@emergency": _p("step", "emergency number"),
    "@pick": _p("step", "choice between two answers"),
    "@switch": _p("step", "offer to change language"),
    "@text_copy": _p("step", "offer of a written copy"),
}
PERMIT_FIELDS: dict[str, Any] = {
    "covers": _p("permit", "what it covers"),
    "documents": _p("permit", "the documents to provide"),
    "apply": _p("permit", "where to apply"),
    "processing": _p("permit", "how long it takes"),
}


def staff_lang() -> str:
    return str(get_locale() or "en").split("_")[0]


def _said(words: dict[str, Any], value: str) -> str:
    found = words.get(value)
    return str(found) if found is not None else value


def intent_names() -> dict[str, tuple[str, str]]:
    """intent id -> (its spoken label, the language it is written in): in the staff's
    language, else the town's; only the intents a choice or a shortcut offers."""
    from flows.dialog.labels import intent_labels

    runtime = civic().runtime
    catalogs = runtime.catalogs
    order = [staff_lang(), catalogs.main_language, *catalogs.languages]
    names: dict[str, tuple[str, str]] = {}
    for intent, key in intent_labels(runtime).items():
        for lang in order:
            catalog = catalogs.by_lang.get(lang)
            if catalog is not None and catalog.has(key):
                names[intent] = (catalog.prompts[key].strip().rstrip(".").strip(), lang)
                break
    return names


def intent_name(intent: str | None) -> str:
    """An intent as staff read it (its spoken label), else its id."""
    return intent_names().get(intent or "", (intent or "", ""))[0]


def intent_label(intent: str | None) -> tuple[str, str] | None:
    """(spoken label, its language) of an intent, None when no choice offers it."""
    return intent_names().get(intent or "")


def intent_choices(intents: list[str]) -> list[tuple[str, str, str]]:
    """(id, what staff read, its language or "" for an id) for a list of intents, sorted by
    what staff read."""
    names = intent_names()
    return sorted(((i, *names.get(i, (i, ""))) for i in intents), key=lambda row: row[1].casefold())


def record_name(dataset: str | None, record: str | None) -> str:
    """A data record as staff know it: a permit by its name in their language ("terrasse
    de café"), its fee as the permit's fee; else the record's id."""
    record = record or ""
    if dataset not in (None, "", "permits"):
        return record
    base, fee = (record[: -len(".fee")], True) if record.endswith(".fee") else (record, False)
    town = getattr(civic().runtime, "town", None)
    permit = (getattr(getattr(town, "permits", None), "permits", None) or {}).get(base)
    if permit is None:
        return record
    name = permit.name(staff_lang(), str(getattr(town, "main_language", "") or "fr"))
    return gettext("fee of %(permit)s", permit=name) if fee else name


def _day(value: str) -> str:
    return town_date(value) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) else gettext("never")


# Each: the English the engine writes (a whole reason, or one of several joined by "; ")
# and how it is said to staff.
Say = Callable[[dict[str, str]], str]


def _fields(text: str) -> str:
    return ", ".join(_said(PERMIT_FIELDS, f.strip()) for f in text.split(","))


# The reasons recorded as a code and its values (flows.dialog.review_reasons: the engine's and
# handlers').
CODES: dict[str, Say] = {
    "asked_person": lambda v: gettext("Asked to speak to a person"),
    "not_understood": lambda v: gettext("Not understood %(n)s times", n=v["times"]),
    "emergency": lambda v: gettext("Emergency: %(kind)s, %(how)s", kind=_said(EMERGENCY_KINDS, v["kind"]),
                                   how=_said(HEARD_BY, v["by"])),
    "emergency_after_notice": lambda v: gettext(
        "Asked for a person after the emergency number was said as a precaution (%(kind)s)",
        kind=_said(EMERGENCY_KINDS, v["kind"])),
    "permit_not_in_language": lambda v: gettext(
        "%(permit)s: %(fields)s not written in %(language)s; the caller was offered a person",
        permit=record_name("permits", v["permit"]), fields=_fields(v["fields"]), language=language_name(v["lang"])),
    "stale_fee": lambda v: gettext(
        "Fee to check: %(permit)s, verified %(day)s, more than %(days)s days ago; the caller was offered a person",
        permit=record_name("permits", v["permit"]), day=_day(v["verified"]), days=v["days"]),
    "stale_record": lambda v: gettext("Data to check before the assistant says it again"),
}
# Rows recorded before codes, and purged ones (the codes go with the item's context), are
# read from their English: the same words, from the sentence's parts.
PATTERNS: list[tuple[re.Pattern[str], Say]] = [
    (re.compile(r"asked for a person after the emergency number was said as a precaution \((?P<kind>[\w-]+)\)"),
     CODES["emergency_after_notice"]),
    (re.compile(r"asked for a person"), CODES["asked_person"]),
    (re.compile(r"not understood (?P<times>\d+) times"), CODES["not_understood"]),
    (re.compile(r"emergency: (?P<kind>[\w-]+), heard by (?P<by>[\w+]+)"), CODES["emergency"]),
    (re.compile(r"permit (?P<permit>[\w.-]+): (?P<fields>[\w, ]+?) not written in (?P<lang>[\w-]+); "
                r"the caller was offered a person"), CODES["permit_not_in_language"]),
    (re.compile(r"stale fee: (?P<permit>[\w.-]+) verified (?P<verified>[\d-]+|never), older than (?P<days>\d+) "
                r"days; the caller was offered a person"), CODES["stale_fee"]),
    (re.compile(r"never verified"), lambda m: gettext("Never verified")),
    (re.compile(r"verified (?P<day>[\d-]+), (?P<age>\d+) days ago \(limit (?P<limit>\d+)\): "
                r"the assistant no longer says it"),
     lambda m: gettext("Verified %(day)s, %(age)s days ago (limit %(limit)s): the assistant no longer says it",
                       day=_day(m["day"]), age=m["age"], limit=m["limit"])),
    (re.compile(r"verified (?P<day>[\d-]+), (?P<age>\d+) days ago: due for checking within (?P<n>\d+) days"),
     lambda m: gettext("Verified %(day)s, %(age)s days ago: to check within %(n)s days", day=_day(m["day"]),
                       age=m["age"], n=m["n"])),
    (re.compile(r"stale_record"), CODES["stale_record"]),
    (re.compile(r"text message not sent"), lambda m: gettext("A text message could not be sent")),
]


@dataclass(frozen=True)
class Part:
    text: str  # what staff read
    translated: bool  # False: the engine's English, shown as written


def reason_parts(reason: str | None) -> list[Part]:
    """A reason cut into the reasons it joins ("; "), each said in the staff's language when
    a template matches it whole, else kept as written."""
    text = (reason or "").strip()
    parts: list[Part] = []
    pos = 0
    while pos < len(text):
        for pattern, say in PATTERNS:
            m = pattern.match(text, pos)
            if m and (m.end() == len(text) or text.startswith("; ", m.end())):
                parts.append(Part(say(m.groupdict()), True))
                pos = m.end()
                break
        else:
            end = text.find("; ", pos)
            end = len(text) if end < 0 else end
            parts.append(Part(text[pos:end], False))
            pos = end
        if text.startswith("; ", pos):
            pos += 2
    return parts


def _coded(recorded: Any) -> list[Part] | None:
    """The parts said from recorded codes, None when one is not known here (or has other
    values): then the English sentence says them all."""
    if not isinstance(recorded, list) or not recorded:
        return None
    parts = []
    for one in recorded:
        say = CODES.get(str(one.get("code"))) if isinstance(one, dict) else None
        values = one.get("values") if isinstance(one, dict) else None
        if say is None or not isinstance(values, dict):
            return None
        try:
            parts.append(Part(say(values), True))
        except KeyError:  # a code written with other values
            return None
    return parts


def item_reason_parts(item: dict[str, Any]) -> list[Part]:
    """A review item's reason for staff: from the codes recorded with it, else from its
    English sentence (reason_parts)."""
    context = item.get("context") or {}
    # ``reason``: the one code of items recorded before handlers' reasons were codes too.
    recorded = context.get("reasons") if "reasons" in context else [context.get("reason")]
    return _coded(recorded) or reason_parts(item.get("reason"))


def _fact(item: dict[str, Any]) -> tuple[Any, ...]:
    context = item.get("context") or {}
    return (item.get("dataset"), context.get("verified"), context.get("document"), context.get("town"),
            item.get("status"))


def merge_fee_items(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A permit and its fee put on the list from one document verified on one day are one
    fact to check: the fee's item is left out and the permit's says so (``with_fee``)."""
    stale = {(i.get("dataset"), i.get("record"), _fact(i)): i for i in items if i.get("kind") == "stale_record"}
    kept = []
    for item in items:
        record = str(item.get("record") or "")
        if item.get("kind") == "stale_record" and record.endswith(".fee"):
            permit = stale.get((item.get("dataset"), record[: -len(".fee")], _fact(item)))
            if permit is not None:
                permit["with_fee"] = item["id"]
                continue
        kept.append(item)
    return kept


def item_subject(item: dict[str, Any]) -> str:
    """The data record a review item is about, named as staff know it ("" for a call's)."""
    if not item.get("record"):
        return ""
    name = record_name(item.get("dataset"), item.get("record"))
    return gettext("%(permit)s and its fee", permit=name) if item.get("with_fee") else name


def step_name(node: str | None) -> str:
    """A built-in step by what it does ("choix de la langue"); a flow's step by its id."""
    return _said(BUILT_IN_STEPS, node or "")


def _asked_name(intent: str) -> str:
    if intent == "emergency":
        from civicline.console.i18n import word

        return word("review", "emergency")
    return intent_name(intent)


def _slot_keys() -> dict[str, str]:
    """A slot's name as the whisper says it (the town's main language, the catalogs'
    ``slot.<name>``) -> the slot; whispers recorded before slots had names say the slot."""
    from flows.slot_names import label_key

    catalogs = civic().runtime.catalogs
    main = catalogs.by_lang[catalogs.main_language]
    return {main.prompts[label_key(slot)]: slot for slot in SLOTS if main.has(label_key(slot))}


def _detail(part: str, slot_keys: dict[str, str]) -> str:
    name, sep, value = part.partition(": ")
    key = slot_keys.get(name, name)
    if not sep or key not in SLOTS:
        return part
    if key == "permit":
        value = record_name("permits", value.strip())
    return f"{_said(SLOTS, key)}{gettext(': ')}{value}"


def whisper_text(summary: str | None) -> str | None:
    """The transfer whisper (written from the town catalog's ``common.summary`` in its main
    language) said again in the staff's language: what was asked by the intents' names, the
    details by the slots' names (as the console words them, whether the whisper named a slot
    in the town's language or, recorded earlier, by its key). None when the text is not that
    template's (then it is shown as recorded)."""
    if not summary:
        return None
    catalogs = civic().runtime.catalogs
    template = catalogs.by_lang[catalogs.main_language].prompts.get("common.summary", "")
    if not template:
        return None
    pattern = re.escape(template.strip())
    for name in ("language", "asked", "details"):
        pattern = pattern.replace(re.escape("{" + name + "}"), f"(?P<{name}>.*?)", 1)
    m = re.fullmatch(pattern, summary.strip(), re.S)
    if m is None or "asked" not in m.groupdict() or "details" not in m.groupdict():
        return None
    asked = ", ".join(_asked_name(a.strip()) for a in m["asked"].split(", ") if a.strip() not in ("", "-")) or "-"
    slot_keys = _slot_keys()
    details = "; ".join(_detail(d, slot_keys) for d in m["details"].split("; ") if d.strip() not in ("", "-")) or "-"
    language = m.groupdict().get("language") or "-"
    return gettext("Call in %(language)s. Asked about: %(asked)s. Details: %(details)s.", language=language,
                   asked=asked, details=details)


def reason_said(reason: str | None) -> Markup:
    """A reason as one line of HTML: what no template says stays English, marked so."""
    return Markup("; ").join(Markup(escape(p.text)) if p.translated else Markup('<span lang="en">%s</span>') % p.text
                             for p in reason_parts(reason))


def town_language() -> str:
    return str(civic().runtime.main_language)


@bp.app_context_processor
def _staff_words() -> dict[str, Any]:
    return {"reason_parts": reason_parts, "item_reason_parts": item_reason_parts, "record_name": record_name,
            "item_subject": item_subject, "intent_label": intent_label, "intent_name": intent_name,
            "whisper_text": whisper_text, "step_name": step_name,
            "reason_said": reason_said, "main_language": town_language()}
