"""Checks of the catalogs a town's flows speak from: the prompts the engine itself says, the
yes/no and emergency words every call relies on, written wordings that match their prompt,
and a greeting that tells callers they speak with an automated assistant."""

from __future__ import annotations

import string
from typing import Any

from flows.loader import ENTRY, FlowSet
from flows.model import AskNode, SayNode
from flows.slot_names import label_key, private_slots
from nlu.emergency import stray_ambiguous
from nlu.text import fold
from staff_files.problems import Problem
from translations.catalog import WRITTEN_SUFFIX, Catalogs, is_written_variant

# Prompts the engine itself says: every catalog must have them.
ENGINE_PROMPTS = (
    "lang.choose", "lang.name", "lang.switch_offer", "lang.switched",
    "common.not_understood", "common.not_handled", "common.no_input", "common.options", "common.option",
    "common.always", "common.offer_person", "common.which_one", "common.candidate",
    "common.slower", "common.hello", "common.repeat_nothing", "common.error", "common.transferring",
    "common.goodbye", "common.yes_no_hint", "common.choice_between", "common.summary",
    "emergency.general", "emergency.notice", "emergency.notice_person", "emergency.or", "emergency.offer_person", "emergency.closed", "emergency.go_on",
    "emergency.resume", "emergency.hang_up", "emergency.by_text", "common.source", "common.source_unverified", "common.source_none",
)  # fmt: skip

def check_greeting(flows: FlowSet, catalogs: Catalogs) -> list[Problem]:
    """What the caller hears before the first question must disclose the automated assistant."""
    keys: list[str] = []
    node_id: str | None = ENTRY
    seen: set[str] = set()
    while node_id and node_id not in seen:
        seen.add(node_id)
        node = flows.nodes[node_id]
        prompt = getattr(node, "prompt", None)
        if prompt:
            keys.append(prompt)
        if not isinstance(node, SayNode):
            break
        node_id = flows.resolve(node.next, node_id.split(".")[0])
    problems = []
    where = flows.line_of(ENTRY)
    for lang in catalogs.languages:
        catalog = catalogs[lang]
        heard = fold(" ".join(catalog.prompts.get(k, "") for k in keys))
        if not catalog.disclosure:
            problems.append(Problem(catalog.file, None, "the catalog has no 'disclosure' words to check the greeting with"))
        elif not any(fold(word) in heard for word in catalog.disclosure):
            problems.append(Problem(
                where.file, where.line,
                f"the greeting in '{lang}' ({', '.join(keys)}) does not tell callers they are speaking with an "
                f"automated assistant (expected one of: {', '.join(catalog.disclosure)})",
            ))
    return problems


def check_slot_names(flows: FlowSet, catalogs: Catalogs) -> list[Problem]:
    """Every slot the caller is asked for has a name staff hear in the transfer whisper, in
    every language (flows.slot_names; a phone number or free text is never whispered, so
    needs none). A menu's ``set:`` values are the flow's own words, said by what was asked."""
    problems = []
    private = private_slots(flows)
    seen: set[str] = set()
    for node_id, node in flows.nodes.items():
        if not isinstance(node, AskNode) or node.slot in private or node.slot in seen:
            continue
        seen.add(node.slot)
        key = label_key(node.slot)
        missing = [lang for lang in catalogs.languages if not catalogs[lang].has(key)]
        if missing:
            where = flows.line_of(node_id, "slot")
            problems.append(Problem(where.file, where.line, f"slot '{node.slot}' has no name for staff in "
                                    f"{', '.join(missing)} (prompt '{key}'): the transfer whisper would leave it out"))
    return problems


def check_catalogs(catalogs: Catalogs) -> list[Problem]:
    problems = []
    for lang in catalogs.languages:
        catalog = catalogs[lang]
        for key in ENGINE_PROMPTS:
            if not catalog.has(key):
                problems.append(Problem(catalog.file, None, f"prompt '{key}' is missing: the engine says it in every call"))
        if not catalog.yes or not catalog.no:
            problems.append(Problem(catalog.file, None, "the catalog needs 'yes' and 'no' words"))
        problems += _check_written(catalog)
        if not any(catalog.emergency.words.values()):
            problems.append(Problem(catalog.file, catalog.lines.get("emergency"), "the catalog has no 'emergency:' words "
                                    "(translated, without TODO): a caller in danger would not be told to call for help"))
        stray = stray_ambiguous(catalog.emergency.words, catalog.emergency.ambiguous)
        if stray:
            problems.append(Problem(catalog.file, catalog.lines.get("emergency"), "'emergency: ambiguous' phrases that are "
                                    f"not among its words, so they change nothing: {', '.join(stray)}"))
    return problems


DIGITS = "_digits"


def _check_written(catalog: Any) -> list[Problem]:
    """A written wording (KEY.text) stands in for its prompt on SMS and the chat page: the
    prompt must exist, and the wording may only use what the prompt's call can fill."""
    problems = []
    for key, text in catalog.prompts.items():
        if not is_written_variant(key):
            continue
        base = key[: -len(WRITTEN_SUFFIX)]
        file, line = catalog.where(key)
        if base not in catalog.prompts:
            problems.append(Problem(file, line, f"'{key}' is the written wording of '{base}', which the catalog "
                                                "does not have: check the name"))
            continue
        spoken = _fields(catalog.prompts[base])
        # A number said digit by digit ({number_digits}) comes with the number as written ({number}).
        extra = _fields(text) - spoken - {f.removesuffix(DIGITS) for f in spoken if f.endswith(DIGITS)}
        if extra:
            problems.append(Problem(file, line, f"'{key}' uses {', '.join('{' + f + '}' for f in sorted(extra))}, "
                                                f"which '{base}' does not: a conversation could not fill it"))
    return problems


def _fields(text: str) -> set[str]:
    try:
        return {name.split(".")[0].split("[")[0] for _, name, _, _ in string.Formatter().parse(text) if name}
    except ValueError:
        return set()
