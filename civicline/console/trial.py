"""Trial calls from the browser ("try a call"): the same Call as the phone line, recorded
in the call records and marked as trials, with the actions kept for the page.

The calls live in this process's memory (a trial is one person's, a few minutes long); a
console served by several worker processes needs sticky sessions for this page.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import gettext as _

from civicline.calls import Call, Recorder
from flows.dialog import Engine
from flows.session import Ask, EndCall, Say, StaffRequest, Step, Transfer, action_to_json

MAX_TRIALS = 50
IDLE_S = 30 * 60


@dataclass
class Trial:
    id: str
    owner: str
    call: Call
    log: list[dict[str, Any]] = field(default_factory=list)
    says: list[Say] = field(default_factory=list)  # for the audio of each reply
    last_used: float = field(default_factory=time.monotonic)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def ended(self) -> bool:
        return self.call.ended

    @property
    def language(self) -> str | None:
        return self.call.state.lang if self.call.state else None

    def record(self, who: str, step: Step | None = None, text: str | None = None,
               how: str | None = None) -> list[dict[str, Any]]:
        """Adds what the caller did (``how``, in the staff's language; ``text``, what they said,
        in the call's) and what the assistant answered; returns the new entries."""
        new: list[dict[str, Any]] = []
        if text is not None or how is not None:
            new.append({"who": "caller", "text": text, "how": how or "", "lang": self.language})
        if step is not None:
            if step.intent or step.node:
                new.append({"who": "engine", "intent": step.intent, "score": step.score, "node": step.node})
            for action in step.actions:
                entry = action_to_json(action)
                entry["who"] = "assistant" if isinstance(action, Say) else "action"
                if isinstance(action, Say):
                    self.says.append(action)
                    entry["audio"] = len(self.says) - 1
                entry["summary"] = describe(action)
                entry["title"] = title_of(action)
                if isinstance(action, Ask) and action.options:  # labels in the call's language
                    entry["choices"] = ", ".join(f"{o.key} {o.label}" for o in action.options)
                    entry["choices_lang"] = self.language
                new.append(entry)
        self.log.extend(new)
        return new


def title_of(action: Any) -> str:
    """What kind of action, in the staff's language (made during a request)."""
    titles = {"Ask": _("Waits"), "Transfer": _("Transfer"), "EndCall": _("Hang-up"),
              "StaffRequest": _("For staff"), "SendText": _("Text message")}
    name = type(action).__name__
    return titles.get(name, name)


def describe(action: Any) -> str:
    """One line a person reads (or a screen reader says) for an action, in the staff's
    language; what the caller hears stays in the call's."""
    if isinstance(action, Say):
        return action.text
    if isinstance(action, Ask):
        if action.options:
            return _("Waits for a choice:")
        what = str(action.slot_type or action.expect)
        return (_("Waits for %(what)s (%(slot)s)", what=what, slot=action.slot) if action.slot
                else _("Waits for %(what)s", what=what))
    if isinstance(action, Transfer):
        from civicline.console.staff_words import reason_parts, whisper_text

        reason = "; ".join(p.text for p in reason_parts(action.reason)) or action.reason
        return _("Transfers to %(line)s (%(number)s), reason %(reason)s. Whisper: %(summary)s",
                 line=action.human_line, number=action.number, reason=reason,
                 summary=whisper_text(action.summary) or action.summary)
    if isinstance(action, EndCall):
        return _("Hangs up (%(reason)s)", reason=action.reason)
    if isinstance(action, StaffRequest):
        return _("Asks staff for: %(kind)s", kind=action.kind)
    return type(action).__name__


class TrialCalls:
    def __init__(self) -> None:
        self._trials: dict[str, Trial] = {}
        self._lock = threading.Lock()

    def start(self, owner: str, engine: Engine, clock: Callable[[], datetime], recorder: Recorder | None,
              language: str | None, on_start: Callable[[str], None] | None = None,
              town: str | None = None) -> tuple[Trial, Step]:
        """``town``: the key of the town tried (its record's town); None: the recorder's."""
        self._sweep()
        with self._lock:
            mine = [t for t in self._trials.values() if t.owner == owner]
            for old in mine[:-4]:  # a person keeps their last few trials at most
                self._trials.pop(old.id, None)
            if len(self._trials) >= MAX_TRIALS:
                raise OverflowError("too many trial calls at once")
        call_id = "trial-" + uuid.uuid4().hex
        if on_start:
            on_start(call_id)  # mark it a trial before its first record is written
        call = Call(engine, clock, call_id=call_id, caller=None, language=language, recorder=recorder, town=town)
        trial = Trial(call_id, owner, call)
        step = call.start()
        trial.record("assistant", step)
        with self._lock:
            self._trials[trial.id] = trial
        return trial, step

    def get(self, trial_id: str, owner: str) -> Trial | None:
        with self._lock:
            trial = self._trials.get(trial_id)
        if trial is None or trial.owner != owner:
            return None
        trial.last_used = time.monotonic()
        return trial

    def _sweep(self) -> None:
        now = time.monotonic()
        with self._lock:
            for tid in [t.id for t in self._trials.values() if now - t.last_used > IDLE_S]:
                self._trials.pop(tid, None)
