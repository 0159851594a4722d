"""'Flows changed, reload': a flow staff saved in the console, on whichever worker, is loaded
by every worker, through Redis publish/subscribe.

The worker that saved reloads at once (the console tells staff whether the new flow is
live) and then publishes the new version with the town's key; every other worker hears it
on a thread of its own and loads that town's files again, keeping its old runtime if they
do not load. A worker that lost Redis for a while reloads every town once when it is back,
since notices sent meanwhile are not kept by Redis. The town's folder must be the same for every worker (one
machine, or a shared folder) for the reload to find the saved file.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import uuid
from collections.abc import Callable
from typing import Any

from redis.exceptions import RedisError

log = logging.getLogger(__name__)
CHANNEL = "civicline:flows-changed"


class FlowNotices:
    """Publishes this worker's reloads and carries out the other workers'. ``holders``: each
    town's RuntimeHolder by its key (civicline.towns), or the one town's holder."""

    def __init__(self, client: Any, holders: Any, channel: str = CHANNEL) -> None:
        self.holders: dict[str, Any] = dict(holders) if isinstance(holders, dict) else {"": holders}
        self.client, self.channel = client, channel
        self.sender = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.heard = 0  # reloads carried out for other workers
        self.listening = threading.Event()  # subscribed now
        self.lost = threading.Event()  # Redis went away, and we are not back yet
        self._changed = threading.Condition()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def publish(self, version: str, town: str = "") -> None:
        """Tell the other workers; a failure is logged (they keep the flow they have)."""
        try:
            self.client.publish(self.channel, json.dumps({"sender": self.sender, "version": version, "town": town}))
        except RedisError as exc:
            log.error("the other workers were not told of flows %s of town %r (Redis: %s): restart them",
                      version, town, exc)

    def announcer(self, town: str) -> Callable[[str], None]:
        """What a town's RuntimeHolder calls after a reload of its own."""
        return lambda version: self.publish(version, town)

    def start(self) -> FlowNotices:
        self._thread = threading.Thread(target=self._listen, name="flow-notices", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def wait_heard(self, count: int, timeout: float) -> bool:
        """Whether this worker has carried out ``count`` reloads for others within ``timeout``."""
        with self._changed:
            return self._changed.wait_for(lambda: self.heard >= count, timeout)

    def _listen(self) -> None:
        backoff = 0.5
        first = True
        while not self._stop.is_set():
            pubsub = self.client.pubsub(ignore_subscribe_messages=True)
            try:
                pubsub.subscribe(self.channel)
                if not first:  # notices sent while we were away are lost: catch up once
                    for town in self.holders:
                        self._reload(town, "Redis is back")
                first, backoff = False, 0.5
                self.lost.clear()
                self.listening.set()
                while not self._stop.is_set():
                    message = pubsub.get_message(timeout=1.0)
                    if message is not None:
                        self._heard(message.get("data"))
            except RedisError as exc:
                self.listening.clear()
                self.lost.set()
                log.error("flow notices: Redis unreachable (%s); trying again in %.1f s", exc, backoff)
                self._stop.wait(backoff)  # a pause between tries, ended early by stop()
                backoff = min(backoff * 2, 30.0)
                first = False
            finally:
                pubsub.close()

    def _heard(self, data: Any) -> None:
        try:
            notice = json.loads(data)
            sender, version = str(notice["sender"]), str(notice["version"])
            # A notice without a town comes from a worker serving one town: the first here.
            town = str(notice.get("town") or next(iter(self.holders)))
        except (TypeError, ValueError, KeyError, AttributeError):
            log.warning("flow notices: not a notice: %r", str(data)[:200])
            return
        holder = self.holders.get(town)
        if holder is None:
            if len(self.holders) == 1 and "" in self.holders:  # one town, whatever its key elsewhere
                town, holder = "", self.holders[""]
            else:
                log.warning("flow notices: town %r is not served by this worker", town[:100])
                return
        if sender == self.sender or version == holder.get().flows.version:
            return
        self._reload(town, f"flows {version} saved by worker {sender}")

    def _reload(self, town: str, why: str) -> None:
        holder = self.holders[town]
        try:
            problems = holder.reload(announce=False)
        except Exception:  # the thread must keep listening whatever a reload does
            log.exception("flow notices: reload of town %r after %s failed", town, why)
            return
        if problems:
            log.error("flow notices: after %s the flows of town %r do not load here (%d problems); keeping %s",
                      why, town, len(problems), holder.get().flows.version)
            return
        with self._changed:
            self.heard += 1
            self._changed.notify_all()
        log.info("flow notices: %s; town %r now on flows %s", why, town, holder.get().flows.version)
