"""The call engine: ``step(state, event) -> (state, actions)``.

The accessibility rules live here, once, rather than in every flow: `0` reaches a person,
`*` repeats, `9` slows the voice down, and a caller who is not understood hears the
prompt again, then the keypad options, then the offer of a person, and is never left in
silence. Nodes that wait for the caller (menu, ask, confirm) end a step; the others run
straight through.
"""

from __future__ import annotations

import copy
import logging
from dataclasses import asdict, replace
from datetime import datetime
from typing import Any

from babel.dates import format_date

from flows import nodes
from flows.escalation import Escalation
from flows.loader import ENTRY
from flows.model import (
    AskNode,
    ConfirmNode,
    MenuNode,
)
from flows.provenance import Source
from flows.runtime import Runtime
from flows.session import (
    Ask,
    Event,
    HungUp,
    NoInput,
    Option,
    Pressed,
    Said,
    Say,
    SessionState,
    StaffRequest,
    Step,
)

log = logging.getLogger(__name__)

BASE_TIMEOUT = 5.0  # seconds of silence before NoInput
TIMEOUT_STEP = 3.0  # added after each silence in a row
MAX_TIMEOUT = 14.0
MAX_NODES_PER_STEP = 60  # a flow that runs longer without waiting is a bug
PERSON = "0"
REPEAT = "*"
SLOWER = "9"
APOLOGIES = ("common.not_understood", "common.no_input", "common.error")


class Engine:
    """Stateless: all call state is in SessionState, so one engine serves every call."""

    def __init__(self, runtime: Runtime):
        self.runtime = runtime

    def start(
        self,
        call_id: str,
        now: datetime,
        *,
        caller: str | None = None,
        language: str | None = None,
    ) -> Step:
        state = SessionState(
            call_id=call_id,
            started_at=now.isoformat(),
            caller=caller,
            flow_version=self.runtime.flows.version,
        )
        turn = _Turn(self.runtime, state, now)
        lang = language or self.runtime.fixed_language
        if lang is None and len(self.runtime.languages) == 1:
            lang = self.runtime.languages[0]
        if lang:
            state.lang = lang
            turn.goto(ENTRY)
        else:
            turn.ask_language()
        return turn.result()

    def transfer_failed(self, state: SessionState, now: datetime, status: str) -> Step:
        """The person did not answer (busy, no-answer, failed): the call goes on in the
        town's callback flow, as after office hours; without one, a callback request to
        the caller's number is stored and the caller told so."""
        state = copy.deepcopy(state)
        state.ended, state.outcome = False, None
        turn = _Turn(self.runtime, state, now)
        reason = "transfer_" + status.replace("-", "_")
        if "callback.start" in self.runtime.flows.nodes:
            state.slots["transfer_reason"] = reason
            turn.goto("callback.start")
        else:
            turn.say("common.error")
            turn.actions.append(StaffRequest("callback", {"number": state.caller, "reason": reason}))
            state.outcome = "callback"
            turn.hang_up("common.goodbye", reason)
        return turn.result()

    def step(self, state: SessionState, event: Event, now: datetime) -> Step:
        state = copy.deepcopy(state)
        turn = _Turn(self.runtime, state, now)
        if state.ended:
            return turn.result()
        try:
            turn.handle(event)
        except Exception:  # the caller must never be left in silence by our bug
            log.exception("call %s: engine failure at %s on %r", state.call_id, state.node, event)
            turn.actions.clear()
            turn.fail_to_person("engine_error")
        return turn.result()


class _Turn(Escalation):
    """One event's worth of work on one call."""

    def __init__(self, runtime: Runtime, state: SessionState, now: datetime):
        self.rt = runtime
        self.state = state
        self.now = now
        self.actions: list[Any] = []
        self.said: list[dict[str, Any]] = []
        self.intent: str | None = None
        self.score: float | None = None
        self.input_node = state.node

    # ---- results ----

    def result(self) -> Step:
        if self.said and not self.state.ended:
            self.state.last_said = self.said
        return Step(self.state, self.actions, self.intent, self.score, self.input_node)

    @property
    def lang(self) -> str:
        return self.state.lang or self.rt.main_language

    def values(self, extra: dict[str, Any] | None = None) -> dict[str, Any]:
        values = {"town": self.rt.town_name, **self.state.slots}
        values.update(extra or {})
        return values

    def text(self, key: str, lang: str | None = None, /, **extra: Any) -> str:
        return self.rt.catalogs.render(key, lang or self.lang, self.values(extra)).text

    def say(self, key: str, lang: str | None = None, /, **extra: Any) -> None:
        self._say(key, lang, extra, answer=False)

    def say_answer(self, key: str) -> None:
        """A `say` node: it may state the facts the last action found, with their sources."""
        self._say(key, None, {}, answer=True)
        if self.state.provenance and getattr(self.rt.config, "spoken_provenance", False):
            self.say_sources()

    def say_sources(self) -> None:
        """"According to the collection calendar, checked on 2 October" — once per answer."""
        spoken = set()
        for data in self.state.provenance:
            source = Source.from_json(data)
            if source.dataset in spoken or source.verified is None:
                continue
            spoken.add(source.dataset)
            label_key = f"source.{source.dataset}"
            label = self.text(label_key) if self.rt.catalogs[self.lang].has(label_key) else source.dataset
            verified = format_date(source.verified, "d MMMM y", locale=self.lang)
            self.say("common.source", dataset=label, verified=verified)

    def _say(self, key: str, lang: str | None, extra: dict[str, Any], answer: bool) -> None:
        rendered = self.rt.catalogs.render(key, lang or self.lang, self.values(extra))
        if not rendered.text:
            return
        sources: tuple[Source, ...] = ()
        if answer:
            sources = tuple(Source.from_json(s) for s in self.state.provenance)
        if rendered.fallback and rendered.fallback.startswith("machine_translation"):
            sources = (*sources, Source("catalog", key, machine_translated=True))
        action = Say(rendered.text, rendered.language, sources, self.state.slow, key, rendered.fallback)
        self.actions.append(action)
        self.said.append({"key": key, "lang": lang, "extra": extra})

    def ask(self, ask: Ask) -> None:
        timeout = min(MAX_TIMEOUT, BASE_TIMEOUT + TIMEOUT_STEP * self.state.no_inputs)
        ask = replace(ask, timeout=timeout)
        self.state.last_ask = {
            "expect": ask.expect,
            "node": ask.node,
            "options": [asdict(o) for o in ask.options],
            "slot": ask.slot,
            "slot_type": ask.slot_type,
            "max_digits": ask.max_digits,
        }
        self.state.provenance = []
        self.state.utterance = None  # a sentence prefills only what it led to directly
        self.actions.append(ask)

    def reask(self) -> None:
        data = dict(self.state.last_ask or {})
        if not data:
            return
        data["options"] = tuple(Option(**o) for o in data.get("options", []))
        self.ask(Ask(**data))

    # ---- events ----

    def handle(self, event: Event) -> None:
        state = self.state
        if isinstance(event, HungUp):
            state.ended = True
            state.outcome = state.outcome or "abandoned"
            return
        if isinstance(event, NoInput):
            node = self.rt.flows.nodes.get(state.node)
            if isinstance(node, AskNode) and "no_input" in node.on:
                self.goto(node.on["no_input"])  # an optional question: silence is an answer
                return
            state.no_inputs += 1
            self.not_understood("common.no_input")
            return
        state.no_inputs = 0
        if isinstance(event, Pressed):
            key = event.key.strip()
            if key.endswith("#") and len(key) > 1:
                key = key[:-1]
            if self.global_key(key):
                return
            self.on_input(key=key, text=None)
        elif isinstance(event, Said):
            text = (event.text or "").strip()
            if not text:
                state.no_inputs += 1
                self.not_understood("common.no_input")
                return
            if not state.node.startswith("@") and self.global_words(text):
                return
            self.on_input(key=None, text=text)

    def global_key(self, key: str) -> bool:
        if key == PERSON:
            self.intent = "human"
            self.to_person("caller_asked")
            return True
        if key == REPEAT:
            self.intent = "repeat"
            self.repeat()
            return True
        if key == SLOWER and self.state.node != "@language":
            self.intent = "slower"
            self.slower()
            return True
        return False

    def global_words(self, text: str) -> bool:
        if self.state.last_ask and self.state.last_ask.get("slot_type") == "text":
            return False  # free text is the caller's own words, whatever they are
        intent = self.rt.understanding.global_intent(text, self.lang)
        if intent is None:
            return False
        self.intent = intent
        if intent == "human":
            self.to_person("caller_asked")
        elif intent == "repeat":
            self.repeat()
        elif intent == "slower":
            self.slower()
        elif intent == "goodbye":
            self.hang_up("common.goodbye", "caller_goodbye")
        return True

    def repeat(self) -> None:
        # The apology of a failed turn is not worth hearing twice; the question is.
        said = [s for s in self.state.last_said if s["key"] not in APOLOGIES]
        if not said:
            self.say("common.repeat_nothing")
        for item in said:
            self.say(item["key"], item.get("lang"), **item.get("extra", {}))
        self.reask()

    def slower(self) -> None:
        self.state.slow = True
        self.say("common.slower")
        for said in self.state.last_said[-1:]:
            self.say(said["key"], said.get("lang"), **said.get("extra", {}))
        self.reask()

    def on_input(self, key: str | None, text: str | None) -> None:
        from flows import inputs

        node_id = self.state.node
        if node_id.startswith("@"):
            getattr(inputs, "on_" + node_id[1:])(self, None, key, text)
            return
        node = self.rt.flows.nodes[node_id]
        handler = {
            MenuNode: inputs.on_menu,
            AskNode: inputs.on_ask,
            ConfirmNode: inputs.on_confirm,
        }[type(node)]
        handler(self, node, key, text)

    # ---- running nodes ----

    def goto(self, ref: str, from_flow: str | None = None) -> None:
        """Run nodes from `ref` until one waits for the caller or the call ends."""
        flow = from_flow or self.state.node.split(".")[0]
        node_id = self.rt.flows.resolve(ref, flow)
        for _ in range(MAX_NODES_PER_STEP):
            if node_id is None:
                log.error("call %s: flow reference %r leads nowhere", self.state.call_id, ref)
                self.fail_to_person("flow_error")
                return
            if node_id != self.state.node:
                self.state.retries = 0
            self.state.node = node_id
            next_ref = nodes.run_node(self, node_id, self.rt.flows.nodes[node_id])
            if next_ref is None:
                return
            flow = node_id.split(".")[0]
            node_id = self.rt.flows.resolve(next_ref, flow)
            ref = next_ref
        log.error("call %s: flow ran %d nodes without waiting", self.state.call_id, MAX_NODES_PER_STEP)
        self.fail_to_person("flow_error")

    # ---- language choice ----

    def ask_language(self, reask_only: bool = False) -> None:
        self.state.node = "@language"
        options = []
        for i, lang in enumerate(self.rt.languages, start=1):
            self.say("lang.choose", lang, key=str(i))
            options.append(Option(str(i), lang))
        if not reask_only:
            self.ask(Ask("language", "@language", tuple(options)))

