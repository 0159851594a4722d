"""The call session's vocabulary: events in, actions out, and the state between them.

Every transport (terminal, scenario files, browser, TwiML, Media Streams) turns what the
caller does into these events and carries out these actions. The state is plain data and
round-trips through JSON, so a session can live outside the process between two turns.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields, is_dataclass
from enum import StrEnum
from typing import Any, Literal

from flows.provenance import Source

# ---- events: what the caller did ----------------------------------------------------


@dataclass(frozen=True)
class Said:
    """The caller said something (as recognised), in the call's language unless `lang`."""

    text: str
    lang: str | None = None
    confidence: float | None = None


@dataclass(frozen=True)
class Pressed:
    """The caller pressed keys: one key, or digits ended by '#' when a number was asked."""

    key: str


@dataclass(frozen=True)
class NoInput:
    """The caller said nothing before the time-out."""


@dataclass(frozen=True)
class CallerHungUp:
    """The caller hung up."""


Event = Said | Pressed | NoInput | CallerHungUp

# ---- actions: what the assistant does -------------------------------------------------


@dataclass(frozen=True)
class Say:
    text: str
    lang: str
    provenance: tuple[Source, ...] = ()
    slow: bool = False
    prompt: str | None = None  # the catalog key, so the voice layer can use pre-rendered audio
    fallback: str | None = None  # how the text was obtained when not from the language's catalog


@dataclass(frozen=True)
class Option:
    key: str
    label: str

    def __deepcopy__(self, memo: dict[int, Any]) -> Option:
        return self  # immutable all the way down: a copy could never differ (the engine copies every state)


class Expect(StrEnum):
    """What the assistant waits for."""

    CHOICE = "choice"
    """a menu: options with keys"""
    SLOT = "slot"
    """a value for a slot (`Ask.slot`, of type `Ask.slot_type`)"""
    YES_NO = "yes_no"
    LANGUAGE = "language"
    """each option's label is a language code: the caller may answer in any of them"""
    PICK = "pick"
    """one of a few candidates the caller's answer could have meant"""


@dataclass(frozen=True)
class Ask:
    """The assistant waits for the caller."""

    expect: Expect
    node: str
    options: tuple[Option, ...] = ()
    slot: str | None = None
    slot_type: str | None = None
    timeout: float = 5.0
    max_digits: int | None = None  # for keypad entry of numbers ended by '#'

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "expect": str(self.expect)}

    def __deepcopy__(self, memo: dict[int, Any]) -> Ask:
        return self  # immutable all the way down (its options too): a copy could never differ

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Ask:
        options = tuple(Option(**o) for o in data.get("options", ()))
        return cls(**{**data, "expect": Expect(data["expect"]), "options": options})


@dataclass(frozen=True)
class Transfer:
    """Put the caller through to a person on one of the town's human lines, with context."""

    number: str
    human_line: str
    reason: str
    summary: str
    context: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class EndCall:
    """The assistant hangs up."""

    reason: str = "done"


@dataclass(frozen=True)
class StaffRequest:
    """Something staff must see: kind is "callback", "message" or "review".

    details of a callback: ``number`` (E.164), ``summary`` (what the caller asked, for the
    person who calls back), ``reason``, ``language``; of a message: ``message`` (the
    caller's words), ``summary``, ``reason``, ``language``; of a review: ``reason`` (in
    English), ``context``, and, for reasons written as codes (the engine's and handlers'),
    ``reasons``: each one's code and values (flows.dialog.review_reasons), ``kind`` when the
    words do not tell it."""

    kind: str
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SendText:
    """Send the caller a text message (SMS): ``to`` is the number the caller typed for it,
    or None for the number they are calling or writing from. The number is used for this
    message only: nothing in the session or the records keeps it."""

    text: str
    lang: str
    purpose: str = "answer_copy"
    to: str | None = None


Action = Say | Ask | Transfer | EndCall | StaffRequest | SendText


def action_to_json(action: Action) -> dict[str, Any]:
    data = action.to_json() if isinstance(action, Ask) else asdict(action)
    if isinstance(action, Say):
        data["provenance"] = [s.to_json() for s in action.provenance]
    data["type"] = ACTION_TYPES[type(action)]
    return data


ACTION_TYPES: dict[type, str] = {
    Say: "say", Ask: "ask", Transfer: "transfer", EndCall: "hangup", StaffRequest: "staffrequest",
    SendText: "sendtext",
}

# ---- channels: how the resident reaches the session ------------------------------------

VOICE = "voice"
"""a phone call: spoken prompts, keys pressed"""
SMS = "sms"
"""text messages: written prompts, keys typed as digits"""
CHAT = "chat"
"""the web chat page: written prompts, keys typed or chosen"""
CHANNELS = (VOICE, SMS, CHAT)


def written(channel: str) -> bool:
    """Whether the resident reads what is said (SMS, chat) rather than hears it."""
    return channel != VOICE


def action_from_json(data: dict[str, Any]) -> Action:
    """The inverse of :func:`action_to_json` (a KeyError or TypeError for data it did not write)."""
    fields = {k: v for k, v in data.items() if k != "type"}
    kind = data["type"]
    if kind == "say":
        return Say(**{**fields, "provenance": tuple(Source.from_json(s) for s in fields.get("provenance", ()))})
    if kind == "ask":
        return Ask.from_json(fields)
    if kind == "transfer":
        return Transfer(**fields)
    if kind == "hangup":
        return EndCall(**fields)
    if kind == "staffrequest":
        return StaffRequest(**fields)
    raise KeyError(f"unknown action type {kind!r}")


# ---- state ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PromptSaid:
    """A catalog prompt said in this turn, kept so that '*' can say it again."""

    key: str
    lang: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SwitchOffer:
    """The caller was offered to go on in another language (the `@switch` step)."""

    to: str
    node: str
    """where the call was: the question is asked again there"""
    utterance: str


@dataclass(frozen=True)
class Candidate:
    """One thing the caller's answer could have meant, offered with a key."""

    key: str
    text: str
    intent: str | None = None
    """for an intent: where it leads, and the slots its choice sets"""
    next: str | None = None
    slots: dict[str, Any] = field(default_factory=dict)
    value: dict[str, Any] = field(default_factory=dict)
    """for a slot: the value kept when this one is chosen"""


@dataclass(frozen=True)
class PickQuestion:
    """Which one did the caller mean (the `@pick` step)?"""

    kind: Literal["intent", "slot"]
    candidates: tuple[Candidate, ...]
    node: str
    """where the call was when the question was asked"""
    utterance: str | None = None
    slot: str | None = None
    next: str | None = None
    """for a slot: where the call goes once it is filled"""

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PickQuestion:
        candidates = tuple(Candidate(**c) for c in data.get("candidates", ()))
        return cls(**{**data, "candidates": candidates})


@dataclass(frozen=True)
class GivenAnswer:
    """The last factual answer of the call, as it would be written, with its sources: what
    a copy by text message sends."""

    text: str
    lang: str
    sources: tuple[dict[str, Any], ...] = ()

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> GivenAnswer:
        return cls(data["text"], data["lang"], tuple(data.get("sources", ())))


@dataclass(frozen=True)
class CopyOffer:
    """The caller asked for a copy of the answer by text message (the `@text_copy` step)."""

    node: str
    """where the call was: its question is asked again afterwards"""
    back: Ask | None = None
    """that question"""
    prompt: PromptSaid | None = None
    """and its sentence"""
    stage: Literal["consent", "number", "confirm"] = "consent"
    number: str | None = None
    """the number typed for this message, while it is confirmed (never kept afterwards)"""

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["back"] = self.back.to_json() if self.back else None
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CopyOffer:
        back = Ask.from_json(data["back"]) if data.get("back") else None
        prompt = PromptSaid(**data["prompt"]) if data.get("prompt") else None
        return cls(**{**data, "back": back, "prompt": prompt})


@dataclass
class SessionState:
    """Everything a call remembers between two events. Plain data, JSON round-trip."""

    call_id: str
    started_at: str  # ISO time
    caller: str | None = None
    lang: str | None = None
    node: str = "@language"  # a qualified flow node, or an engine step starting with '@'
    slots: dict[str, Any] = field(default_factory=dict)
    retries: int = 0  # no-match or no-input in a row at the current node
    no_inputs: int = 0  # silences in a row (lengthens the time-out)
    failures: int = 0  # not understood, whole call
    slow: bool = False
    last_said: list[PromptSaid] = field(default_factory=list)  # for '*' (repeat)
    last_ask: Ask | None = None
    provenance: list[dict[str, Any]] = field(default_factory=list)  # sources of the next answer
    switch_offer: SwitchOffer | None = None
    pick: PickQuestion | None = None
    not_understood: list[str] = field(default_factory=list)  # what was heard and not understood
    keypad_read: str | None = None  # the node whose keypad options were read to the caller
    utterance: str | None = None  # what the caller said before a slot was asked, to prefill it
    asked: list[str] = field(default_factory=list)  # intents the caller asked, in order
    outcome: str | None = None  # answered | transferred | callback | message | abandoned
    transfer_reason: str | None = None
    flow_version: str = ""
    emergency: str | None = None  # the kind of emergency the caller spoke of, once flagged
    emergency_return: dict[str, Any] | None = None  # where the call was: node, question, language
    emergency_noticed: str | None = None  # the kind a notice said the number for (none flagged yet)
    ended: bool = False
    channel: str = VOICE  # voice | sms | chat: how the resident reaches this session
    last_answer: GivenAnswer | None = None  # the last factual answer: its copy by SMS, its sources
    copy_offer: CopyOffer | None = None

    def to_json(self) -> str:
        data = _plain(self)
        data["last_ask"] = self.last_ask.to_json() if self.last_ask else None
        data["copy_offer"] = self.copy_offer.to_json() if self.copy_offer else None
        return json.dumps(data, ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> SessionState:
        data = json.loads(text)
        data["last_said"] = [PromptSaid(**p) for p in data.get("last_said", ())]
        data["last_ask"] = Ask.from_json(data["last_ask"]) if data.get("last_ask") else None
        data["switch_offer"] = SwitchOffer(**data["switch_offer"]) if data.get("switch_offer") else None
        data["pick"] = PickQuestion.from_json(data["pick"]) if data.get("pick") else None
        data["last_answer"] = GivenAnswer.from_json(data["last_answer"]) if data.get("last_answer") else None
        data["copy_offer"] = CopyOffer.from_json(data["copy_offer"]) if data.get("copy_offer") else None
        return cls(**data)


def _plain(value: Any) -> Any:
    """``value`` as ``asdict`` turns it into plain data, for ``json.dumps``, without the deep
    copy ``asdict`` makes of everything (json.dumps reads it once, and the state is written
    at every turn)."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, list | tuple):  # JSON writes both as arrays
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


@dataclass(frozen=True)
class Step:
    """What one event produced: the new state, the actions, and what was understood."""

    state: SessionState
    actions: list[Action]
    intent: str | None = None
    score: float | None = None
    node: str | None = None
