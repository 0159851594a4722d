"""Text messages out, through Twilio's REST API (the Messages resource of the 2010-04-01 API):
a copy of an answer a caller asked for, a staff member's reply to a resident who wrote in.

The twilio library's client does the request, pointed at ``[sms] api_base`` (tests point it
at the fake Twilio on 127.0.0.1). A copy asked for during a call is sent on a thread of its
own, so the caller never waits for Twilio; one that cannot be sent goes on the staff's
review list, without the number. A staff reply is sent while staff wait, so the console can
say at once whether it left.
"""

from __future__ import annotations

import logging
import queue
import threading
from dataclasses import dataclass
from typing import Any

from civicline.config import Config

log = logging.getLogger(__name__)
TIMEOUT_S = 10.0


class TextNotSent(Exception):
    """Twilio refused the message, or could not be reached."""


@dataclass(frozen=True)
class _Outgoing:
    to: str
    text: str
    call_id: str
    purpose: str


class TwilioTexts:
    """Sends SMS from the town's number (or Messaging Service) with the account's credentials."""

    def __init__(self, config: Config, recorder: Any = None) -> None:
        self.sender = config.sms_from
        self.api_base = config.sms_api_base.rstrip("/")
        self.config = config
        self.recorder = recorder
        self._queue: queue.Queue[_Outgoing] = queue.Queue()
        self._worker: threading.Thread | None = None
        self._lock = threading.Lock()

    @property
    def configured(self) -> str | None:
        """None when messages can be sent, else what is missing."""
        missing = [name for name in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN") if not self.config.secret(name)]
        if not self.sender:
            missing.insert(0, "[sms] from")
        return f"missing {', '.join(missing)}" if missing else None

    def deliver(self, to: str, text: str) -> str:
        """Sends now; the message's SID. Raises TextNotSent."""
        problem = self.configured
        if problem:
            raise TextNotSent(f"text messages are not set up ({problem})")
        from twilio.base.exceptions import TwilioException
        from twilio.http.http_client import TwilioHttpClient
        from twilio.rest import Client

        client = Client(
            self.config.secret("TWILIO_ACCOUNT_SID"),
            self.config.secret("TWILIO_AUTH_TOKEN"),
            http_client=TwilioHttpClient(timeout=TIMEOUT_S),
        )
        client.api.base_url = self.api_base
        sender = {"messaging_service_sid": self.sender} if self.sender.startswith("MG") else {"from_": self.sender}
        try:
            message = client.messages.create(to=to, body=text, **sender)
        except TwilioException as exc:
            raise TextNotSent(_why(exc)) from None
        except OSError as exc:  # connection refused, time-out
            raise TextNotSent(f"Twilio could not be reached: {exc}") from None
        return str(message.sid)

    def send(self, to: str, text: str, *, call_id: str, purpose: str) -> None:
        """Sends in the background (the call goes on); a failure is put on the review list."""
        self._queue.put(_Outgoing(to, text, call_id, purpose))
        with self._lock:
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(target=self._run, name="sms-out", daemon=True)
                self._worker.start()

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            try:
                sid = self.deliver(item.to, item.text)
                log.info("call %s: text message %s sent (%s)", item.call_id, sid, item.purpose)
            except Exception as exc:
                log.error("call %s: text message (%s) not sent: %s", item.call_id, item.purpose, exc)
                self._review(item, str(exc))
            finally:
                self._queue.task_done()

    def _review(self, item: _Outgoing, why: str) -> None:
        if self.recorder is None:
            return
        details = {"reason": "text message not sent", "context": {"purpose": item.purpose, "error": why}}
        try:
            self.recorder.staff_request(item.call_id, kind="review", details=details)
        except Exception:  # the records must not stop the sender
            log.exception("call %s: the unsent text message could not be put on the review list", item.call_id)

    def wait_sent(self, timeout: float = 10.0) -> bool:
        """Until every message handed over has been tried (tests, shutdown); False on time-out."""
        done = threading.Event()

        def join() -> None:
            self._queue.join()
            done.set()

        threading.Thread(target=join, daemon=True).start()
        return done.wait(timeout)


def _why(exc: Exception) -> str:
    """Twilio's own words (code and message), never the request (it holds the number)."""
    code = getattr(exc, "code", None)
    message = getattr(exc, "msg", None) or str(exc).splitlines()[0]
    return f"Twilio error {code}: {message}" if code else message
