"""Scenario files: scripted calls that city staff write to test their flows.

    name: waste day by address, French caller
    now: 2026-12-01T10:15:00+01:00
    town: towns/port-lumiere   # optional: the town the call is made to (default: the configured one)
    language: fr
    turns:
      - say: "Quel jour passe le camion poubelle ?"
        expect: {intent: waste.collection_day}
      - press: "0"
        expect: {action: transfer}

Checks are case- and accent-insensitive, on what the assistant says in that turn.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from civicline.calls import Call, Recorder
from flows.dialog import Engine
from flows.session import (
    Ask,
    EndCall,
    NoInput,
    Pressed,
    Said,
    Say,
    SendText,
    StaffRequest,
    Step,
    Transfer,
)
from nlu.text import fold
from staff_files.problems import FlowError, Problem
from staff_files.yaml_lines import load_yaml_file


class Expect(BaseModel):
    model_config = ConfigDict(extra="forbid")
    intent: str | None = None
    says: list[str] = Field(default_factory=list)
    not_says: list[str] = Field(default_factory=list)
    action: Literal["transfer", "hangup", "ask", "callback", "message", "review", "text"] | None = None
    node: str | None = None
    language: str | None = None
    sources: list[str] = Field(default_factory=list)  # data sets the answer must cite
    texts: list[str] = Field(default_factory=list)  # words the text message (SMS) sent must hold

    @field_validator("says", "not_says", "sources", "texts", mode="before")
    @classmethod
    def _listify(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value


class Turn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    say: str | None = None
    press: str | None = None
    silence: bool = False
    hangup: bool = False
    expect: Expect = Field(default_factory=Expect)

    @field_validator("press", mode="before")
    @classmethod
    def _key_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) else value

    @model_validator(mode="after")
    def _one_input(self) -> Turn:
        given = [self.say is not None, self.press is not None, self.silence, self.hangup]
        if sum(given) != 1:
            raise ValueError("each turn needs exactly one of say, press, silence or hangup")
        return self


class Scenario(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    now: datetime
    town: str | None = None  # a town folder, relative to the configuration file's folder
    language: str | None = None
    caller: str | None = None
    start: Expect = Field(default_factory=Expect)  # what the greeting must say
    turns: list[Turn] = Field(min_length=1)


@dataclass
class ScenarioResult:
    file: str
    name: str
    failures: list[str] = field(default_factory=list)
    transcript: list[dict[str, Any]] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures


def load_scenario(path: Path) -> Scenario:
    data, problems = load_yaml_file(path)
    if problems:
        raise FlowError(problems)
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        from flows.loader import _line_for_loc

        raise FlowError([
            Problem(str(path), _line_for_loc(data, e["loc"]), f"{'.'.join(map(str, e['loc']))}: {e['msg']}")
            for e in exc.errors()
        ]) from None


def scenario_files(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml")))
        elif path.exists():
            files.append(path)
        else:
            raise FlowError(Problem(str(path), None, "no such scenario file or folder"))
    return files


def _check(expect: Expect, step: Step, said: str) -> list[str]:
    failures = []
    heard = fold(said)
    if expect.intent and step.intent != expect.intent:
        failures.append(f"expected intent {expect.intent}, understood {step.intent or 'nothing'}")
    for words in expect.says:
        if fold(words) not in heard:
            failures.append(f"expected the assistant to say {words!r}; it said: {said!r}")
    for words in expect.not_says:
        if fold(words) in heard:
            failures.append(f"the assistant said {words!r}, which it must not; it said: {said!r}")
    if expect.action:
        kinds = {
            "transfer": any(isinstance(a, Transfer) for a in step.actions),
            "hangup": any(isinstance(a, EndCall) for a in step.actions),
            "ask": any(isinstance(a, Ask) for a in step.actions),
            "text": any(isinstance(a, SendText) for a in step.actions),
        }
        for kind in ("callback", "message", "review"):
            kinds[kind] = any(isinstance(a, StaffRequest) and a.kind == kind for a in step.actions)
        if not kinds[expect.action]:
            done = [type(a).__name__.lower() for a in step.actions]
            failures.append(f"expected action {expect.action}; the assistant did: {', '.join(done) or 'nothing'}")
    if expect.node and step.state.node != expect.node:
        failures.append(f"expected to be at node {expect.node}, at {step.state.node}")
    if expect.language and step.state.lang != expect.language:
        failures.append(f"expected language {expect.language}, the call is in {step.state.lang}")
    sent = fold(" ".join(a.text for a in step.actions if isinstance(a, SendText)))
    for words in expect.texts:
        if fold(words) not in sent:
            failures.append(f"expected the text message to hold {words!r}; it was: {sent or 'not sent'!r}")
    cited = {s.dataset for a in step.actions if isinstance(a, Say) for s in a.provenance}
    for dataset in expect.sources:
        if dataset not in cited:
            failures.append(f"expected an answer citing {dataset!r}; cited: {sorted(cited) or 'nothing'}")
    return failures


def run_scenario(engine: Engine, scenario: Scenario, file: str = "", recorder: Recorder | None = None,
                 call_id: str | None = None) -> ScenarioResult:
    result = ScenarioResult(file, scenario.name)
    now = scenario.now
    if now.tzinfo is None:
        tz = getattr(engine.runtime.town, "timezone", None) or ZoneInfo("UTC")
        now = now.replace(tzinfo=tz)
    call = Call(engine, lambda: now, caller=scenario.caller, language=scenario.language,
                recorder=recorder, call_id=call_id, texts=_Unsent())
    step = call.start()
    said = _said(step)
    result.transcript.append({"turn": 0, "assistant": said})
    result.failures += [f"start: {f}" for f in _check(scenario.start, step, said)]
    for i, turn in enumerate(scenario.turns, start=1):
        if call.ended:
            result.failures.append(f"turn {i}: the call had already ended")
            break
        if turn.say is not None:
            event: Any = Said(turn.say)
        elif turn.press is not None:
            event = Pressed(turn.press)
        elif turn.silence:
            event = NoInput()
        else:
            from flows.session import CallerHungUp

            event = CallerHungUp()
        step = call.send(event)
        said = _said(step)
        result.transcript.append({"turn": i, "caller": turn.say or turn.press or ("(silence)" if turn.silence else "(hang-up)"),
                                  "assistant": said, "intent": step.intent, "node": step.state.node})
        result.failures += [f"turn {i}: {f}" for f in _check(turn.expect, step, said)]
    return result


class TownEngines:
    """The engine each scenario calls: its own town's (`town:`), the configured one by
    default; one engine per town, loaded once."""

    def __init__(self, config: Any) -> None:
        self.config = config
        self._engines: dict[Path, Engine] = {}

    def __call__(self, scenario: Scenario) -> Engine:
        from civicline.wiring import load_runtime

        town = Path(self.config.town_path)
        if scenario.town:
            source = Path(self.config.source)
            base = source.resolve().parent if source.is_file() else Path.cwd()
            town = (base / scenario.town).resolve()
        if town not in self._engines:
            self._engines[town] = Engine(load_runtime(dataclasses.replace(self.config, town_path=town)))
        return self._engines[town]


class _Unsent:
    """A scripted call sends no text message: the scenario checks the one asked for (`texts`)."""

    def send(self, to: str, text: str, *, call_id: str, purpose: str) -> None:
        return None


def _said(step: Step) -> str:
    return " ".join(a.text for a in step.actions if isinstance(a, Say))
