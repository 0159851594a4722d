"""One event's work on one call: what is said, what is asked, and running from node to node
until one waits for the caller or the call ends."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime
from typing import Any

from flows.dialog import text_copy
from flows.dialog.escalation import fail_to_person
from flows.dialog.kinds import reach
from flows.provenance import Source
from flows.runtime import Runtime
from flows.session import Action, Ask, GivenAnswer, Option, PromptSaid, Say, SessionState, Step
from flows.session import written as is_written
from translations.formatting import format_date_long, format_list

log = logging.getLogger(__name__)

BASE_TIMEOUT = 5.0  # seconds of silence before NoInput
TIMEOUT_STEP = 3.0  # added after each silence in a row
MAX_TIMEOUT = 14.0
MAX_NODES_PER_STEP = 60  # a flow that runs longer without waiting is a bug


class Turn:
    """The state of one call as one event changes it, and the actions it produces."""

    def __init__(self, runtime: Runtime, state: SessionState, now: datetime) -> None:
        self.rt = runtime
        self.state = state
        self.now = now
        self.actions: list[Action] = []
        self.said: list[PromptSaid] = []
        self.intent: str | None = None
        self.score: float | None = None
        self.input_node = state.node
        self.answered = False  # a factual answer was given in this turn

    @property
    def understanding(self) -> Any:
        """flows.understanding.Understanding (the runtime always builds one)."""
        return self.rt.understanding

    def result(self) -> Step:
        if self.said and not self.state.ended:
            self.state.last_said = self.said
        return Step(self.state, self.actions, self.intent, self.score, self.input_node)

    @property
    def lang(self) -> str:
        return self.state.lang or self.rt.main_language

    @property
    def written(self) -> bool:
        """The resident reads what is said (SMS, chat): prompts take their written wording."""
        return is_written(self.state.channel)

    def remember(self, intent: str, score: float | None) -> None:
        """The caller asked for this: kept for the KPIs and the person who may take the call."""
        self.intent, self.score = intent, score
        if intent not in self.state.asked:
            self.state.asked.append(intent)

    def apply_slots(self, slots: dict[str, Any]) -> None:
        """Keeps these slot values; a None forgets the slot."""
        for slot, value in slots.items():
            if value is None:
                self.state.slots.pop(slot, None)
            else:
                self.state.slots[slot] = value

    # ---- saying ----

    def values(self, extra: dict[str, Any] | None = None) -> dict[str, Any]:
        values = {"town": self.rt.town_name, **self.state.slots}
        values.update(extra or {})
        return values

    def text(self, key: str, lang: str | None = None, /, **extra: Any) -> str:
        return self.rt.catalogs.render(key, lang or self.lang, self.values(extra), written=self.written).text

    def say(self, key: str, lang: str | None = None, /, **extra: Any) -> None:
        self._say(key, lang, extra, answer=False)

    def say_again(self, prompt: PromptSaid) -> None:
        self.say(prompt.key, prompt.lang, **prompt.extra)

    def say_answer(self, key: str) -> None:
        """A `say` node: it may state the facts the last action found, with their sources."""
        self._say(key, None, {}, answer=True)
        if not self.state.provenance:
            return
        self.keep_answer(key)
        # In writing a source costs the reader one line: always there. Spoken, a town chooses.
        if self.written or getattr(self.rt.config, "spoken_provenance", False):
            self.say_sources(self.state.provenance)
        if text_copy.available(self):
            # An answer in two parts (where an object goes, then the recycling centre's
            # hours) is offered once, after its last part: the copy holds both.
            self.actions = [a for a in self.actions if not (isinstance(a, Say) and a.prompt == "copy.offer")]
            self.said = [p for p in self.said if p.key != "copy.offer"]
            self.say("copy.offer")

    def keep_answer(self, key: str) -> None:
        """A factual answer, as it would be written, with its sources: a copy by text message
        sends it, and "where does that come from?" reads its sources. The parts of an answer
        given in one turn are kept as one answer."""
        rendered = self.rt.catalogs.render(key, self.lang, self.values(), written=True)
        sources = tuple(dict(s) for s in self.state.provenance)
        before = self.state.last_answer
        if self.answered and before is not None and before.lang == rendered.language:
            kept = before.sources + tuple(s for s in sources if s not in before.sources)
            self.state.last_answer = GivenAnswer(f"{before.text} {rendered.text}", rendered.language, kept)
        else:
            self.state.last_answer = GivenAnswer(rendered.text, rendered.language, sources)
        self.answered = True

    def say_sources(self, provenance: list[dict[str, Any]], *, asked: bool = False) -> None:
        """"According to the town's sorting guide; last checked on 2 October" — once per data
        set. When the caller asked, once per data set and date checked (a fee verified apart
        from its permit), with the documents the records come from, and a source nobody
        verified is said too, as such."""
        sources = [Source.from_json(data) for data in provenance]
        documents: dict[tuple[str, ...], list[str]] = {}
        for source in sources:
            if source.document:
                documents.setdefault(self._said_as(source, asked), []).append(source.document)
        spoken: set[tuple[str, ...]] = set()
        for source in sources:
            said_as = self._said_as(source, asked)
            if said_as in spoken or source.dataset == "catalog" or (source.verified is None and not asked):
                continue
            spoken.add(said_as)
            label_key = f"source.{source.dataset}"
            label = self.text(label_key) if self.rt.catalogs[self.lang].has(label_key) else source.dataset
            if asked and documents.get(said_as):
                label = f"{label} ({format_list(list(dict.fromkeys(documents[said_as])), self.lang)})"
            if source.verified is None:
                self.say("common.source_unverified", dataset=label)
                continue
            verified = format_date_long(source.verified, self.lang)
            self.say("common.source", dataset=label, verified=verified)

    @staticmethod
    def _said_as(source: Source, asked: bool) -> tuple[str, ...]:
        return (source.dataset, str(source.verified)) if asked else (source.dataset,)

    def _say(self, key: str, lang: str | None, extra: dict[str, Any], answer: bool) -> None:
        rendered = self.rt.catalogs.render(key, lang or self.lang, self.values(extra), written=self.written)
        if not rendered.text:
            return
        sources: tuple[Source, ...] = ()
        if answer:
            sources = tuple(Source.from_json(s) for s in self.state.provenance)
        if rendered.fallback and rendered.fallback.startswith("machine_translation"):
            sources = (*sources, Source("catalog", key, machine_translated=True))
        action = Say(rendered.text, rendered.language, sources, self.state.slow, key, rendered.fallback)
        self.actions.append(action)
        self.said.append(PromptSaid(key, lang, extra))

    def say_language_choices(self) -> list[Option]:
        """"Pour le français, appuyez sur 1…", each in its own language; the options."""
        options = []
        for i, lang in enumerate(self.rt.languages, start=1):
            self.say("lang.choose", lang, key=str(i))
            options.append(Option(str(i), lang))
        return options

    # ---- asking ----

    def ask(self, ask: Ask) -> None:
        timeout = min(MAX_TIMEOUT, BASE_TIMEOUT + TIMEOUT_STEP * self.state.no_inputs)
        ask = replace(ask, timeout=timeout)
        self.state.last_ask = ask
        self.state.provenance = []
        self.state.utterance = None  # a sentence prefills only what it led to directly
        self.actions.append(ask)

    def reask(self) -> None:
        if self.state.last_ask is not None:
            self.ask(self.state.last_ask)

    # ---- running nodes ----

    def goto(self, ref: str | None) -> None:
        """Run nodes from `ref` until one waits for the caller or the call ends."""
        flow = self.state.node.split(".")[0]
        for _ in range(MAX_NODES_PER_STEP):
            if ref is None:
                return
            node_id = self.rt.flows.resolve(ref, flow)
            if node_id is None:
                log.error("call %s: flow reference %r leads nowhere", self.state.call_id, ref)
                ref = fail_to_person(self, "flow_error")
                flow = self.state.node.split(".")[0]
                continue
            if node_id != self.state.node:
                self.state.retries = 0
            self.state.node = node_id
            ref = reach(self, node_id, self.rt.flows.nodes[node_id])
            flow = node_id.split(".")[0]
        log.error("call %s: flow ran %d nodes without waiting", self.state.call_id, MAX_NODES_PER_STEP)
        self.goto(fail_to_person(self, "flow_error"))
