"""Several towns on one service: the called number picks the town.

``[towns]`` in civicline.toml maps each called number (E.164, Twilio's ``To``) to a town
folder. Each town gets its own :class:`~civicline.wiring.RuntimeHolder` (data, flows,
languages, sentences, human lines), loaded at start: a town whose flows have problems stops
the start, named. Without ``[towns]`` the one town of ``[town] path`` answers every number.

A town is known by its key, the name of its folder ("port-lumiere"): calls in progress and
call records keep that key, so a folder may move without losing its history.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from pathlib import Path

from civicline.config import Config, ConfigError
from civicline.wiring import RuntimeHolder
from flows.runtime import Runtime
from staff_files.problems import FlowError, Problem

log = logging.getLogger(__name__)


def town_key(path: Path) -> str:
    """The key a town is known by in calls and records: its folder's name."""
    return Path(path).resolve().name


@dataclass
class Towns:
    """The towns this service answers, by key, and which number reaches which."""

    holders: dict[str, RuntimeHolder]
    default: str
    """The town of text messages, the chat page and the console, and of calls in progress
    saved before they kept their town; the only one without ``[towns]``."""
    numbers: dict[str, str] = field(default_factory=dict)
    """Called number -> town key; empty: every number reaches the default town."""

    @property
    def several(self) -> bool:
        return bool(self.numbers)

    def for_number(self, called: str | None) -> str | None:
        """The key of the town a called number reaches, or None: no town answers it."""
        if not self.numbers:
            return self.default
        return self.numbers.get((called or "").strip())

    def holder(self, key: str | None) -> RuntimeHolder:
        """The town's runtimes; the default town's for a key this service no longer has."""
        found = self.holders.get(key or self.default)
        if found is None:
            log.error("town %r is not served here any more; using %s", key, self.default)
            return self.holders[self.default]
        return found


def load_towns(config: Config, runtime: Runtime | None = None) -> Towns:
    """Every town of the configuration, each checked and loaded (raises FlowError naming
    the town whose flows cannot be served, ConfigError for two towns with one key).
    ``runtime``: the single town's, already loaded (tests)."""
    if not config.towns:
        key = town_key(config.town_path)
        return Towns({key: RuntimeHolder(config, runtime)}, key)
    holders: dict[str, RuntimeHolder] = {}
    numbers: dict[str, str] = {}
    for number, path in config.towns.items():
        if not (path / "town.yaml").is_file():
            raise ConfigError(f"{config.source} [towns] {number!r}: {path} is not a town folder (no town.yaml there)")
        key = town_key(path)
        known = holders.get(key)
        if known is not None:
            if known.config.town_path.resolve() != path.resolve():
                raise ConfigError(
                    f"{config.source} [towns]: {known.config.town_path} and {path} have one name, {key!r}: "
                    "a town is known by its folder's name in calls and records; rename one"
                )
        else:
            try:
                holders[key] = RuntimeHolder(replace(config, town_path=path, towns={}))
            except FlowError as exc:
                raise FlowError(
                    [Problem(str(path), None, f"town {key!r} (called on {number}) cannot be served:"), *exc.problems]
                ) from None
        numbers[number] = key
    default = next(iter(holders))
    log.info("towns served: %s", ", ".join(f"{n} -> {k}" for n, k in numbers.items()))
    return Towns(holders, default, numbers)
