"""An Open311 GeoReport v2 client (JSON), as the published specification describes it:

- ``GET services.json[?jurisdiction_id=]``: the service list (service discovery), each with
  ``service_code``, ``service_name``, ``metadata`` (true: it has attributes, read with
  ``GET services/<code>.json``) and ``type`` (realtime, batch, blackbox);
- ``POST requests.json``, form-encoded: ``api_key``, ``jurisdiction_id``, ``service_code``, a
  location (``lat``/``long``, ``address_string`` or ``address_id``), ``description``,
  ``phone``, ``attribute[code]``…; the answer is a list with one item holding
  ``service_request_id`` (or a ``token`` to exchange later with ``GET tokens/<token>.json``)
  and maybe ``service_notice``;
- errors: an HTTP status with ``[{"code": 400, "description": "..."}]``.

Every answer is hostile until checked. Only the standard library: one request at a time,
with a timeout (a caller is waiting on the line).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any

MAX_BODY = 1 << 20
DESCRIPTION_LIMIT = 4000  # the specification's limit for description


class Open311Error(RuntimeError):
    """retryable: the endpoint was down or overloaded (send again later); otherwise it
    refused the request (a person must look at it)."""

    def __init__(self, message: str, *, status: int | None = None, retryable: bool = True) -> None:
        super().__init__(message)
        self.status = status
        self.retryable = retryable


@dataclass(frozen=True)
class Service:
    code: str
    name: str
    metadata: bool = False
    type: str = "realtime"
    required: tuple[str, ...] = ()  # attribute codes the service definition requires


@dataclass(frozen=True)
class Created:
    service_request_id: str | None
    token: str | None = None
    notice: str | None = None


@dataclass
class Open311Client:
    endpoint: str
    jurisdiction_id: str = ""
    api_key: str | None = None
    timeout_s: float = 4.0
    _services: dict[str, Service] | None = field(default=None, repr=False)

    def _url(self, path: str, query: dict[str, str] | None = None) -> str:
        base = self.endpoint if self.endpoint.endswith("/") else self.endpoint + "/"
        params = {k: v for k, v in (query or {}).items() if v}
        return base + path + ("?" + urllib.parse.urlencode(params) if params else "")

    def _call(self, url: str, data: bytes | None = None) -> Any:
        request = urllib.request.Request(url, data=data, method="POST" if data is not None else "GET")
        request.add_header("Accept", "application/json")
        if data is not None:
            request.add_header("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:  # noqa: S310 (http(s) checked at load)
                body = response.read(MAX_BODY + 1)
        except urllib.error.HTTPError as exc:
            raise _http_error(exc) from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise Open311Error(f"the endpoint cannot be reached: {exc}") from None
        if len(body) > MAX_BODY:
            raise Open311Error("the endpoint's answer is too large", retryable=False)
        try:
            return json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise Open311Error("the endpoint did not answer in JSON") from None

    def services(self, refresh: bool = False) -> dict[str, Service]:
        """Service discovery: the city's services by code (kept after the first call)."""
        if self._services is not None and not refresh:
            return self._services
        data = self._call(self._url("services.json", {"jurisdiction_id": self.jurisdiction_id}))
        if not isinstance(data, list):
            raise Open311Error("services.json is not a list")
        found = {}
        for item in data:
            if isinstance(item, dict) and item.get("service_code") is not None:
                code = str(item["service_code"])
                metadata = item.get("metadata") in (True, "true")
                required = self._required(code) if metadata else ()
                found[code] = Service(code, str(item.get("service_name") or code), metadata,
                                      str(item.get("type") or "realtime"), required)
        self._services = found
        return found

    def _required(self, code: str) -> tuple[str, ...]:
        data = self._call(self._url(f"services/{urllib.parse.quote(code, safe='')}.json",
                                    {"jurisdiction_id": self.jurisdiction_id}))
        attributes = data.get("attributes") if isinstance(data, dict) else None
        return tuple(
            str(a["code"]) for a in attributes or ()
            if isinstance(a, dict) and a.get("code") and a.get("variable") in (True, "true")
            and a.get("required") in (True, "true")
        )

    def create(self, service_code: str, *, address: str, description: str, phone: str) -> Created:
        """POST requests.json; the city's id (or token) for the new request."""
        service = self.services().get(service_code)
        if service is None:
            raise Open311Error(f"the city's system has no service '{service_code}' (services.json)", retryable=False)
        if service.required:
            raise Open311Error(f"service '{service_code}' requires attributes we do not ask for: "
                               f"{', '.join(service.required)}", retryable=False)
        form = {
            "api_key": self.api_key or "",
            "jurisdiction_id": self.jurisdiction_id,
            "service_code": service_code,
            "address_string": address,
            "description": description[:DESCRIPTION_LIMIT],
            "phone": phone,
        }
        body = urllib.parse.urlencode({k: v for k, v in form.items() if v}).encode("utf-8")
        data = self._call(self._url("requests.json"), body)
        item = data[0] if isinstance(data, list) and data and isinstance(data[0], dict) else None
        if item is None:
            raise Open311Error("requests.json answered no request")
        request_id = item.get("service_request_id")
        token = item.get("token")
        if request_id in (None, "") and token in (None, "") and service.type != "blackbox":
            raise Open311Error("requests.json answered neither service_request_id nor token")
        notice = item.get("service_notice")
        return Created(_id(request_id), _id(token), str(notice)[:500] if notice else None)


def _id(value: Any) -> str | None:
    if value is None or value == "":
        return None
    text = str(value).strip()
    return text[:64] if text.isprintable() else None


def _http_error(exc: urllib.error.HTTPError) -> Open311Error:
    detail = ""
    try:
        data = json.loads(exc.read(MAX_BODY).decode("utf-8"))
        if isinstance(data, list) and data and isinstance(data[0], dict):
            detail = str(data[0].get("description") or "")[:300]
    except (ValueError, UnicodeDecodeError, OSError):
        pass
    # 5xx and 429: the city's system is down or busy; 4xx: it refused this request.
    retryable = exc.code >= 500 or exc.code == 429
    return Open311Error(f"HTTP {exc.code}{': ' + detail if detail else ''}", status=exc.code, retryable=retryable)
