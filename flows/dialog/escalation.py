"""Where a call goes when things do not work: the failure ladder and the way to a person.

The rules a caller relies on when stuck — the prompt again, then the keypad options, then
the offer of a person, then a person; never silence — read in one place. Each function
returns the node to run next, or None when the turn stops there.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any

from babel import Locale, UnknownLocaleError

from flows.dialog.labels import intent_labels
from flows.dialog.review_reasons import review
from flows.session import EndCall, Expect, Say, Transfer
from flows.slot_names import label_key, private_slots

if TYPE_CHECKING:
    from flows.dialog.turn import Turn

log = logging.getLogger(__name__)

MAX_RETRIES = 3  # after the third failure in a row the caller goes to a person
CALLBACK_FLOW = "callback.start"

# ---- failure ladder ----


def not_understood(turn: Turn, apology: str = "common.not_understood", text: str | None = None) -> str | None:
    state = turn.state
    state.retries += 1
    state.failures += 1
    if text:
        state.not_understood.append(text)
    if state.retries > MAX_RETRIES:
        turn.say(apology)
        return fail_to_person(turn, "not_understood")
    turn.say(apology)
    if state.retries == MAX_RETRIES:
        turn.actions.append(review("not_understood", {"node": state.node, "heard": state.not_understood[-MAX_RETRIES:]},
                                   times=MAX_RETRIES))
        turn.say("common.offer_person")
        turn.reask()
        return None
    if state.retries == 1:
        question_again(turn)
    else:
        keypad_hint(turn)
    turn.reask()
    return None


def question_again(turn: Turn) -> None:
    """The question once more: its last sentence; at the language question, which is one
    sentence per language, all of them."""
    ask = turn.state.last_ask
    if ask is not None and ask.expect == Expect.LANGUAGE:
        turn.say_language_choices()
        return
    for said in turn.state.last_said[-1:]:
        turn.say_again(said)


def keypad_hint(turn: Turn) -> None:
    """What the caller can press at the question being asked."""
    ask = turn.state.last_ask
    expect = ask.expect if ask else None
    if ask and (expect in (Expect.CHOICE, Expect.PICK) or (expect == Expect.SLOT and ask.options)):
        turn.state.keypad_read = turn.state.node
        options = [turn.text("common.option", label=o.label, key=o.key) for o in ask.options]
        turn.say("common.options", options=", ".join(options))
        turn.say("common.always")
    elif expect == Expect.YES_NO:
        turn.say("common.yes_no_hint")
    elif expect == Expect.LANGUAGE:
        turn.say_language_choices()
    else:
        for said in turn.state.last_said[-1:]:
            turn.say_again(said)
        turn.say("common.always")


# ---- people and endings ----


def human_line(turn: Turn, name: str) -> Any:
    """The town's line to a person by this name (its number and opening hours), or None."""
    town = turn.rt.town
    if town is None or not hasattr(town, "human_line"):
        return None
    try:
        return town.human_line(name)
    except KeyError:
        return None


def is_open(line: Any, now: datetime) -> bool:
    try:
        return bool(line.is_open(now))
    except Exception:
        log.exception("cannot tell whether human line is open; assuming it is")
        return True


def to_person(turn: Turn, reason: str) -> str | None:
    """The caller asked for a person: transfer, or after hours the callback flow. After the
    emergency number was said as a precaution (a notice, which offers a person), the request
    may be the emergency: the call is flagged as one and put through as one."""
    state = turn.state
    if reason == "caller_asked" and state.emergency_noticed and state.emergency is None:
        reason = "emergency_notice"
        turn.actions.append(review("emergency_after_notice", context(turn), item_kind="emergency",
                                   kind=state.emergency_noticed))
    elif reason == "caller_asked":
        turn.actions.append(review("asked_person", context(turn)))
    line = human_line(turn, "main")
    if line is not None and not is_open(line, turn.now) and CALLBACK_FLOW in turn.rt.flows.nodes:
        turn.state.slots["transfer_reason"] = reason
        return CALLBACK_FLOW
    turn.say("common.transferring")
    transfer(turn, reason, "main")
    return None


def fail_to_person(turn: Turn, reason: str) -> str | None:
    """Our failure, not the caller's: an apology, then a person."""
    if not any(isinstance(a, Say) for a in turn.actions):
        turn.say("common.error")
    return to_person(turn, reason)


def transfer(turn: Turn, reason: str, line_name: str) -> None:
    line = human_line(turn, line_name)
    number = getattr(line, "number", "") or getattr(turn.rt.config, "human_number", "") or ""
    ctx = context(turn)
    turn.state.ended = True
    turn.state.outcome = "transferred"
    turn.state.transfer_reason = reason
    turn.actions.append(Transfer(number, line_name, reason, summary(turn, ctx), ctx))


def hang_up(turn: Turn, prompt: str | None, reason: str) -> None:
    if prompt:
        turn.say(prompt)
    turn.state.ended = True
    # Contained only when the caller got an answer: a goodbye at the first menu, or a caller
    # sent to the emergency number, was not answered here.
    turn.state.outcome = turn.state.outcome or ("answered" if turn.state.last_answer is not None else "abandoned")
    turn.actions.append(EndCall(reason))


def context(turn: Turn) -> dict[str, Any]:
    """What the person taking the call (or reviewing it) should know."""
    state = turn.state
    slots = {k: (v.get("text") if isinstance(v, dict) else v) for k, v in state.slots.items()}
    return {
        "language": state.lang,
        "asked": list(state.asked),
        "node": state.node,
        "slots": slots,
        "not_understood": state.not_understood[-3:],
    }


def summary(turn: Turn, ctx: dict[str, Any]) -> str:
    """A short whisper for the person taking the call, in the town's main language."""
    main = turn.rt.main_language
    lang = ctx.get("language") or main
    try:
        lang_name = Locale.parse(lang).get_display_name(main) or lang
    except (ValueError, UnknownLocaleError):
        lang_name = lang
    details = "; ".join(whispered_details(turn, ctx["slots"], main))
    # Staff hear what was asked in words, never an internal intent name.
    labels = intent_labels(turn.rt)
    asked = [turn.rt.catalogs.render(labels[i], main).text if i in labels else i for i in ctx["asked"]]
    return turn.rt.catalogs.render(
        "common.summary",
        main,
        {"language": lang_name, "asked": ", ".join(asked) or "-", "details": details or "-"},
    ).text


def whispered_details(turn: Turn, slots: dict[str, Any], lang: str) -> list[str]:
    """"adresse: 12 rue du Port", each slot by the name staff know (the catalogs'
    ``slot.<name>``, flows.slot_names). A slot no catalog names (a handler's working value,
    an id) is left out rather than said by its internal name; a phone number or free text
    the caller gave is never whispered."""
    catalogs = turn.rt.catalogs
    private = private_slots(turn.rt.flows)
    details = []
    for slot, value in slots.items():
        key = label_key(slot)
        if value and slot not in private and any(c.has(key) for c in catalogs.by_lang.values()):
            details.append(f"{catalogs.render(key, lang).text}: {value}")
    return details
