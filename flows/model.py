"""The flow file schema: what staff may write, checked by pydantic at load time.

Every model forbids unknown fields so that a typo ("promt:") is reported, not ignored.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

SLOT_TYPES = ("address", "date", "number", "phone", "waste_kind", "permit_kind", "sorting_item", "text")
KIND_TYPES = ("waste_kind", "permit_kind")  # a closed list of kinds, named in the catalogs
# Keys the engine keeps for itself everywhere: 0 a person, * repeat, 9 slower, # ends input.
RESERVED_KEYS = ("0", "*", "9", "#")
NODE_ID_PATTERN = r"^[a-z][a-z0-9_]*$"
SLOT_PATTERN = r"^[a-z][a-z0-9_]*$"
SlotName = Annotated[str, Field(pattern=SLOT_PATTERN)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Choice(_Strict):
    key: str = Field(description="the keypad key that picks this choice")
    intent: str | None = Field(None, description="what the caller may say to pick it")
    label: str | None = Field(None, description="prompt key of a short name for the choice")
    set: dict[SlotName, str] = Field(
        default_factory=dict, description="slots this choice fills ({waste_kind: green})"
    )
    next: str

    @field_validator("key", mode="before")
    @classmethod
    def _key_as_text(cls, value: object) -> object:
        # Staff write `key: 1`; YAML makes that a number.
        return str(value) if isinstance(value, int) else value

    @field_validator("set", mode="before")
    @classmethod
    def _values_as_text(cls, value: object) -> object:
        # `set: {surface: 20}`: YAML makes that a number; slot values are kept as text.
        if isinstance(value, dict):
            return {k: str(v) if isinstance(v, int | float) and not isinstance(v, bool) else v
                    for k, v in value.items()}
        return value


class SayNode(_Strict):
    kind: Literal["say"]
    prompt: str
    next: str


class Shortcut(_Strict):
    """A voice-only way to a deeper node ("where do I take glass?" from the main menu).
    The validator checks the same node is also reachable by keypad choices."""

    intent: str
    next: str
    label: str | None = Field(
        None, description="prompt key of its spoken name, when no menu choice has the intent"
    )


class MenuNode(_Strict):
    kind: Literal["menu"]
    prompt: str
    choices: list[Choice] = Field(min_length=1)
    shortcuts: list[Shortcut] = Field(default_factory=list)


class AskNode(_Strict):
    kind: Literal["ask"]
    slot: str = Field(pattern=SLOT_PATTERN)
    type: Literal["address", "date", "number", "phone", "waste_kind", "permit_kind", "sorting_item", "text"]
    prompt: str
    next: str
    on: dict[str, str] = Field(default_factory=dict)
    always: bool = False
    # A free-text question whose answer is short (the objects to pick up), not a message: a
    # request for a person, to repeat or where an answer comes from is heard there as such.
    requests_heard: bool = False


class ConfirmNode(_Strict):
    kind: Literal["confirm"]
    prompt: str
    yes: str
    no: str


class ActionNode(_Strict):
    kind: Literal["action"]
    handler: str
    next: str
    on: dict[str, str] = Field(default_factory=dict)


class TransferNode(_Strict):
    kind: Literal["transfer"]
    to: str = "main"
    prompt: str | None = None
    reason: str = "flow"
    after_hours: str = "callback.start"


class HangupNode(_Strict):
    kind: Literal["hangup"]
    prompt: str | None = None


Node = Annotated[
    SayNode | MenuNode | AskNode | ConfirmNode | ActionNode | TransferNode | HangupNode,
    Field(discriminator="kind"),
]
NODE_KINDS = ("say", "menu", "ask", "confirm", "action", "transfer", "hangup")
# Nodes that wait for the caller: a loop through one of them is not an endless loop.
INPUT_KINDS = ("menu", "ask", "confirm")
TERMINAL_KINDS = ("transfer", "hangup")


class FlowFile(_Strict):
    flow: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    description: str = ""
    start: str
    nodes: dict[Annotated[str, Field(pattern=NODE_ID_PATTERN)], Node] = Field(min_length=1)


def node_targets(node: BaseModel) -> list[tuple[str, str]]:
    """(field, reference) for every place a node can go next."""
    targets: list[tuple[str, str]] = []
    for field in ("next", "yes", "no"):
        ref = getattr(node, field, None)
        if ref:
            targets.append((field, ref))
    for outcome, ref in (getattr(node, "on", None) or {}).items():
        targets.append((f"on.{outcome}", ref))
    for i, choice in enumerate(getattr(node, "choices", None) or []):
        targets.append((f"choices.{i}.next", choice.next))
    for i, shortcut in enumerate(getattr(node, "shortcuts", None) or []):
        targets.append((f"shortcuts.{i}.next", shortcut.next))
    if isinstance(node, TransferNode):
        targets.append(("after_hours", node.after_hours))
    return targets


def asked_slots(nodes: Mapping[str, BaseModel]) -> dict[str, str]:
    """slot -> type, for every slot an `ask` node of the flows keeps."""
    return {node.slot: node.type for node in nodes.values() if isinstance(node, AskNode)}


def menu_slots(node: MenuNode) -> set[str]:
    """The slots any choice of a menu sets: taking one choice clears what the others set."""
    return {slot for choice in node.choices for slot in choice.set}


def node_prompts(node: BaseModel) -> list[tuple[str, str]]:
    """(field, prompt key) for every prompt a node says."""
    prompts: list[tuple[str, str]] = []
    prompt = getattr(node, "prompt", None)
    if prompt:
        prompts.append(("prompt", prompt))
    for i, choice in enumerate(getattr(node, "choices", None) or []):
        if choice.label:
            prompts.append((f"choices.{i}.label", choice.label))
    for i, shortcut in enumerate(getattr(node, "shortcuts", None) or []):
        if shortcut.label:
            prompts.append((f"shortcuts.{i}.label", shortcut.label))
    return prompts
