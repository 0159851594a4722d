"""A `menu` node: choices by key, or by what the caller says (the intents of its choices and
shortcuts); a sentence that matches two about as well is asked back (`@pick`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flows.dialog import pick, switch
from flows.dialog.answers import Answer
from flows.dialog.escalation import not_understood
from flows.dialog.labels import intent_labels
from flows.model import KIND_TYPES, AskNode, Choice, MenuNode, asked_slots, menu_slots
from flows.session import Ask, Candidate, Expect, Option, PickQuestion
from nlu.addresses import SPOKEN_STREET_KINDS
from nlu.text import fold

MAIN_MENU = "main.menu"

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
    if given.key is None and given.text:
        # A silence counts as a retry too, and leaves nothing misheard to read this sentence with.
        missed = turn.state.not_understood[-1] if turn.state.retries and turn.state.not_understood else None
        return _spoken(turn, node, given.text, missed)
    if given.key is not None:
        for keyed in node.choices:
            if keyed.key == given.key:
                if keyed.intent:
                    turn.remember(keyed.intent, 100.0)
                turn.apply_slots(choice_slots(turn, node, keyed))
                return keyed.next
        return not_understood(turn)
    return not_understood(turn)


def _spoken(turn: Turn, node: MenuNode, text: str, missed: str | None) -> str | None:
    """What the caller said at a menu: any request the town offers, not only this menu's."""
    targets = everywhere(turn.rt, node)
    decision = turn.understanding.decide(text, turn.lang, only=list(targets))
    if decision.kind != "match" and missed:
        # The sentence after a miss goes with the one missed ("the bins" ... "on rue du port").
        joined = turn.understanding.decide(f"{missed} {text}", turn.lang, only=list(targets))
        if joined.kind == "match":
            decision = joined
    if decision.kind == "none" and not decision.out_of_scope:
        # ("a pothole on boulevard de la mer" holds an address, but asks for no request)
        by_slot = _slot_answer(turn, targets, text)
        if by_slot is not None:
            turn.remember(by_slot, None)
            turn.state.utterance = text
            target, choice, menu = targets[by_slot]
            turn.apply_slots(choice_slots(turn, menu, choice))
            return _through_menus(turn, target, by_slot)
    if decision.kind == "match" and decision.intent and switch.offer(turn, text):
        # Understood, but said in another enabled language: the caller is offered it first
        # (the meaning is multilingual and callers' sentences of every language are taught).
        return None
    if decision.kind == "match" and decision.intent:
        return _take(turn, targets, decision.intent, decision.ranked[0].score, text)
    if decision.kind == "ambiguous" and switch.offer(turn, text):
        # A sentence in another language is asked about in that language, not with two
        # requests named in this one (the meaning is multilingual: it may half-match here).
        return None
    if decision.kind == "ambiguous" and len(decision.ranked) >= 2:
        first, second = decision.ranked[0], decision.ranked[1]
        turn.score = first.score
        labels = intent_labels(turn.rt)
        candidates = []
        for i, scored in enumerate((first, second), start=1):
            if scored.intent not in labels:  # never an internal name read aloud
                return not_understood(turn, text=text)
            target, choice, menu = targets[scored.intent]
            label = turn.text(labels[scored.intent])
            candidates.append(Candidate(str(i), label, scored.intent, target, choice_slots(turn, menu, choice)))
        question = PickQuestion("intent", tuple(candidates), turn.state.node, utterance=text)
        pick.ask(turn, question, "common.choice_between", first=candidates[0].text, second=candidates[1].text)
        return None
    if decision.ranked:
        turn.score = decision.ranked[0].score
    if switch.offer(turn, text):
        return None
    # Nearer a question the town does not answer than any request: "I didn't understand"
    # would have the caller say the passport question again.
    apology = "common.not_handled" if decision.out_of_scope else "common.not_understood"
    return not_understood(turn, apology, text=text)


def _take(turn: Turn, targets: dict[str, Target], intent: str, score: float | None, text: str) -> str:
    turn.remember(intent, score)
    turn.state.utterance = text  # the same sentence may already hold the address or date
    target, choice, menu = targets[intent]
    turn.apply_slots(choice_slots(turn, menu, choice))
    return target


def request_anywhere(turn: Turn, text: str) -> str | None:
    """A request the town offers, made where a menu was not asked ("when is the next
    council?" at "anything else?"): where it goes, or None unless the sentence is sure."""
    entry = turn.rt.flows.nodes.get(MAIN_MENU)
    if not isinstance(entry, MenuNode):
        return None
    targets = everywhere(turn.rt, entry)
    decision = turn.understanding.decide(text, turn.lang, only=list(targets))
    if decision.kind != "match" or not decision.intent:
        return None
    return _take(turn, targets, decision.intent, decision.ranked[0].score, text)


# Slots a sentence may hold on its own, and the request it then stands for: an address said
# at a menu (after a miss, say) is an address, for the request that asks one. The address
# resolver is lenient (it reads what a recogniser made of a street name), so here the
# sentence must also say a kind of street.
SELF_EVIDENT_SLOTS = ("address",)


def _slot_answer(turn: Turn, targets: dict[str, Target], text: str) -> str | None:
    if not SPOKEN_STREET_KINDS & set(fold(text).split()):
        return None
    for slot_type in SELF_EVIDENT_SLOTS:
        intent = next((i for i in targets if first_question(turn.rt, targets[i][0], i) == slot_type), None)
        if intent is None:
            continue
        result = turn.understanding.slot(slot_type, text, turn.lang, turn.now, turn.state.slots)
        if result.outcome in ("ok", "ambiguous"):
            return intent
    return None


def _through_menus(turn: Turn, ref: str, intent: str) -> str:
    """Past the menus on the way from `ref`, taking the choice of `intent` at each (and what
    it sets): a request found from a slot alone has no words for a menu to read."""
    flow = turn.state.node.split(".")[0]
    for _ in range(6):
        node_id = turn.rt.flows.resolve(ref, flow)
        node = turn.rt.flows.nodes.get(node_id) if node_id else None
        if not isinstance(node, MenuNode) or node_id is None:
            return ref
        found = voice_targets(node).get(intent)
        if found is None:
            return ref
        turn.apply_slots(choice_slots(turn, node, found[1]))
        ref, flow = turn.rt.flows.resolve(found[0], node_id.split(".")[0]) or found[0], node_id.split(".")[0]
    return ref


def first_question(rt: Runtime, ref: str, intent: str) -> str | None:
    """The type of the first thing asked on the way from `ref` (following the choice of
    `intent` at menus), or None."""
    node_id: str | None = ref
    flow = ref.split(".")[0]
    for _ in range(12):
        if node_id is None:
            return None
        resolved = rt.flows.resolve(node_id, flow)
        node = rt.flows.nodes.get(resolved) if resolved else None
        if node is None or resolved is None:
            return None
        flow = resolved.split(".")[0]
        if isinstance(node, AskNode):
            return node.type
        if isinstance(node, MenuNode):
            node_id = voice_targets(node).get(intent, (None, None))[0]
        else:
            node_id = getattr(node, "next", None)
    return None


Target = tuple[str, "Choice | None", MenuNode]


def everywhere(rt: Runtime, here: MenuNode) -> dict[str, Target]:
    """intent -> (next, its choice, the menu it belongs to): this menu's first, then those
    of the entry menu, then of every other menu, so that any request the town offers can be
    made from any menu."""
    targets: dict[str, Target] = {i: (nxt, c, here) for i, (nxt, c) in voice_targets(here).items()}
    menus = [n for n in rt.flows.nodes.values() if isinstance(n, MenuNode)]
    entry = rt.flows.nodes.get(MAIN_MENU)
    if isinstance(entry, MenuNode):
        menus.remove(entry)
        menus.insert(0, entry)
    for menu in menus:
        for intent, (nxt, choice) in voice_targets(menu).items():
            if intent not in targets:
                qualified = rt.flows.resolve(nxt, _flow_of(rt, menu)) or nxt
                targets[intent] = (qualified, choice, menu)
    return targets


def _flow_of(rt: Runtime, menu: MenuNode) -> str:
    node_id = next(i for i, n in rt.flows.nodes.items() if n is menu)
    return node_id.split(".")[0]


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
