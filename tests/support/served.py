"""civicline in a process of its own, served by gunicorn as docs/deployment.md says (one
worker, a fixed number of threads), for the tests and benchmarks that need what only such a
server shows: a bounded pool of threads, a process that can be killed (``kill -9``) and
started again on the same files, and its file descriptors, memory and threads.

The app inside is :func:`support.served_app.create`: the test flows (or the demo town), a
fixed clock, and everything else from ``CIVICLINE_*`` variables set here.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from support.fake_twilio import ACCOUNT, FakeTwilio

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "served-auth-token-" + "x" * 14


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Served:
    """One gunicorn master and its worker on 127.0.0.1, on files under ``workdir`` that
    outlive it (records, calls in progress, audio cache)."""

    def __init__(self, workdir: Path, *, threads: int = 8, mode: str = "streams", town: str = "test",
                 now: str = "2026-12-01T10:15:00+01:00", audio_dir: Path | None = None, env: dict[str, str] | None = None,
                 app: str = "support.served_app:create()", path: tuple[Path, ...] = (), workers: int = 1) -> None:
        """``workers``: gunicorn's ``--workers``; with more than one, each request's worker is
        in ``access.log`` (its pid first, as ``<pid>``: :meth:`served_by`)."""
        self.workdir, self.threads, self.app, self.workers = Path(workdir), threads, app, workers
        self.access_log = self.workdir / "access.log"
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = self.workdir / "server.log"
        self.env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "tests"), *map(str, path)]),
            "TWILIO_AUTH_TOKEN": TOKEN,
            "TWILIO_ACCOUNT_SID": ACCOUNT,
            "CIVICLINE_DB_PATH": str(self.workdir / "records.sqlite3"),
            "CIVICLINE_IN_PROGRESS_PATH": str(self.workdir / "calls-in-progress.sqlite3"),
            "CIVICLINE_AUDIO_CACHE_DIR": str(audio_dir or self.workdir / "audio"),
            "CIVICLINE_TELEPHONY_MODE": mode,
            "CIVICLINE_RECORDING_HOSTS": "127.0.0.1",
            "CIVICLINE_TOWN_PATH": str(ROOT / "towns" / "port-lumiere"),
            "SERVED_TOWN": town,
            "SERVED_NOW": now,
            **(env or {}),
        }
        self.proc: subprocess.Popen[bytes] | None = None
        self.twilio = FakeTwilio(self.base, TOKEN)

    def start(self, timeout: float = 120.0) -> Served:
        self.workdir.mkdir(parents=True, exist_ok=True)
        command = [
            sys.executable, "-m", "gunicorn", "--workers", str(self.workers), "--threads", str(self.threads),
            "--timeout", "0", "--bind", f"127.0.0.1:{self.port}", "--graceful-timeout", "5", self.app,
        ]
        if self.workers > 1:
            command[-1:-1] = ["--access-logfile", str(self.access_log), "--access-logformat", "%(p)s %(m)s %(U)s %(s)s"]
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(command, cwd=self.workdir, env=self.env, stdout=log, stderr=log)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if requests.get(self.base + "/health", timeout=2).status_code in (200, 503):
                    return self
            except requests.RequestException:
                pass
            try:  # the pause between two tries doubles as the check that the server still runs
                code = self.proc.wait(timeout=0.2)
            except subprocess.TimeoutExpired:
                continue
            raise RuntimeError(f"the server exited ({code}): {self.log.read_text()[-3000:]}")
        raise RuntimeError(f"the server did not answer within {timeout} s: {self.log.read_text()[-3000:]}")

    def worker_pid(self) -> int:
        """gunicorn's worker (the master only watches it)."""
        return self.worker_pids()[0]

    def worker_pids(self) -> list[int]:
        assert self.proc is not None
        return [int(p) for p in Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text().split()]

    def served_by(self, path: str, count: int = 1, timeout: float = 30.0) -> list[int]:
        """The pids of the workers that answered the first ``count`` POSTs to ``path``, from the
        access log (a worker writes its line just after the answer: waited for)."""
        deadline = time.monotonic() + timeout
        while True:
            text = self.access_log.read_text() if self.access_log.exists() else ""
            pids = [int(line.split()[0].strip("<>")) for line in text.splitlines()
                    if line.split()[1:3] == ["POST", path]]
            if len(pids) >= count or time.monotonic() > deadline:
                return pids[:count]
            with contextlib.suppress(subprocess.TimeoutExpired):  # a short pause that also notices an exit
                assert self.proc is not None
                self.proc.wait(timeout=0.05)

    def kill(self) -> None:
        """``kill -9`` the master and its worker: nothing gets to clean up."""
        assert self.proc is not None
        try:
            worker = self.worker_pid()
        except (OSError, IndexError):
            worker = None
        for pid in (worker, self.proc.pid):
            if pid is not None:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        self.proc.wait(timeout=30)
        self.proc = None

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()
            self.proc = None

    # ---- what the worker holds -------------------------------------------------------

    def fds(self) -> int:
        return len(os.listdir(f"/proc/{self.worker_pid()}/fd"))

    def threads_now(self) -> int:
        return len(os.listdir(f"/proc/{self.worker_pid()}/task"))

    def memory_kb(self) -> dict[str, int]:
        """Resident memory now and at its peak (VmRSS, VmHWM), in kB."""
        out = {}
        for line in Path(f"/proc/{self.worker_pid()}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out[key] = int(value.split()[0])
        return out
