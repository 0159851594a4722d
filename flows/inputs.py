"""What the caller's input means at each kind of waiting node.

Each function takes the turn, the node, and either a key (pressed) or a text (said), and
moves the call on: to the next node, to a question that narrows down the choice, or down
the failure ladder (`turn.not_understood`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rapidfuzz import fuzz, process

from flows.loader import ENTRY
from flows.model import KIND_TYPES, AskNode, Choice, ConfirmNode, MenuNode, asked_slots, menu_slots
from flows.session import Ask, Option

if TYPE_CHECKING:
    from flows.engine import _Turn

YES_KEY, NO_KEY = "1", "2"


def _maybe_switch_language(turn: _Turn, text: str) -> bool:
    """A caller not understood in the call's language may be speaking another one."""
    rt, state = turn.rt, turn.state
    if rt.fixed_language or len(rt.languages) < 2:
        return False
    other = rt.understanding.language_of(text)
    if not other or other == state.lang or other not in rt.languages:
        return False
    state.pending["switch"] = {"to": other, "node": state.node, "utterance": text}
    state.node = "@switch"
    current = turn.text("lang.name")
    turn.say("lang.switch_offer", other, current=current)
    turn.ask(Ask("yes_no", "@switch", (Option(YES_KEY, "yes"), Option(NO_KEY, "no"))))
    return True


def _remember(turn: _Turn, intent: str, score: float | None) -> None:
    turn.intent, turn.score = intent, score
    if intent not in turn.state.asked:
        turn.state.asked.append(intent)


def _slot_value(turn: _Turn, slot: str, value: str) -> dict[str, Any]:
    """A value a choice sets, kept as if a question had filled the slot: a kind as its key
    and its name in the call's language, a number as a number, anything else as text."""
    slot_type = asked_slots(turn.rt.flows.nodes).get(slot, slot)
    if slot_type in KIND_TYPES:
        names = turn.rt.catalogs[turn.lang].entities.get(slot_type, {}).get(value)
        from_town = getattr(turn.rt.town, f"{slot_type}_synonyms", None)
        if not names and callable(from_town):
            names = from_town(turn.lang).get(value)
        return {"key": value, "text": names[0] if names else value}
    if slot_type == "number":
        try:
            number: float = int(value)
        except ValueError:
            number = float(value)
        return {"number": number, "text": value}
    return {"text": value}


def choice_slots(turn: _Turn, node: MenuNode, choice: Choice | None) -> dict[str, Any]:
    """What taking `choice` does to the slots: what another choice of the menu set is
    forgotten (None), then the choice's own `set:` is kept. JSON-safe, for @pick."""
    slots: dict[str, Any] = dict.fromkeys(sorted(menu_slots(node)))
    if choice is not None:
        slots.update({slot: _slot_value(turn, slot, value) for slot, value in choice.set.items()})
    return slots


def apply_slots(turn: _Turn, slots: dict[str, Any]) -> None:
    for slot, value in slots.items():
        if value is None:
            turn.state.slots.pop(slot, None)
        else:
            turn.state.slots[slot] = value


def voice_targets(node: MenuNode) -> dict[str, tuple[str, Choice | None]]:
    """intent -> (next, the choice it stands for); a shortcut takes no choice."""
    targets: dict[str, tuple[str, Choice | None]] = {c.intent: (c.next, c) for c in node.choices if c.intent}
    for shortcut in node.shortcuts:
        targets.setdefault(shortcut.intent, (shortcut.next, None))
    return targets


def menu_examples(rt: Any, node_id: str, lang: str, per_intent: int = 1) -> tuple[str, ...]:
    """What callers say at this menu, from the catalog: the longest example of each intent
    it understands by voice (the longest carries most of the words a recogniser should
    expect). Empty for anything but a menu."""
    node = rt.flows.nodes.get(node_id)
    if not isinstance(node, MenuNode):
        return ()
    intents = rt.catalogs[lang].intents
    out: list[str] = []
    for intent in voice_targets(node):
        examples = sorted(intents.get(intent) or (), key=lambda e: -len(str(e).split()))
        out.extend(str(e) for e in examples[:per_intent])
    return tuple(dict.fromkeys(out))


def on_menu(turn: _Turn, node: MenuNode, key: str | None, text: str | None) -> None:
    if key is not None:
        for choice in node.choices:
            if choice.key == key:
                if choice.intent:
                    _remember(turn, choice.intent, 100.0)
                apply_slots(turn, choice_slots(turn, node, choice))
                turn.goto(choice.next)
                return
        turn.not_understood()
        return
    targets = voice_targets(node)
    decision = turn.rt.understanding.decide(text, turn.lang, only=list(targets))
    if decision.kind == "match" and decision.intent:
        best = decision.ranked[0]
        _remember(turn, best.intent, best.score)
        turn.state.utterance = text  # the same sentence may already hold the address or date
        target, choice = targets[best.intent]
        apply_slots(turn, choice_slots(turn, node, choice))
        turn.goto(target)
        return
    if decision.kind == "ambiguous" and len(decision.ranked) >= 2:
        first, second = decision.ranked[0], decision.ranked[1]
        turn.score = first.score
        labels = {c.intent: c.label for c in node.choices if c.intent}
        candidates = []
        for i, scored in enumerate((first, second), start=1):
            label_key = labels.get(scored.intent)
            label = turn.text(label_key) if label_key else scored.intent
            target, choice = targets[scored.intent]
            candidates.append({"key": str(i), "text": label, "intent": scored.intent,
                               "next": target, "slots": choice_slots(turn, node, choice)})
        turn.state.pending["pick"] = {"kind": "intent", "candidates": candidates, "node": turn.state.node,
                                      "utterance": text}
        turn.state.node = "@pick"
        turn.say("common.choice_between", first=candidates[0]["text"], second=candidates[1]["text"])
        turn.ask(Ask("pick", "@pick", tuple(Option(c["key"], c["text"]) for c in candidates)))
        return
    if decision.ranked:
        turn.score = decision.ranked[0].score
    if not _maybe_switch_language(turn, text):
        turn.not_understood(text=text)


def take_slot(turn: _Turn, node: AskNode, text: str, prefill: bool = False) -> bool:
    """Tries to fill the node's slot from what the caller said. True if the call moved on.

    With prefill (the sentence was said before the question), nothing is said on failure:
    the question is simply asked.
    """
    state = turn.state
    result = turn.rt.understanding.slot(node.type, text, turn.lang, turn.now, state.slots)
    if result.outcome == "ok":
        state.slots[node.slot] = result.value
        turn.goto(node.next)
        return True
    if result.outcome == "ambiguous" and result.candidates:
        if "ambiguous" in node.on:
            state.slots[node.slot + "_candidates"] = result.candidates
            turn.goto(node.on["ambiguous"])
            return True
        candidates = [{**c, "key": str(i)} for i, c in enumerate(result.candidates[:4], start=1)]
        state.pending["pick"] = {"kind": "slot", "slot": node.slot, "candidates": candidates,
                                 "node": state.node, "next": node.next}
        state.node = "@pick"
        options = ", ".join(turn.text("common.candidate", text=c["text"], key=c["key"]) for c in candidates)
        turn.say("common.which_one", options=options)
        turn.ask(Ask("pick", "@pick", tuple(Option(c["key"], c["text"]) for c in candidates)))
        return True
    if prefill:
        return False
    options_read = state.pending.get("keypad_read") == state.node
    if result.outcome == "not_found" and not options_read and (state.last_ask or {}).get("options"):
        # Before the flow's own way out, a caller not understood hears the keypad choices.
        state.retries += 1
        state.failures += 1
        turn.say("common.not_understood")
        turn.keypad_hint()
        turn.reask()
        return True
    if result.outcome == "not_found" and "not_found" in node.on:
        state.slots[node.slot + "_heard"] = text
        turn.goto(node.on["not_found"])
        return True
    return False


def on_ask(turn: _Turn, node: AskNode, key: str | None, text: str | None) -> None:
    if key is not None:
        choices = dict(turn.rt.understanding.keypad_choices(node.type, turn.lang))
        if key in choices:
            turn.state.slots[node.slot] = choices[key]
            turn.goto(node.next)
            return
        if node.type in ("number", "phone") and key.isdigit():
            text = key
        else:
            turn.not_understood()
            return
    if take_slot(turn, node, text):
        return
    if not _maybe_switch_language(turn, text):
        turn.not_understood(text=text)


def on_confirm(turn: _Turn, node: ConfirmNode, key: str | None, text: str | None) -> None:
    answer = _yes_no(turn, key, text)
    if answer is None:
        if key is None and _maybe_switch_language(turn, text):
            return
        turn.not_understood(text=text)
        return
    turn.intent = "yes" if answer else "no"
    turn.goto(node.yes if answer else node.no)


def _yes_no(turn: _Turn, key: str | None, text: str | None) -> bool | None:
    if key is not None:
        return {YES_KEY: True, NO_KEY: False}.get(key)
    return turn.rt.understanding.yes_no(text, turn.lang)


def on_language(turn: _Turn, node: Any, key: str | None, text: str | None) -> None:
    languages = turn.rt.languages
    chosen = None
    if key is not None and key.isdigit() and 1 <= int(key) <= len(languages):
        chosen = languages[int(key) - 1]
    elif text:
        chosen = turn.rt.understanding.language_of(text)
        if chosen is None:
            names = {turn.rt.catalogs.render("lang.name", lang).text.lower(): lang for lang in languages}
            match = process.extractOne(text.lower(), list(names), scorer=fuzz.partial_ratio, score_cutoff=85)
            chosen = names[match[0]] if match else None
    if chosen not in languages:
        turn.not_understood()
        return
    turn.state.lang = chosen
    turn.intent = "language." + chosen
    turn.goto(ENTRY)


def on_switch(turn: _Turn, node: Any, key: str | None, text: str | None) -> None:
    pending = turn.state.pending.pop("switch", {})
    answer = _yes_no(turn, key, text)
    if answer is None and text:
        # The offer is made in the new language: the caller may answer in either.
        answer = turn.rt.understanding.yes_no(text, pending.get("to", turn.lang))
    turn.state.node = pending.get("node", ENTRY)
    if answer:
        turn.state.lang = pending["to"]
        turn.say("lang.switched")
    turn.state.retries = 0
    # The question again, in the call's language (which may be the new one).
    turn.goto(turn.state.node)


def on_pick(turn: _Turn, node: Any, key: str | None, text: str | None) -> None:
    pending = turn.state.pending.get("pick", {})
    candidates = pending.get("candidates", [])
    chosen = None
    if key is not None:
        chosen = next((c for c in candidates if c["key"] == key), None)
    elif text:
        from nlu.numbers import parse_number

        number = parse_number(text, turn.lang)
        if number is not None and 1 <= number <= len(candidates) and len(text.split()) <= 3:
            chosen = candidates[number - 1]
        else:
            labels = [c["text"] for c in candidates]
            match = process.extractOne(text, labels, scorer=fuzz.token_set_ratio, score_cutoff=60)
            chosen = candidates[match[2]] if match else None
    if chosen is None:
        turn.not_understood(text=text)
        return
    turn.state.pending.pop("pick", None)
    turn.state.node = pending["node"]
    if pending["kind"] == "intent":
        _remember(turn, chosen["intent"], None)
        apply_slots(turn, chosen.get("slots") or {})
        turn.state.utterance = pending.get("utterance")
        turn.goto(chosen["next"])
    else:
        value = {k: v for k, v in chosen.items() if k != "key"}
        turn.state.slots[pending["slot"]] = value
        turn.goto(pending["next"])
