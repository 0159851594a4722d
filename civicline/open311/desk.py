"""The desk: every request to the city's systems is written to the records first, then filed
to the town's Open311 endpoint while the caller waits; if the endpoint is down it stays
``pending`` and is sent again later (backing off), and if the town has no endpoint, or the
endpoint refuses it, it goes on the staff's list (``for_staff``). Never raises into a call.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from civicline.open311.client import Open311Client, Open311Error
from flows.city_requests import CityRequest, Filed
from records.database import iso

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8  # then a person looks at it (about a day of backing off from 5 minutes)


class OpenDesk:
    def __init__(self, store: Any, client: Open311Client | None, services: dict[str, str], *,
                 retry_s: float = 300.0, clock: Callable[[], datetime] | None = None,
                 towns: tuple[str, ...] | None = None) -> None:
        """``towns``: where one records store serves several towns, the keys of this desk's
        town as its calls record it; its retries send only their requests, to its endpoint."""
        self.store = store
        self.towns = towns
        self.client = client
        self.services = dict(services)
        self.retry_s = retry_s
        self.clock = clock or (lambda: datetime.now(UTC))
        self._lock = threading.Lock()  # one sender at a time: a request is never sent twice at once

    def file(self, request: CityRequest) -> Filed:
        code = self.services.get(request.service)
        for_staff = self.client is None or not code
        row: dict[str, Any] = {
            "id": "", "call_id": request.call_id, "created_at": iso(self.clock()),
            "language": request.language, "service": request.service, "service_code": code,
            "address": request.address, "description": request.description, "phone": request.phone,
            "status": "for_staff" if for_staff else "pending",
            "last_error": "the town has no Open311 endpoint" if self.client is None else
                          (None if code else f"town.yaml open311 services names no code for {request.service}"),
        }
        # Written first, so that nothing is lost. The reference is short enough to be read
        # to the caller; one already taken is drawn again.
        for _ in range(5):
            row["id"] = uuid.uuid4().hex[:8].upper()
            self.store.add_city_request(row)
            stored = self.store.city_request(row["id"])
            if stored is not None and stored["call_id"] == request.call_id and stored["created_at"] == row["created_at"]:
                break
        if for_staff:
            return Filed("for_staff", str(row["id"]))
        return self._send(row)

    def _send(self, row: dict[str, Any]) -> Filed:
        assert self.client is not None
        with self._lock:
            fresh = self.store.city_request(row["id"])
            if fresh is None or fresh["status"] != "pending":
                if fresh is not None and fresh["status"] == "filed":
                    return Filed("filed", str(row["id"]), fresh.get("service_request_id"))
                return Filed("for_staff", str(row["id"]))
            try:
                created = self.client.create(row["service_code"], address=row["address"] or "",
                                             description=row["description"] or "", phone=row["phone"] or "")
            except Open311Error as exc:
                attempts = int(fresh.get("attempts") or 0) + 1
                give_up = not exc.retryable or attempts >= MAX_ATTEMPTS
                wait = timedelta(seconds=self.retry_s * 2 ** (attempts - 1))
                log.warning("city request %s not filed (attempt %d): %s", row["id"], attempts, exc)
                self.store.city_request_attempted(row["id"], error=str(exc), next_attempt_at=self.clock() + wait,
                                                  give_up=give_up)
                return Filed("for_staff" if give_up else "pending", row["id"])
            self.store.city_request_filed(row["id"], service_request_id=created.service_request_id,
                                          token=created.token, notice=created.notice,
                                          service_code=row["service_code"], at=self.clock())
            return Filed("filed", row["id"], created.service_request_id, created.notice)

    def retry_due(self) -> list[Filed]:
        """Sends the pending requests whose time has come (the server's retry thread, or
        ``civicline requests retry`` from cron)."""
        if self.client is None:
            return []
        return [self._send(row) for row in self.store.due_city_requests(self.clock(), towns=self.towns)]

    def start_retrying(self, every_s: float = 60.0) -> threading.Event:
        """A daemon thread that retries due requests; set the returned event to stop it."""
        stop = threading.Event()

        def loop() -> None:
            while not stop.wait(every_s):
                try:
                    self.retry_due()
                except Exception:  # the records may be failing too; try again next round
                    log.exception("retrying city requests failed")

        threading.Thread(target=loop, name="open311-retry", daemon=True).start()
        return stop


def desk_for(config: Any, town: Any, store: Any, towns: tuple[str, ...] | None = None) -> OpenDesk:
    """The desk the town's settings ask for: an endpoint from the configuration, else
    town.yaml; the API key from the environment only."""
    settings = getattr(town, "open311", None) or {}
    endpoint = getattr(config, "open311_endpoint", "") or settings.get("endpoint") or ""
    client = None
    if endpoint:
        client = Open311Client(endpoint, settings.get("jurisdiction_id", ""), config.secret("CIVICLINE_OPEN311_API_KEY"),
                               timeout_s=getattr(config, "open311_timeout_s", 4.0))
    return OpenDesk(store, client, settings.get("services") or {}, retry_s=getattr(config, "open311_retry_s", 300.0),
                    towns=towns)
