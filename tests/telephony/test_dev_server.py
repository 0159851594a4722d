"""The tests' server (civicline.dev_server) ends a websocket's connection when the handler
returns, as gunicorn does, whatever the client has sent back by then."""

from __future__ import annotations

import select
import threading

import pytest
from flask import Flask
from flask_sock import Sock
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect
from werkzeug.serving import make_server

from civicline.dev_server import WebsocketHandshakeHandler


class _NeverStarted(threading.Thread):
    """simple_websocket's reader thread, kept from running: it loses every race for the
    socket, so the client's Close reply is still unread when the handler returns."""

    def start(self) -> None:
        pass


def test_a_websocket_the_server_closes_ends_with_the_clients_reply_unread():
    app = Flask(__name__)
    app.config["SOCK_SERVER_OPTIONS"] = {"thread_class": _NeverStarted}
    replied = threading.Event()

    @Sock(app).route("/ws")
    def refuse(ws) -> None:
        ws.close(reason=1008, message="refused")
        readable, _, _ = select.select([ws.sock], [], [], 10)
        if readable:  # the client's Close reply waits on the socket
            replied.set()

    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=WebsocketHandshakeHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with connect(f"ws://127.0.0.1:{server.server_port}/ws", open_timeout=5, close_timeout=2) as ws:
            with pytest.raises(ConnectionClosed):
                ws.recv(timeout=10)  # werkzeug's own handler keeps the connection open: times out
            assert replied.is_set()
            assert ws.close_code == 1008
    finally:
        server.shutdown()
