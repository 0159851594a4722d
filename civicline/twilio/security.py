"""Who may talk to the phone line: Twilio's signature on every webhook, one-time passes for
the media websocket, and the public URL the signature was computed over.

Behind a reverse proxy Flask sees ``http://127.0.0.1:8080/...`` while Twilio signed
``https://city.example/...``: the URL is ``[server] public_url``, or without it the
request's own scheme and Host, replaced by ``X-Forwarded-Proto``/``X-Forwarded-Host`` only
when the request comes from a proxy named in ``[server] trusted_proxies`` (anyone else could
make us check a signature made for another host on the same Twilio account, and send
Twilio's next requests there). A host that is not a plain host name or address is refused.
"""

from __future__ import annotations

import functools
import logging
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Request, abort, current_app, request
from twilio.request_validator import RequestValidator

from civicline.config import Config
from civicline.proxies import from_trusted_proxy

log = logging.getLogger(__name__)
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HOST = re.compile(rf"(?:{_LABEL}(?:\.{_LABEL})*\.?|\[[0-9A-Fa-f:.]{{2,45}}\])(?::[0-9]{{1,5}})?")


def _first(value: str | None) -> str:
    return (value or "").split(",")[0].strip()


def public_base(req: Request, config: Config) -> str | None:
    """The public root of the app as Twilio knows it (scheme, host, path prefix), for the
    signature and for the URLs we give Twilio (action, Play, Stream); None when the request
    names a host or scheme that cannot be one."""
    if config.public_url:
        return config.public_url.rstrip("/")
    proto, host = req.scheme, req.host
    if from_trusted_proxy(req, config.trusted_proxies):
        proto = _first(req.headers.get("X-Forwarded-Proto")) or proto
        host = _first(req.headers.get("X-Forwarded-Host")) or host
    if proto not in ("http", "https") or not _HOST.fullmatch(host):
        return None
    return f"{proto}://{host}{req.script_root}"


def public_url(req: Request, config: Config) -> str | None:
    """The URL Twilio requested, as Twilio wrote it (scheme, host, path and query)."""
    base = public_base(req, config)
    if base is None:
        return None
    query = req.query_string.decode("latin-1")
    return base + req.path + (f"?{query}" if query else "")


def signature_ok(req: Request, config: Config) -> bool:
    token = config.secret("TWILIO_AUTH_TOKEN")
    if not token:
        # Refuse rather than run an open line: anyone could otherwise drive calls.
        log.error("TWILIO_AUTH_TOKEN is not set: every Twilio webhook is refused")
        return False
    signature = req.headers.get("X-Twilio-Signature", "")
    url = public_url(req, config)
    if not signature or url is None:
        return False
    params = req.form.to_dict(flat=True) if req.method == "POST" else {}
    try:
        return bool(RequestValidator(token).validate(url, params, signature))
    except ValueError:  # a URL the validator cannot parse is not one Twilio signed
        return False


def signed(view: Callable[..., Any]) -> Callable[..., Any]:
    """403 unless the request carries Twilio's valid signature."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        config = current_app.extensions["civicline"].config
        if not signature_ok(request, config):
            log.warning("refused %s %s: bad or missing Twilio signature", request.method, request.path[:200])
            abort(403)
        return view(*args, **kwargs)

    return wrapper


@dataclass(frozen=True)
class Pass:
    call_sid: str
    expires: float


class StreamPasses:
    """One-time, short-lived passes for the media websocket, issued by a signed /twilio/voice.

    Kept in this worker's memory: with several workers, passes live in Redis instead
    (:mod:`civicline.twilio.redis_passes`, docs/deployment.md).
    """

    def __init__(self, ttl_s: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl_s, self.clock = ttl_s, clock
        self._passes: dict[str, Pass] = {}
        self._lock = threading.Lock()

    def issue(self, call_sid: str) -> str:
        token = secrets.token_urlsafe(24)
        now = self.clock()
        with self._lock:
            for key in [k for k, p in self._passes.items() if p.expires < now]:
                del self._passes[key]
            self._passes[token] = Pass(call_sid, now + self.ttl_s)
        return token

    def redeem(self, token: str | None, call_sid: str) -> bool:
        """True once for a live pass issued for this call; the pass is gone afterwards."""
        if not token:
            return False
        with self._lock:
            found = self._passes.pop(token, None)
        if found is None or found.expires < self.clock():
            return False
        return secrets.compare_digest(found.call_sid, call_sid)
