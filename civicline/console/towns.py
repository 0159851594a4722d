"""Which towns a console account sees, and the console seen from one town at a time.

On a service answering several towns (``[towns]``), every page shows one town: its calls,
KPIs, review list and requests, and its flows, data and sentences in the editors. The
town is the link's ``?town=KEY`` (every console link carries it), else the one the account
last opened; a town the account does not see is refused (403), so a copied URL shows
nothing of another town. An account sees the towns granted to it (``civicline users
towns``); an administrator with none granted sees every town, so that the first
administrator can hand them out. With one town, every account sees it.
"""

from __future__ import annotations

from typing import Any

from civicline.console.accounts import User
from civicline.towns import Towns


def visible_towns(user: User, towns: Towns) -> list[str]:
    """The keys of the towns ``user`` sees, in the order of ``[towns]``."""
    served = list(towns.holders)
    if not towns.several:
        return served
    granted = [key for key in served if key in user.towns]
    if granted or user.role != "admin":
        return granted
    return served


def record_keys(towns: Towns, key: str) -> tuple[str, ...]:
    """The ``calls.town`` values of a town's records: calls recorded before the service had
    towns ('') were the default town's."""
    return (key, "") if key == towns.default else (key,)


def versions_prefix(towns: Towns, key: str) -> str:
    """Saved file versions of the default town keep their names (and the history from
    before towns); another town's are kept under its key."""
    return "" if key == towns.default else f"{key}:"


class TownScope:
    """The app's :class:`~civicline.app.Civicline` seen from one town: its runtimes, its
    configuration (``town_path`` is its folder) and its engine; the rest is the app's."""

    def __init__(self, ext: Any, key: str) -> None:
        self._ext, self.key = ext, key

    @property
    def runtimes(self) -> Any:
        return self._ext.town_runtimes(self.key)

    @property
    def runtime(self) -> Any:
        return self.runtimes.get()

    @property
    def config(self) -> Any:
        return self.runtimes.config

    def engine(self, flow_version: str | None = None, town: str | None = None) -> Any:
        return self._ext.engine(flow_version, town or self.key)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._ext, name)
