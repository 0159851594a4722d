"""A real ``redis-server`` (Debian's, scripts/install-system-deps.sh) for the tests: on
127.0.0.1 and a free port, in a temporary directory, with nothing written to disk, stopped
at the end. No mock stands in for it.

``redis_server`` is a session fixture (one server for the run); ``redis_url`` gives each
test the server emptied, so that no test sees another's calls.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from support.served import free_port


class RedisServer:
    def __init__(self, workdir: Path) -> None:
        self.workdir = Path(workdir)
        self.port = 0
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = self.workdir / "redis.log"

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 20.0) -> RedisServer:
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        if not Path(binary).exists():
            raise RuntimeError("redis-server is missing: run `make system-deps` (scripts/install-system-deps.sh)")
        for _ in range(5):  # another process may take the free port between the look and the bind
            self.port = free_port()
            command = [binary, "--bind", "127.0.0.1", "--port", str(self.port), "--dir", str(self.workdir),
                       "--save", "", "--appendonly", "no", "--daemonize", "no", "--protected-mode", "yes",
                       "--logfile", str(self.log)]
            self.proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if self._ready(timeout):
                return self
        raise RuntimeError(f"redis-server did not start: {self.log.read_text() if self.log.exists() else ''}")

    def _ready(self, timeout: float) -> bool:
        assert self.proc is not None
        client = redis.Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=0.5)
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                with contextlib.suppress(redis.ConnectionError):
                    if client.ping():
                        return True
                try:  # the pause between two tries doubles as the check that it still runs
                    self.proc.wait(timeout=0.05)
                except subprocess.TimeoutExpired:
                    continue
                return False  # exited: the port was taken, try another
        finally:
            client.close()
        self.stop()
        return False

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
            self.proc = None


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    with tempfile.TemporaryDirectory(prefix="civicline-redis-") as workdir:
        server = RedisServer(Path(workdir)).start()
        try:
            yield server
        finally:
            server.stop()


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    """The session's server, emptied for this test."""
    client = redis.Redis.from_url(redis_server.url)
    try:
        client.flushall()
    finally:
        client.close()
    return redis_server.url
