"""werkzeug's threaded development server (``civicline serve``, and the tests' stand-in for
gunicorn), without the one thing it does that a websocket cannot live with.

After each response werkzeug reads what is left on the connection, so that a client whose
request body was refused still sees the response: while the socket turns readable within
10 ms, it reads, and each read returns only with 10 MB or at the end of the stream. After a
websocket handshake, what is left is not a request body but websocket frames. When the
server closes a websocket, the client's Close reply comes straight back; if it is there when
werkzeug looks (simple_websocket's reader thread, which outlives the handler, did not take
it first: a busy process loses that race), werkzeug waits for the client to close the
connection while the client waits for the server to close it first, as RFC 6455 (7.1.1) has
it; the socket stays open until the client gives up, without ever learning the close code.
gunicorn half-closes the connection before it lingers, for a bounded time
(``gunicorn.util.close_graceful``), so there the client always sees the end.

werkzeug still writes the handler's empty HTTP response after the websocket's last frame, as
before; a client ignores what follows a Close frame.
"""

from __future__ import annotations

import io
from email.message import Message

from werkzeug.serving import WSGIRequestHandler


class WebsocketHandshakeHandler(WSGIRequestHandler):
    """werkzeug's request handler, except that a websocket handshake's request body reads as
    empty, to the application and to werkzeug after the response: the bytes that follow a
    handshake on the connection are the websocket's, and werkzeug closes the connection as
    soon as the handler returns."""

    _http_rfile: io.BufferedIOBase | None = None

    def run_wsgi(self) -> None:
        if is_websocket_handshake(self.headers):
            # Nothing of the websocket is buffered in rfile yet: the client sends no frame
            # before it has the server's handshake (RFC 6455, 4.1), which the application sends.
            self._http_rfile, self.rfile = self.rfile, io.BytesIO()
        super().run_wsgi()

    def finish(self) -> None:
        super().finish()
        if self._http_rfile is not None:
            self._http_rfile.close()  # the socket is only closed once its files are


def is_websocket_handshake(headers: Message) -> bool:
    """The request werkzeug's routing takes for a websocket (``Map.bind_to_environ``)."""
    connection = {token.strip(" \t") for token in headers.get("Connection", "").lower().split(",")}
    return "upgrade" in connection and headers.get("Upgrade", "").lower() == "websocket"
