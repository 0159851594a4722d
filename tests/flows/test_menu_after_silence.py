"""A menu that listens for a request: a sentence after a silence is understood like the first.

A silence counts as a retry but leaves no misheard sentence behind; the menu must not take
it for one (on Gedling's main menu, a menu node, it once ended the call with an error)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from civicline.config import load_config
from civicline.wiring import load_runtime
from flows.dialog import Engine
from flows.session import NoInput, Said

ROOT = Path(__file__).resolve().parents[2]


def test_a_request_after_a_silence_at_gedlings_main_menu():
    config = load_config(ROOT / "civicline.toml", env={"CIVICLINE_TOWN_PATH": str(ROOT / "towns" / "gedling")})
    engine = Engine(load_runtime(config))
    now = datetime(2026, 1, 20, 10, 0, tzinfo=ZoneInfo("Europe/London"))
    step = engine.start("c", now, language="en")
    step = engine.step(step.state, NoInput(), now)
    assert step.state.node == "main.menu" and step.state.retries == 1 and not step.state.not_understood
    step = engine.step(step.state, Said("when are the bins collected"), now)
    assert step.state.node != "main.menu", step.actions
