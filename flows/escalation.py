"""Where a call goes when things do not work: the failure ladder and the way to a person.

A mixin of the engine's per-event turn (flows/engine.py), kept apart so that the rules a
caller relies on when stuck — prompt again, keypad options, a person, never silence — can be
read in one place.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from babel import Locale, UnknownLocaleError

from flows.session import Hangup, Say, StaffRequest, Transfer

log = logging.getLogger(__name__)

MAX_RETRIES = 3  # after the third failure in a row the caller goes to a person


class Escalation:
    """Methods of flows.engine._Turn (which provides state, rt, now, actions, say, goto)."""

    # ---- failure ladder ----

    def not_understood(self, apology: str = "common.not_understood", text: str | None = None) -> None:
        state = self.state
        state.retries += 1
        state.failures += 1
        if text:
            state.pending.setdefault("not_understood", []).append(text)
        if state.retries > MAX_RETRIES:
            self.say(apology)
            self.fail_to_person("not_understood")
            return
        self.say(apology)
        if state.retries == MAX_RETRIES:
            self.actions.append(
                StaffRequest(
                    "review",
                    {
                        "reason": "not understood 3 times",
                        "context": {
                            "node": state.node,
                            "heard": state.pending.get("not_understood", [])[-MAX_RETRIES:],
                        },
                    },
                )
            )
            self.say("common.offer_person")
            self.reask()
            return
        if state.retries == 1:
            for said in state.last_said[-1:]:
                self.say(said["key"], said.get("lang"), **said.get("extra", {}))
        else:
            self.keypad_hint()
        self.reask()

    def keypad_hint(self) -> None:
        ask = self.state.last_ask or {}
        if ask.get("expect") in ("choice", "pick") or (ask.get("expect") == "slot" and ask.get("options")):
            self.state.pending["keypad_read"] = self.state.node
            options = [
                self.text("common.option", label=o["label"], key=o["key"]) for o in ask.get("options", [])
            ]
            self.say("common.options", options=", ".join(options))
            self.say("common.always")
        elif ask.get("expect") == "yes_no":
            self.say("common.yes_no_hint")
        elif ask.get("expect") == "language":
            self.ask_language(reask_only=True)
        else:
            for said in self.state.last_said[-1:]:
                self.say(said["key"], said.get("lang"), **said.get("extra", {}))
            self.say("common.always")

    # ---- people and endings ----

    def human_line(self, name: str) -> Any:
        town = self.rt.town
        if town is None or not hasattr(town, "human_line"):
            return None
        try:
            return town.human_line(name)
        except KeyError:
            return None

    def to_person(self, reason: str) -> None:
        """The caller asked for a person: transfer, or after hours the callback flow."""
        if reason == "caller_asked":
            self.actions.append(StaffRequest("review", {"reason": "asked for a person", "context": self.context()}))
        line = self.human_line("main")
        if line is not None and not _is_open(line, self.now) and "callback.start" in self.rt.flows.nodes:
            self.state.slots["transfer_reason"] = reason
            self.goto("callback.start")
            return
        self.say("common.transferring")
        self.transfer(reason, "main")

    def fail_to_person(self, reason: str) -> None:
        if not any(isinstance(a, Say) for a in self.actions):
            self.say("common.error")
        self.to_person(reason)

    def transfer(self, reason: str, line_name: str) -> None:
        line = self.human_line(line_name)
        number = getattr(line, "number", "") or getattr(self.rt.config, "human_number", "") or ""
        context = self.context()
        self.state.ended = True
        self.state.outcome = "transferred"
        self.state.transfer_reason = reason
        self.actions.append(Transfer(number, line_name, reason, self.summary(context), context))

    def hang_up(self, prompt: str | None, reason: str) -> None:
        if prompt:
            self.say(prompt)
        self.state.ended = True
        self.state.outcome = self.state.outcome or "answered"
        self.actions.append(Hangup(reason))

    def context(self) -> dict[str, Any]:
        slots = {k: (v.get("text") if isinstance(v, dict) else v) for k, v in self.state.slots.items()}
        return {
            "language": self.state.lang,
            "asked": list(self.state.asked),
            "node": self.state.node,
            "slots": slots,
            "not_understood": list(self.state.pending.get("not_understood", []))[-3:],
        }

    def summary(self, context: dict[str, Any]) -> str:
        """A short whisper for the person taking the call, in the town's main language."""
        main = self.rt.main_language
        lang = context.get("language") or main
        try:
            lang_name = Locale.parse(lang).get_display_name(main) or lang
        except (ValueError, UnknownLocaleError):
            lang_name = lang
        details = "; ".join(f"{k}: {v}" for k, v in context["slots"].items() if v)
        return self.rt.catalogs.render(
            "common.summary",
            main,
            {"language": lang_name, "asked": ", ".join(context["asked"]) or "-", "details": details or "-"},
        ).text


def _is_open(line: Any, now: datetime) -> bool:
    try:
        return bool(line.is_open(now))
    except Exception:
        log.exception("cannot tell whether human line is open; assuming it is")
        return True
