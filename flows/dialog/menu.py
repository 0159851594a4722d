"""A `menu` node: choices by key, or by what the caller says (the intents of its choices and
shortcuts); a sentence that matches two about as well is asked back (`@pick`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flows.dialog import pick, switch
from flows.dialog.answers import Answer
from flows.dialog.escalation import not_understood
from flows.model import KIND_TYPES, Choice, MenuNode, asked_slots, menu_slots
from flows.session import Ask, Candidate, Expect, Option, PickQuestion

if TYPE_CHECKING:
    from flows.dialog.turn import Turn
    from flows.runtime import Runtime


def reach(turn: Turn, node_id: str, node: MenuNode) -> str | None:
    chosen = prefilled_choice(turn, node)
    if chosen:
        return chosen
    turn.say(node.prompt)
    options = tuple(Option(c.key, turn.text(c.label) if c.label else c.key) for c in node.choices)
    turn.ask(Ask(Expect.CHOICE, node_id, options))
    return None


def prefilled_choice(turn: Turn, node: MenuNode) -> str | None:
    """A menu reached with the caller's sentence still pending ("when does the truck
    come to 12 rue du Port?" said at the main menu) is answered from that sentence."""
    if not turn.state.utterance:
        return None
    targets = voice_targets(node)
    decision = turn.understanding.decide(turn.state.utterance, turn.lang, only=list(targets))
    if decision.kind != "match" or not decision.intent:
        return None
    turn.remember(decision.intent, decision.ranked[0].score)
    target, choice = targets[decision.intent]
    turn.apply_slots(choice_slots(turn, node, choice))
    return target


def answer(turn: Turn, node: MenuNode, given: Answer) -> str | None:
    if given.key is not None:
        for keyed in node.choices:
            if keyed.key == given.key:
                if keyed.intent:
                    turn.remember(keyed.intent, 100.0)
                turn.apply_slots(choice_slots(turn, node, keyed))
                return keyed.next
        return not_understood(turn)
    text = given.text or ""
    targets = voice_targets(node)
    decision = turn.understanding.decide(text, turn.lang, only=list(targets))
    if decision.kind == "match" and decision.intent:
        best = decision.ranked[0]
        turn.remember(best.intent, best.score)
        turn.state.utterance = text  # the same sentence may already hold the address or date
        target, choice = targets[best.intent]
        turn.apply_slots(choice_slots(turn, node, choice))
        return target
    if decision.kind == "ambiguous" and len(decision.ranked) >= 2:
        first, second = decision.ranked[0], decision.ranked[1]
        turn.score = first.score
        labels = {c.intent: c.label for c in node.choices if c.intent}
        candidates = []
        for i, scored in enumerate((first, second), start=1):
            label_key = labels.get(scored.intent)
            label = turn.text(label_key) if label_key else scored.intent
            target, choice = targets[scored.intent]
            candidates.append(Candidate(str(i), label, scored.intent, target, choice_slots(turn, node, choice)))
        question = PickQuestion("intent", tuple(candidates), turn.state.node, utterance=text)
        pick.ask(turn, question, "common.choice_between", first=candidates[0].text, second=candidates[1].text)
        return None
    if decision.ranked:
        turn.score = decision.ranked[0].score
    if switch.offer(turn, text):
        return None
    return not_understood(turn, text=text)


def voice_targets(node: MenuNode) -> dict[str, tuple[str, Choice | None]]:
    """intent -> (next, the choice it stands for); a shortcut takes no choice."""
    targets: dict[str, tuple[str, Choice | None]] = {c.intent: (c.next, c) for c in node.choices if c.intent}
    for shortcut in node.shortcuts:
        targets.setdefault(shortcut.intent, (shortcut.next, None))
    return targets


def choice_slots(turn: Turn, node: MenuNode, choice: Choice | None) -> dict[str, Any]:
    """What taking `choice` does to the slots: what another choice of the menu set is
    forgotten (None), then the choice's own `set:` is kept. JSON-safe, for @pick."""
    slots: dict[str, Any] = dict.fromkeys(sorted(menu_slots(node)))
    if choice is not None:
        slots.update({slot: _slot_value(turn, slot, value) for slot, value in choice.set.items()})
    return slots


def _slot_value(turn: Turn, slot: str, value: str) -> dict[str, Any]:
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


def menu_examples(rt: Runtime, node_id: str, lang: str, per_intent: int = 1) -> tuple[str, ...]:
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
