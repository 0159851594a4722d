"""`@text_copy`: the last answer sent to the caller by text message, with its source, its date
and the town's page, when the caller asks for it on the phone (key 7, or in words: "send it
to me by text").

Consent comes first: the caller hears which number the message goes to and says yes. A
caller whose number is hidden, or is a landline, types a mobile number instead, which is
read back before anything is sent. The number goes into one `SendText` action and nowhere
else: the offer forgets it as soon as the message is handed over. Afterwards the call goes
back to the question it was at.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import phonenumbers

from flows.dialog.answers import YES_NO_OPTIONS, Answer, yes_no
from flows.dialog.escalation import not_understood
from flows.loader import ENTRY
from flows.provenance import Source
from flows.session import Ask, CopyOffer, Expect, SendText
from translations.formatting import format_date_long

if TYPE_CHECKING:
    from flows.dialog.turn import Turn

NODE = "@text_copy"
KEY = "7"
INTENT = "text_copy"
MAX_DIGITS = 15
MAX_LENGTH = 1500  # characters: Twilio sends up to 1600 as one message (in several segments)
PHONE_REGIONS = {"UK": "GB", "EL": "GR"}
MOBILE = (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)


def _offered_here(turn: Turn) -> bool:
    """On the phone, where the town sends copies, outside the assistant's own questions."""
    state = turn.state
    return (
        not turn.written
        and state.copy_offer is None
        and not state.node.startswith("@")
        and bool(getattr(turn.rt.config, "sms_copies", False))
    )


def _answered(turn: Turn) -> bool:
    given = turn.state.last_answer
    return given is not None and bool(given.text)


def available(turn: Turn) -> bool:
    """A copy can be asked for: on the phone, after an answer, where the town sends them."""
    return _offered_here(turn) and _answered(turn)


def too_early(turn: Turn) -> bool:
    """A copy asked for on the phone, where the town sends them, before any answer to send."""
    return _offered_here(turn) and not _answered(turn)


def explain_too_early(turn: Turn) -> None:
    """What a copy is for and when it can be had, then the question again: better than
    taking "send it by text" for a wrong answer to the question."""
    turn.intent = INTENT
    turn.say("copy.nothing_yet")
    turn.reask()


def key_free(turn: Turn) -> bool:
    """The key is the copy's unless the question waiting uses it (a menu's choice 7, a
    number being typed)."""
    ask = turn.state.last_ask
    if ask is None:
        return True
    return not ask.max_digits and all(o.key != KEY for o in ask.options)


def offer(turn: Turn) -> str | None:
    """The caller asked for a copy: consent to the number calling, or a number typed."""
    state = turn.state
    turn.intent = INTENT
    back = CopyOffer(node=state.node, back=state.last_ask, prompt=state.last_said[-1] if state.last_said else None)
    state.node, state.retries = NODE, 0
    if mobile(state.caller, _country(turn)):
        state.copy_offer = back
        turn.say("copy.consent", last_digits=_last_digits(state.caller or ""))
        turn.ask(Ask(Expect.YES_NO, NODE, YES_NO_OPTIONS))
    else:
        state.copy_offer = replace(back, stage="number")
        _ask_number(turn, "copy.ask_number")
    return None


def answer(turn: Turn, given: Answer) -> str | None:
    state = turn.state
    pending = state.copy_offer
    if pending is None:  # cannot happen: the step is only reached through offer()
        state.node = ENTRY
        return ENTRY
    if pending.stage == "number":
        return _number(turn, pending, given)
    yes = yes_no(turn, given)
    if yes is None:
        return not_understood(turn, text=given.text)
    if pending.stage == "confirm" and not yes:
        state.copy_offer = replace(pending, stage="number", number=None)
        _ask_number(turn, "copy.ask_number_again")
        return None
    if yes:
        _send(turn, pending.number if pending.stage == "confirm" else None)
    else:
        turn.intent = INTENT + ".declined"
        turn.say("copy.not_sent")
    return back(turn)


def back(turn: Turn) -> str | None:
    """To the question the call was at, asked again."""
    state = turn.state
    pending, state.copy_offer = state.copy_offer, None
    state.retries = 0
    if pending is None or pending.back is None:
        state.node = ENTRY
        return ENTRY
    state.node = pending.node
    if pending.prompt is not None:
        turn.say_again(pending.prompt)
    turn.ask(pending.back)
    return None


def _number(turn: Turn, pending: CopyOffer, given: Answer) -> str | None:
    text = given.key.rstrip("#") if given.key is not None else given.text or ""
    result = turn.understanding.slot("phone", text, turn.lang, turn.now, turn.state.slots)
    digits = result.value.get("digits") if result.outcome == "ok" else None
    number = to_e164(digits, _country(turn)) if digits else None
    if number is None or not mobile(number, _country(turn)):
        if turn.state.retries >= 1:
            turn.intent = INTENT + ".no_number"
            turn.say("copy.gave_up")
            return back(turn)
        turn.state.retries += 1
        _ask_number(turn, "copy.retry_number")
        return None
    turn.state.copy_offer = replace(pending, stage="confirm", number=number)
    turn.say("copy.confirm_number", copy_number=result.value["text"])
    turn.ask(Ask(Expect.YES_NO, NODE, YES_NO_OPTIONS))
    return None


def _ask_number(turn: Turn, prompt: str) -> None:
    turn.say(prompt)
    turn.ask(Ask(Expect.SLOT, NODE, slot="copy_number", slot_type="phone", max_digits=MAX_DIGITS))


def _send(turn: Turn, number: str | None) -> None:
    given = turn.state.last_answer
    assert given is not None, "available() let no call without an answer here"
    turn.intent = INTENT + ".sent"
    turn.actions.append(SendText(message(turn), given.lang, "answer_copy", number))
    turn.say("copy.sent")


def message(turn: Turn) -> str:
    """The text: the answer, where it comes from and when that was checked, the town's page."""
    given = turn.state.last_answer
    assert given is not None
    lang = given.lang
    lines = [given.text]
    seen: set[str] = set()
    for data in given.sources:
        source = Source.from_json(data)
        if source.dataset in seen:
            continue
        seen.add(source.dataset)
        label_key = f"source.{source.dataset}"
        has_label = turn.rt.catalogs[lang].has(label_key)
        label = turn.rt.catalogs.render(label_key, lang, written=True).text if has_label else source.dataset
        if source.document:
            label = f"{label} ({source.document})"
        if source.verified is not None:
            verified = format_date_long(source.verified, lang)
            lines.append(turn.rt.catalogs.render("copy.source", lang, {"dataset": label, "verified": verified}).text)
        else:
            lines.append(turn.rt.catalogs.render("copy.source_unverified", lang, {"dataset": label}).text)
    website = getattr(turn.rt.town, "website", "") or ""
    if website:
        lines.append(turn.rt.catalogs.render("copy.website", lang, {"town": turn.rt.town_name, "link": website}).text)
    text = "\n".join(line for line in lines if line)
    return text if len(text) <= MAX_LENGTH else text[: MAX_LENGTH - 1] + "…"


def to_e164(number: str | None, country: str) -> str | None:
    """The number in international form (+33612345678), or None if it is not one."""
    if not number:
        return None
    number = "+" + number[2:] if number.startswith("00") else number
    try:
        parsed = phonenumbers.parse(number, PHONE_REGIONS.get(country.upper(), country.upper()) or None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def mobile(number: str | None, country: str) -> bool:
    """Whether a text message can reach this number (a mobile, or a number that may be one)."""
    e164 = to_e164(number, country)
    return e164 is not None and phonenumbers.number_type(phonenumbers.parse(e164)) in MOBILE


def _country(turn: Turn) -> str:
    return str(getattr(turn.rt.town, "country", "") or "FR")


def _last_digits(number: str) -> str:
    digits = [c for c in number if c.isdigit()]
    return " ".join(digits[-2:])
