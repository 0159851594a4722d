"""The dialog engine: ``Engine.step(state, event) -> Step``.

- ``engine.py``: an event in, the rules every call follows (0, *, 9, goodbye), the answer
  handed to the node waiting for it;
- ``turn.py``: one event's work on one call (``Turn``): saying, asking, running from node
  to node;
- one module per kind of node, with what it does when reached and when answered:
  ``say.py``, ``menu.py``, ``ask.py``, ``confirm.py``, ``action.py``, ``transfer.py``,
  ``hangup.py``, and the engine's own steps ``language.py`` (``@language``), ``switch.py``
  (``@switch``), ``pick.py`` (``@pick``); ``kinds.py`` maps each to its functions;
- ``escalation.py``: the failure ladder and the ways to a person.

Every function that moves a call returns the reference of the node to run next, or None
when the turn stops there (the call waits for the caller, or has ended).
"""

from flows.dialog.engine import Engine

__all__ = ["Engine"]
