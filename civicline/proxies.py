"""Who is really on the other end of a request when civicline runs behind a reverse proxy.

A forwarded header (X-Forwarded-For, X-Forwarded-Host, X-Forwarded-Proto) is believed only
when the request comes from a proxy the configuration names (``[server] trusted_proxies``):
anyone else can write those headers, to pose as another client (and lock staff out of the
console, or dodge its rate limit) or to make us sign a URL on another host.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from flask import Request


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def is_trusted(address: str | None, trusted: Iterable[str]) -> bool:
    """Whether ``address`` is one of the trusted proxies (addresses or networks)."""
    ip = _address(address or "")
    if ip is None:
        return False
    for entry in trusted:
        try:
            if ip in ipaddress.ip_network(entry.strip(), strict=False):
                return True
        except ValueError:
            continue
    return False


def from_trusted_proxy(req: Request, trusted: Iterable[str]) -> bool:
    return is_trusted(req.remote_addr, list(trusted))


def client_address(req: Request, trusted: Iterable[str]) -> str:
    """The client's address: the connection's, or behind trusted proxies the nearest address
    in X-Forwarded-For that is not one of them."""
    trusted = list(trusted)
    address = req.remote_addr or ""
    if not is_trusted(address, trusted):
        return address
    hops = [h.strip() for h in req.headers.get("X-Forwarded-For", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if _address(hop) is None:
            return address  # a mangled header: the proxy's own address, not a guess
        if not is_trusted(hop, trusted):
            return hop
    return address
