"""Everything the assistant can say in a language, as the pieces its answers are made of:
the catalog's sentences cut around their {slots}, and every value the town's data can put
in a slot, written the way the handlers write it (the voice then says it in words).

Values carry no caller's data: numbers are said from their parts (numbers up to a hundred
and the hundreds, digit pairs for phone numbers), streets by name, dates and times whole.
A caller's address is then "douze" + "rue Victor Hugo", never one piece.
"""

from __future__ import annotations

import dataclasses
import string
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime, time, timedelta
from typing import Any

from flows.town.common import Origin
from translations.catalog import TODO_MARK, Catalog, is_written_variant
from translations.formatting import (
    format_date_long,
    format_day,
    format_list,
    format_money,
    format_span,
    format_time,
    format_week,
)
from voice.tts.speech_text import format_for_speech

DAYS_AHEAD = 13 * 31
DAYS_BEFORE = 14
"""Dates said whole: from two weeks ago (a collection moved from a planned day just past)
to 13 months ahead (collections, meetings, openings)."""
MAX_NUMBER = 100
"""Numbers said whole; larger ones are said from hundreds and these ("deux cent" + "douze")."""


def catalog_fragments(catalog: Catalog) -> list[str]:
    """Each spoken prompt's text around its {slots} (a prompt without slots whole)."""
    out: list[str] = []
    for key, text in catalog.prompts.items():
        if not text or text.startswith(TODO_MARK) or is_written_variant(key):
            continue  # a written wording (SMS, chat) is never spoken
        try:
            parsed = list(string.Formatter().parse(text))
        except ValueError:
            continue  # the catalog check reports it
        out.extend(literal for literal, _, _, _ in parsed if literal and literal.strip())
    return out


def number_words(lang: str) -> list[str]:
    """Numbers as digits (the voice's formatter writes them in words): 0 to MAX_NUMBER,
    the hundreds alone and as the start of a larger number, thousands, decimals."""
    from num2words import num2words

    out = [str(n) for n in range(MAX_NUMBER + 1)]
    for h in range(1, 10):
        out.append(str(h * 100))
        whole, one = _n2w(num2words, h * 100 + 1, lang), _n2w(num2words, 1, lang)
        if whole.endswith(" " + one):  # "deux cent un" -> "deux cent"
            out.append(whole[: -len(one) - 1])
        out.append(str(h * 1000))
    out.append(_n2w(num2words, 1.5, lang))  # "un virgule cinq": the decimal word
    return out


def _n2w(num2words: Any, n: float, lang: str) -> str:
    try:
        return str(num2words(n, lang=lang))
    except NotImplementedError:
        return str(n)


def phone_pairs(lang: str) -> list[str]:
    """Digit pairs as a phone number is read back (in pairs, each said the language's way:
    "zéro six", "douze"; "zero six", "one two"), and single digits."""
    pairs = [format_for_speech(f"{a}{b} {a}{b} {a}{b} {a}{b}", lang).split(", ")[0] for a in range(10) for b in range(10)]
    return pairs + [str(d) for d in range(10)]


def dates(today: date, lang: str) -> list[str]:
    """Every day of the coming 13 months as the answers say it, the years alone (a date in
    another year is said with its year after it), and weekdays and months alone."""
    out = []
    for offset in range(-DAYS_BEFORE, DAYS_AHEAD + 1):
        out.append(format_day(today + timedelta(days=offset), lang))
    for year in range(today.year - 1, today.year + 3):
        out.append(f"{'de ' if lang == 'es' else ''}{year}")
    for i in range(7):
        out.append(format_day(date(2024, 1, 1 + i), lang).split(" ")[0])
    # A date outside the window (a calendar that ended) is then said from its parts.
    out += [format_day(date(2024, month, 1), lang).split(" ")[-1] for month in range(1, 13)]
    return out


def times(lang: str) -> list[str]:
    """Every quarter hour as the answers write it ("19 h 30", "7:30 p.m.", "19:30")."""
    return [format_time(time(h, m), lang) for h in range(24) for m in (0, 15, 30, 45)]


def letters() -> list[str]:
    """Letters said one by one (a request's reference is read character by character)."""
    return list(string.ascii_uppercase)


def entity_names(catalog: Catalog) -> list[str]:
    """The words the catalog says a caller's choice with (each entity's first word: "reciclaje"
    for whatever word the caller used for recycling)."""
    return [names[0] for values in catalog.entities.values() for names in values.values() if names]


def list_words(lang: str) -> list[str]:
    """What joins a list ("et", "ou", "and", "y"): a list of three marks, less the marks."""
    out: list[str] = []
    for style in ("standard", "or"):
        text = format_list(["\x01", "\x02", "\x03"], lang, style)
        out.extend(part for piece in text.split("\x01") for part in piece.replace("\x03", "\x02").split("\x02"))
    return [w for w in out if w.strip(" ,")]


def _origins(root: Any) -> Iterator[Origin]:
    """Every Origin in the town's data (for the dates facts were verified)."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        obj = stack.pop()
        if id(obj) in seen or obj is None or isinstance(obj, str | int | float | date | time):
            continue
        seen.add(id(obj))
        if isinstance(obj, Origin):
            yield obj
        elif isinstance(obj, dict):
            stack.extend(obj.values())
        elif isinstance(obj, list | tuple | set):
            stack.extend(obj)
        elif dataclasses.is_dataclass(obj):
            stack.extend(getattr(obj, f.name) for f in dataclasses.fields(obj))


def town_values(town: Any, lang: str, today: date) -> list[str]:
    """What the town's data puts in slots, in this language."""
    if town is None:
        return []
    main = town.main_language
    out: list[str] = [town.name]
    for _, names in town.street_gazetteer():
        out += names[:2]  # how a street is said back, and its name alone
    lines = getattr(town, "lines", {})
    hours = [line.hours for line in lines.values() if hasattr(line, "hours")]
    out += [line.name_in(lang) if hasattr(line, "name_in") else line.name for line in lines.values()]
    data = getattr(town, "collections", None)
    if data is not None:
        for service in data.services.values():
            out += [zone.name(lang, main) for zone in service.zones.values()]
            # The last published day, said to a caller whose calendar has run out.
            lasts = [zone.source.last_day() for zone in service.zones.values()
                     if hasattr(getattr(zone, "source", None), "last_day")]
            out += [format_day(day, lang, year=True) for day in lasts if day]
            # The documents a rule-based calendar cites, said when a caller asks where an answer
            # comes from (rules are no dataclass: the walk over origins below misses them).
            for zone in service.zones.values():
                for schedule in getattr(getattr(zone.source, "rules", None), "schedules", ()):
                    out += [schedule.origin.document, format_date_long(schedule.origin.verified, lang)
                            if schedule.origin.verified else ""]
        for kind in data.kinds.values():
            out += [kind.name(lang, main), kind.bin(lang, main), kind.elsewhere_text(lang, main)]
            out += [text for p in kind.points for text in (p.name, p.address)]
        if data.centre is not None:
            out += [data.centre.name, data.centre.address]
            hours.append(data.centre.hours)
        if data.bulky is not None and data.bulky.line in lines:
            out.append(lines[data.bulky.line].name_in(lang))
    for week in hours:
        out.append(format_week(week.spans, week.closed_on_holidays, lang))
        for day in week.spans:
            out += [format_span(a, b, lang) for a, b in day]
            out += [format_time(t, lang) for span in day for t in span]
            if day:
                out.append(format_list([format_span(a, b, lang) for a, b in day], lang))
    if getattr(town, "meetings", None) is not None:
        now = datetime.combine(today, time(0), town.timezone)
        for meeting in town.meetings.between(now, now + timedelta(days=DAYS_AHEAD)):
            out += [meeting.location, format_time(meeting.start, lang)]
            body = town.meetings.body(meeting.body)
            if body is not None:
                out.append(body.name(lang, main))
        out += [body.name(lang, main) for body in getattr(town.meetings, "bodies", [])]
    if getattr(town, "permits", None) is not None:
        for permit in town.permits.permits.values():
            out.append(permit.name(lang, main))
            out += [permit.text(f, lang, main) for f in permit.texts]
            out += list(permit.forms)
            if permit.fee is not None:
                out += [format_money(permit.fee.amount, permit.fee.currency, lang), permit.fee.document]
        for works in town.permits.works.values():
            out += [works.name(lang, main), works.origin.document]
    if getattr(town, "sorting", None) is not None:
        for item in town.sorting.items.values():
            name = item.name(lang, main)
            out += [name, name[:1].upper() + name[1:], town.sorting.service_name(item.goes, lang, main)]
    for origin in _origins(town):
        if origin.verified is not None:
            out += [format_date_long(origin.verified, lang)]
        if origin.document:
            out.append(origin.document)
    return [v for v in out if v and v.strip()]


def vocabulary(runtime: Any, lang: str, today: date) -> list[str]:
    """Every text a call in ``lang`` is made of, written as the catalogs and handlers write it."""
    catalog = runtime.catalogs[lang] if lang in runtime.catalogs.languages else runtime.catalogs[runtime.catalogs.main_language]
    # A language's own name is said in the others' sentences ("or press 2 to stay in English").
    names = [runtime.catalogs[lg].prompts.get("lang.name", "") for lg in all_languages(runtime)]
    texts: list[str] = [*catalog_fragments(catalog), *entity_names(catalog), *names, *number_words(lang), *phone_pairs(lang),
                        *letters(), *dates(today, lang), *times(lang), *list_words(lang),
                        *town_values(runtime.town, lang, today)]
    # The language menu says each language's own lines in that language; they are in its own catalog.
    return list(dict.fromkeys(texts))


def all_languages(runtime: Any) -> list[str]:
    return [lang for lang in runtime.languages if lang in runtime.catalogs.languages]


def unique(texts: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(texts))


def _clock(now: datetime) -> Callable[[], datetime]:
    return lambda: now


def said_in_scenarios(config: Any, files: Iterable[Any]) -> list[tuple[str, str]]:
    """(text, language) of every answer the demo town's scenario calls get: catalog
    sentences with the slot values real calls put in them (for measuring what callers hear)."""
    from zoneinfo import ZoneInfo

    from civicline.calls import Call
    from civicline.scenarios import TownEngines, load_scenario
    from flows.session import CallerHungUp, NoInput, Pressed, Said, Say

    engines = TownEngines(config)
    out: list[tuple[str, str]] = []
    for path in files:
        scenario = load_scenario(path)
        if scenario.town:
            continue  # another town: its own vocabulary
        engine = engines(scenario)
        now = scenario.now if scenario.now.tzinfo else scenario.now.replace(
            tzinfo=getattr(engine.runtime.town, "timezone", None) or ZoneInfo("UTC"))
        call = Call(engine, _clock(now), caller=scenario.caller, language=scenario.language)
        steps = [call.start()]
        for turn in scenario.turns:
            if call.ended:
                break
            event: Any = (Said(turn.say) if turn.say is not None else Pressed(turn.press) if turn.press is not None
                          else NoInput() if turn.silence else CallerHungUp())
            steps.append(call.send(event))
        out += [(a.text, a.lang) for step in steps for a in step.actions if isinstance(a, Say)]
    return list(dict.fromkeys(out))
