"""The call session's vocabulary: events in, actions out, and the state between them.

Every transport (terminal, scenario files, browser, TwiML, Media Streams) turns what the
caller does into these events and carries out these actions. The state is plain data and
round-trips through JSON, so a session can live outside the process between two turns.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

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
class HungUp:
    """The caller hung up."""


Event = Said | Pressed | NoInput | HungUp

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


@dataclass(frozen=True)
class Ask:
    """The assistant waits for the caller. `expect` says what is expected:
    "choice" (options with keys), "slot" (slot and slot_type), "yes_no", "language" (each
    option's label is a language code: the caller may answer in any of them)."""

    expect: str
    node: str
    options: tuple[Option, ...] = ()
    slot: str | None = None
    slot_type: str | None = None
    timeout: float = 5.0
    max_digits: int | None = None  # for keypad entry of numbers ended by '#'


@dataclass(frozen=True)
class Transfer:
    number: str
    line: str
    reason: str
    summary: str
    context: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Hangup:
    reason: str = "done"


@dataclass(frozen=True)
class StaffRequest:
    """Something staff must see: kind is "callback", "message" or "review"."""

    kind: str
    details: dict[str, Any] = field(default_factory=dict)


Action = Say | Ask | Transfer | Hangup | StaffRequest


def action_to_json(action: Action) -> dict[str, Any]:
    data = asdict(action)
    if isinstance(action, Say):
        data["provenance"] = [s.to_json() for s in action.provenance]
    data["type"] = type(action).__name__.lower()
    return data


# ---- state ----------------------------------------------------------------------------


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
    last_said: list[dict[str, Any]] = field(default_factory=list)  # for '*' (repeat)
    last_ask: dict[str, Any] | None = None
    provenance: list[dict[str, Any]] = field(default_factory=list)  # sources of the next answer
    pending: dict[str, Any] = field(default_factory=dict)  # engine step data (@pick, @switch)
    utterance: str | None = None  # what the caller said before a slot was asked, to prefill it
    asked: list[str] = field(default_factory=list)  # intents the caller asked, in order
    outcome: str | None = None  # answered | transferred | callback | message | abandoned
    transfer_reason: str | None = None
    flow_version: str = ""
    ended: bool = False

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> SessionState:
        return cls(**json.loads(text))


@dataclass(frozen=True)
class Step:
    """What one event produced: the new state, the actions, and what was understood."""

    state: SessionState
    actions: list[Action]
    intent: str | None = None
    score: float | None = None
    node: str | None = None
