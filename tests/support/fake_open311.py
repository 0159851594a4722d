"""A fake Open311 GeoReport v2 endpoint on 127.0.0.1, following the published specification:
GET services.json (service discovery), GET services/<code>.json (definitions), POST
requests.json (form-encoded, api_key required), GET tokens/<token>.json; errors as an HTTP
status with [{"code": …, "description": …}]. ``down`` makes it answer 503, ``stop()`` closes
the port (a connection refused)."""

from __future__ import annotations

import json
import threading
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

SERVICES = [
    {"service_code": "waste-missed", "service_name": "Missed collection", "description": "A bin was not emptied",
     "metadata": False, "type": "realtime", "keywords": "bin, missed", "group": "sanitation"},
    {"service_code": "waste-bulky", "service_name": "Bulky item pickup", "description": "Furniture, appliances",
     "metadata": False, "type": "realtime", "keywords": "bulky", "group": "sanitation"},
    {"service_code": "graffiti", "service_name": "Graffiti", "metadata": True, "type": "batch", "group": "street"},
]
DEFINITIONS = {
    "graffiti": {"service_code": "graffiti", "attributes": [
        {"variable": True, "code": "SURFACE", "datatype": "singlevaluelist", "required": True, "order": 1,
         "description": "Which surface?", "values": [{"key": "wall", "name": "Wall"}]}]},
}


@dataclass
class FakeOpen311:
    api_key: str = "test-key"
    jurisdiction_id: str = "port-lumiere.example"
    down: bool = False
    received: list[dict[str, Any]] = field(default_factory=list)
    next_id: int = 638344

    def start(self) -> FakeOpen311:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _send(self, status: int, body: Any) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _error(self, status: int, description: str) -> None:
                self._send(status, [{"code": status, "description": description}])

            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                if fake.down:
                    return self._error(503, "the CRM is down")
                url = urllib.parse.urlparse(self.path)
                query = urllib.parse.parse_qs(url.query)
                if query.get("jurisdiction_id", [fake.jurisdiction_id])[0] != fake.jurisdiction_id:
                    return self._error(404, "jurisdiction_id not found")
                if url.path == "/v2/services.json":
                    return self._send(200, SERVICES)
                if url.path.startswith("/v2/services/") and url.path.endswith(".json"):
                    code = url.path[len("/v2/services/"):-len(".json")]
                    if code in DEFINITIONS:
                        return self._send(200, DEFINITIONS[code])
                    return self._error(404, f"service_code {code} not found")
                return self._error(404, "not found")

            def do_POST(self) -> None:  # noqa: N802
                if fake.down:
                    return self._error(503, "the CRM is down")
                if self.path != "/v2/requests.json":
                    return self._error(404, "not found")
                if not self.headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded"):
                    return self._error(400, "form-encoded body expected")
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[0] for k, v in urllib.parse.parse_qs(self.rfile.read(length).decode()).items()}
                if form.get("api_key") != fake.api_key:
                    return self._error(403, "invalid api_key")
                if form.get("jurisdiction_id", fake.jurisdiction_id) != fake.jurisdiction_id:
                    return self._error(404, "jurisdiction_id not found")
                codes = {s["service_code"] for s in SERVICES}
                if not form.get("service_code"):
                    return self._error(400, "service_code was not provided")
                if form["service_code"] not in codes:
                    return self._error(404, "service_code not found")
                if not (form.get("lat") and form.get("long")) and not form.get("address_string") \
                        and not form.get("address_id"):
                    return self._error(400, "a location (lat & long, address_string or address_id) is required")
                fake.received.append(form)
                request_id, fake.next_id = fake.next_id, fake.next_id + 1
                return self._send(200, [{"service_request_id": request_id,
                                         "service_notice": "A crew will pass within 48 hours", "account_id": None}])

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v2/"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
