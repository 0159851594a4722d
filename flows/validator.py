"""Checks a town's flows against the catalogs and handlers, and reports every problem.

Each problem names the file, the line and says in plain words what to fix. The rules are
those a caller depends on: nobody stuck in a dead end or an endless loop, every choice
reachable by keypad, every prompt speakable in every language, and a greeting that says
the caller is speaking with an automated assistant.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

from flows.catalog_checks import check_catalogs, check_greeting, check_slot_names
from flows.facts import check_facts
from flows.loader import ENTRY, FlowSet
from flows.model import (
    INPUT_KINDS,
    KIND_TYPES,
    TERMINAL_KINDS,
    AskNode,
    MenuNode,
    TransferNode,
    asked_slots,
    node_prompts,
    node_targets,
)
from staff_files.problems import Problem
from translations.catalog import Catalogs

ASK_OUTCOMES = ("ambiguous", "not_found", "no_input")
# Slot types a menu choice cannot fill: they hold what only the caller can give.
CALLER_ONLY_TYPES = ("address", "date", "phone")
# Entry points the engine jumps to on its own (after hours, a person asked for at night).
ENGINE_ENTRIES = ("callback.start",)


def validate(
    flows: FlowSet,
    catalogs: Catalogs,
    handlers: Collection[str],
    *,
    town: Any = None,
    translated: bool = False,
) -> list[Problem]:
    """`translated`: a translation engine is configured, so a language may match intents
    through translation instead of its own examples."""
    problems: list[Problem] = []

    def report(node_id: str, field: str | None, message: str) -> None:
        where = flows.line_of(node_id, field)
        problems.append(Problem(where.file, where.line, f"node '{node_id}': {message}"))

    if ENTRY not in flows.nodes:
        file = flows.files[0] if flows.files else "flows"
        problems.append(Problem(file, None, f"there is no '{ENTRY}': every call starts there (a flow named 'main' with a node 'start')"))
        return problems

    graph = _edges(flows, report)
    broken_links = bool(problems)
    _check_nodes(flows, catalogs, handlers, town, report, translated)
    _check_choice_slots(flows, catalogs, handlers, town, report)
    _check_spoken_labels(flows, report)
    if not broken_links:
        # With a link to nowhere, every node before it would also look like a dead end:
        # report the cause alone, so staff fix one line rather than read ten.
        _check_reachable(flows, graph, report)
        _check_endings(flows, graph, report)
    _check_loops(flows, graph, report)
    problems.extend(check_greeting(flows, catalogs))
    problems.extend(check_slot_names(flows, catalogs))
    problems.extend(check_catalogs(catalogs))
    problems.extend(check_facts(catalogs))
    return sorted(set(problems), key=lambda p: (p.file, p.line or 0, p.message))


def _edges(flows: FlowSet, report: Any) -> dict[str, list[str]]:
    graph: dict[str, list[str]] = {}
    for node_id, node in flows.nodes.items():
        flow = node_id.split(".")[0]
        graph[node_id] = []
        for field, ref in node_targets(node):
            target = flows.resolve(ref, flow)
            if target is None:
                if isinstance(node, TransferNode) and field == "after_hours" and ref == "callback.start":
                    continue  # a town without after-hours flow keeps transferring
                report(node_id, field.split(".")[0] if field.startswith("on.") else field,
                       f"'{field}' goes to '{ref}', which is no node or flow")
                continue
            graph[node_id].append(target)
    return graph


def _check_nodes(
    flows: FlowSet, catalogs: Catalogs, handlers: Collection[str], town: Any, report: Any, translated: bool
) -> None:
    for node_id, node in flows.nodes.items():
        for field, key in node_prompts(node):
            missing = [lang for lang in catalogs.languages if not catalogs[lang].has(key)]
            if missing:
                report(node_id, field.split(".")[0] if "." in field else field,
                       f"prompt '{key}' is missing from the catalog of {', '.join(missing)} "
                       f"(translations/<lang>.yaml, under prompts:)")
        handler = getattr(node, "handler", None)
        if handler is not None and handler not in handlers:
            report(node_id, "handler", f"no handler named '{handler}' exists")
        elif handler is not None and isinstance(handlers, Mapping) and hasattr(town, "has"):
            missing = [d for d in getattr(handlers[handler], "needs", ()) if not town.has(d)]
            if missing:
                report(node_id, "handler", f"handler '{handler}' needs the town's {' and '.join(missing)} data, "
                                           "which town.yaml does not list under data:; remove the choices that "
                                           "lead here (and this flow) or add the data")
        if isinstance(node, MenuNode):
            _check_menu(flows, node_id, node, catalogs, report, translated)
        if isinstance(node, AskNode):
            for outcome in node.on:
                if outcome not in ASK_OUTCOMES:
                    report(node_id, f"on.{outcome}", f"an ask node can only route {', '.join(ASK_OUTCOMES)}, not '{outcome}'")
            if node.requests_heard and node.type != "text":
                report(node_id, "requests_heard", "requests_heard is for a free-text question (type: text): "
                                                  "every other question already hears requests")
        if isinstance(node, TransferNode) and town is not None and hasattr(town, "human_line"):
            try:
                town.human_line(node.to)
            except KeyError:
                report(node_id, "to", f"the town has no human line named '{node.to}' (town.yaml)")


def _check_spoken_labels(flows: FlowSet, report: Any) -> None:
    """Every request a caller can make by voice has a spoken name: a caller asked "did you
    mean A or B?" hears names, never an internal intent name."""
    labelled = {c.intent for n in flows.nodes.values() if isinstance(n, MenuNode)
                for c in n.choices if c.intent and c.label}
    labelled |= {s.intent for n in flows.nodes.values() if isinstance(n, MenuNode)
                 for s in n.shortcuts if s.label}
    for node_id, node in flows.nodes.items():
        if not isinstance(node, MenuNode):
            continue
        for i, shortcut in enumerate(node.shortcuts):
            if shortcut.intent not in labelled:
                report(node_id, f"shortcuts.{i}.next",
                       f"intent '{shortcut.intent}' has no spoken name: give the shortcut a 'label:' "
                       "(a prompt key), or a menu choice with this intent a label")


def _check_menu(
    flows: FlowSet, node_id: str, node: MenuNode, catalogs: Catalogs, report: Any, translated: bool
) -> None:
    seen_keys: dict[str, int] = {}
    seen_intents: set[str] = set()
    for i, choice in enumerate(node.choices):
        field = f"choices.{i}.key"
        if not choice.key:
            report(node_id, field, "every choice needs a keypad key: callers who cannot speak use the keypad")
        elif choice.key in ("0", "*", "9", "#"):
            report(node_id, field, f"key '{choice.key}' is kept for everyone everywhere (0 a person, * repeat, 9 slower, # end): pick another")
        elif choice.key not in "12345678" or len(choice.key) != 1:
            report(node_id, field, f"key '{choice.key}' must be one digit from 1 to 8")
        if choice.key in seen_keys:
            report(node_id, field, f"key '{choice.key}' is used by two choices")
        seen_keys[choice.key] = i
        if choice.label is None:
            report(node_id, field, "choice has no 'label': the keypad options cannot be read out to the caller")
        if choice.intent:
            if choice.intent in seen_intents:
                report(node_id, field, f"intent '{choice.intent}' is used by two choices")
            seen_intents.add(choice.intent)
            if not translated:
                _check_intent(node_id, field, choice.intent, catalogs, report)
    for i, shortcut in enumerate(node.shortcuts):
        if not translated:
            _check_intent(node_id, f"shortcuts.{i}.next", shortcut.intent, catalogs, report)
    _check_keys_said(node_id, node, set(seen_keys), catalogs, report)


# Keys every menu has without a choice: 0 a person, * repeat, 9 slower, # end.
ENGINE_KEYS = ("0", "*", "9", "#")


def _check_keys_said(node_id: str, node: MenuNode, keys: set[str], catalogs: Catalogs, report: Any) -> None:
    """A menu's sentence must not offer a key no choice has ("for permits, press 3" in a
    town without permits): a caller pressing it would hear "not understood"."""
    for lang in catalogs.languages:
        catalog = catalogs[lang]
        press = catalog.keypad.get("press", "")
        if "{key}" not in press or not catalog.has(node.prompt):
            continue
        pattern = re.compile(re.escape(press).replace(re.escape("{key}"), r"(\d)"), re.IGNORECASE)
        said = {m.group(1) for m in pattern.finditer(catalog.prompts[node.prompt])}
        for key in sorted(said - keys - set(ENGINE_KEYS)):
            file, line = catalog.where(node.prompt)
            report(node_id, "prompt", f"sentence '{node.prompt}' in '{lang}' ({Path(file).name}"
                                      f"{':' + str(line) if line else ''}) offers key {key}, which no choice of "
                                      "this menu has: change the sentence (the town's sentences/ folder) or add "
                                      "the choice")


def handler_slot_values(handlers: Collection[str], town: Any = None) -> dict[str, dict[str, tuple[str, ...]]]:
    """slot -> {handler: values it can use}, from the handlers that declare the slots they
    read (`slot_values`, see flows.services.common.reads); values that depend on the town's
    data are asked of the town."""
    declared: dict[str, dict[str, tuple[str, ...]]] = {}
    if not isinstance(handlers, Mapping):
        return declared
    for name, fn in handlers.items():
        for slot, values in (getattr(fn, "slot_values", None) or {}).items():
            declared.setdefault(slot, {})[name] = tuple(values(town) if callable(values) else values)
    return declared


def _kind_keys(kind: str, catalogs: Catalogs, town: Any) -> set[str]:
    """The kinds every language can name (the catalogs' entities and the town's words)."""
    keys: set[str] | None = None
    for lang in catalogs.languages:
        names = set(catalogs[lang].entities.get(kind, {}))
        from_town = getattr(town, f"{kind}_synonyms", None)
        if callable(from_town):
            names |= set(from_town(lang))
        keys = names if keys is None else keys & names
    return keys or set()


def _check_choice_slots(
    flows: FlowSet, catalogs: Catalogs, handlers: Collection[str], town: Any, report: Any
) -> None:
    """A choice's `set:` must fill a slot something reads, with a value it can use."""
    read_by = handler_slot_values(handlers, town)
    asked = asked_slots(flows.nodes)
    for node_id, node in flows.nodes.items():
        if not isinstance(node, MenuNode):
            continue
        for i, choice in enumerate(node.choices):
            for slot, value in choice.set.items():
                field = f"choices.{i}.set.{slot}"  # the slot's own line, else the choice's
                if (node_id, field) not in flows.field_lines:
                    field = f"choices.{i}.next"
                if slot not in read_by and slot not in asked:
                    known = sorted(set(read_by) | set(asked))
                    report(node_id, field, f"choice sets slot '{slot}', which no handler reads and no question asks: "
                                           f"check its name (slots a choice can set: {', '.join(known) or 'none'})")
                    continue
                problem = _unusable(slot, value, read_by.get(slot, {}), asked.get(slot), catalogs, town)
                if problem:
                    report(node_id, field, f"choice sets '{slot}' to '{value}', {problem}")


def _unusable(
    slot: str, value: str, readers: Mapping[str, tuple[str, ...]], slot_type: str | None,
    catalogs: Catalogs, town: Any,
) -> str | None:
    """Why the answer cannot use this value, or None."""
    for name, values in readers.items():
        if value not in values:
            return f"which handler {name} cannot use (it knows: {', '.join(values)})"
    if slot_type in CALLER_ONLY_TYPES:
        return f"but a {slot_type} can only come from the caller: ask it with an ask node"
    if slot_type in KIND_TYPES and not readers:
        keys = _kind_keys(slot_type, catalogs, town)
        if value not in keys:
            return f"which is not a {slot_type} every language names (known: {', '.join(sorted(keys))})"
    if slot_type == "number":
        try:
            float(value)
        except ValueError:
            return "which is not a number"
    return None


def _check_intent(node_id: str, field: str, intent: str, catalogs: Catalogs, report: Any) -> None:
    without = [lang for lang in catalogs.languages if not catalogs[lang].intents.get(intent)]
    if without:
        report(node_id, field, f"intent '{intent}' has no examples in the catalog of {', '.join(without)} (under intents:)")


def _reach(graph: Mapping[str, list[str]], roots: Collection[str]) -> set[str]:
    seen = set(roots)
    queue = deque(roots)
    while queue:
        for nxt in graph.get(queue.popleft(), []):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


def _check_reachable(flows: FlowSet, graph: dict[str, list[str]], report: Any) -> None:
    roots = [ENTRY, *(e for e in ENGINE_ENTRIES if e in flows.nodes)]
    reached = _reach(graph, roots)
    for node_id in flows.nodes:
        if node_id not in reached:
            report(node_id, None, f"no caller can reach this node from {ENTRY}: link it or remove it")
    # A voice shortcut must also be reachable by keypad from its menu (blind callers who
    # cannot be understood still get there).
    for node_id, node in flows.nodes.items():
        if isinstance(node, MenuNode) and node.shortcuts:
            flow = node_id.split(".")[0]
            resolved = (flows.resolve(c.next, flow) for c in node.choices)
            keyed = {t for t in resolved if t is not None}
            by_keypad = _reach({k: v for k, v in graph.items() if k != node_id}, keyed)
            for i, shortcut in enumerate(node.shortcuts):
                target = flows.resolve(shortcut.next, flow)
                if target and target not in by_keypad:
                    report(node_id, f"shortcuts.{i}.next", f"shortcut to '{shortcut.next}' has no keypad path from this menu's choices")


def _check_endings(flows: FlowSet, graph: dict[str, list[str]], report: Any) -> None:
    reverse: dict[str, list[str]] = {n: [] for n in graph}
    for src, targets in graph.items():
        for dst in targets:
            reverse.setdefault(dst, []).append(src)
    terminals = [n for n, node in flows.nodes.items() if node.kind in TERMINAL_KINDS]
    can_end = _reach(reverse, terminals)
    for node_id in flows.nodes:
        if node_id not in can_end:
            report(node_id, None, "no path from this node ends in a hangup or a transfer: the call could never end properly")


def _check_loops(flows: FlowSet, graph: dict[str, list[str]], report: Any) -> None:
    """A cycle of nodes none of which waits for the caller would run for ever."""
    passive = {n for n, node in flows.nodes.items() if node.kind not in INPUT_KINDS}
    sub = {n: [m for m in graph[n] if m in passive] for n in passive}
    state: dict[str, int] = {}
    reported: set[frozenset[str]] = set()

    def visit(start: str) -> None:
        stack = [(start, iter(sub[start]))]
        path = [start]
        state[start] = 1
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                state[node] = 2
                stack.pop()
                path.pop()
                continue
            if state.get(child) == 1:
                cycle = path[path.index(child):]
                if frozenset(cycle) not in reported:
                    reported.add(frozenset(cycle))
                    report(child, None, "these nodes loop without waiting for the caller: " + " -> ".join([*cycle, child]))
            elif child not in state:
                state[child] = 1
                stack.append((child, iter(sub[child])))
                path.append(child)

    for node_id in sorted(passive):
        if node_id not in state:
            visit(node_id)
