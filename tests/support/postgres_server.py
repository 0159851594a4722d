"""A real PostgreSQL cluster (Debian's ``postgresql`` package, scripts/install-system-deps.sh)
for the tests: made with ``initdb`` in a temporary directory, started with ``pg_ctl`` on
127.0.0.1 and a free port (its socket in the same directory), trust authentication for
127.0.0.1 and that socket only, stopped and deleted at the end. No mock stands in for it.

``postgres_server`` is a session fixture (one cluster for the run); ``postgres_url`` gives
each test a database of its own, created empty and dropped after it.

Missing binaries fail the tests that need them: the PostgreSQL back-end is part of the
suite. ``CIVICLINE_TEST_SKIP_POSTGRES=1`` skips them instead, on a developer's machine
without the package, and every skip says so; where ``$CI`` is set it fails them instead.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from support.served import free_port

SKIP_VARIABLE = "CIVICLINE_TEST_SKIP_POSTGRES"
SUPERUSER = "civicline"
_databases = itertools.count(1)


def binaries() -> Path | None:
    """The folder of initdb and pg_ctl: $CIVICLINE_PG_BIN, else Debian's newest version."""
    explicit = os.environ.get("CIVICLINE_PG_BIN")
    if explicit:
        return Path(explicit) if (Path(explicit) / "initdb").exists() else None
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    return found[-1].parent if found else None


class PostgresCluster:
    """``durable=False`` (the tests): no fsync, the cluster is thrown away anyway; a bench
    measuring the records' writes starts it with ``durable=True``, as a server runs."""

    def __init__(self, workdir: Path, *, durable: bool = False) -> None:
        self.workdir = Path(workdir)
        self.durable = durable
        self.data = self.workdir / "data"
        self.log = self.workdir / "postgres.log"
        self.port = 0
        self.bin = binaries()
        # initdb refuses to run as root: a root test run (a container) runs the cluster as
        # the system user the Debian package made.
        self._user = "postgres" if os.geteuid() == 0 else None

    def url(self, database: str = "civicline", password: str | None = None) -> str:
        auth = f"{SUPERUSER}:{password}" if password else SUPERUSER
        return f"postgresql://{auth}@127.0.0.1:{self.port}/{database}"

    def _run(self, *args: str) -> None:
        assert self.bin is not None
        kwargs: dict[str, Any] = {"user": self._user} if self._user else {}
        done = subprocess.run([str(self.bin / args[0]), *args[1:]], capture_output=True, text=True,
                              cwd=self.workdir, **kwargs)
        if done.returncode != 0:
            log = self.log.read_text() if self.log.exists() else ""
            raise RuntimeError(f"{args[0]} failed ({done.returncode}): {done.stderr}{done.stdout}\n{log[-3000:]}")

    def start(self) -> PostgresCluster:
        if self.bin is None:
            raise RuntimeError(
                "PostgreSQL's binaries are missing (initdb, pg_ctl under /usr/lib/postgresql/*/bin): run "
                f"`make system-deps` (scripts/install-system-deps.sh), or set {SKIP_VARIABLE}=1 to skip the "
                "PostgreSQL back-end's tests on this machine"
            )
        if self._user:
            entry = pwd.getpwnam(self._user)
            os.chown(self.workdir, entry.pw_uid, entry.pw_gid)
        self._run("initdb", "-D", str(self.data), "-U", SUPERUSER, "-A", "trust", "-E", "UTF8",
                  "--locale=C.UTF-8", "--no-sync")
        # Only this machine, only the tests' socket: nothing else may connect.
        (self.data / "pg_hba.conf").write_text(
            "local all all trust\nhost all all 127.0.0.1/32 trust\n", encoding="utf-8"
        )
        for _ in range(5):  # another process may take the free port between the look and the bind
            self.port = free_port()
            options = f"-p {self.port} -k {self.workdir} -c listen_addresses=127.0.0.1"
            if not self.durable:
                options += " -c fsync=off -c full_page_writes=off"
            try:
                self._run("pg_ctl", "start", "-w", "-t", "60", "-D", str(self.data), "-l", str(self.log),
                          "-o", options)
            except RuntimeError:
                if "could not bind" in (self.log.read_text() if self.log.exists() else ""):
                    continue
                raise
            self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", SUPERUSER, "civicline")
            return self
        raise RuntimeError(f"PostgreSQL did not start: {self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.port and (self.data / "postmaster.pid").exists():
            with contextlib.suppress(RuntimeError):
                self._run("pg_ctl", "stop", "-D", str(self.data), "-m", "immediate", "-w", "-t", "30")

    def admin(self) -> Any:
        import psycopg

        return psycopg.connect(self.url(), autocommit=True)

    def new_database(self) -> str:
        name = f"test_{os.getpid()}_{next(_databases)}"
        with self.admin() as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return name

    def drop_database(self, name: str) -> None:
        with self.admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# Each test folder's conftest imports the fixture, which makes one session fixture per
# folder: they share one cluster, stopped when the last of them ends.
_shared: list[PostgresCluster] = []
_users = [0]


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresCluster]:
    if os.environ.get(SKIP_VARIABLE) == "1":
        if os.environ.get("CI"):
            pytest.fail(f"{SKIP_VARIABLE}=1 in CI: the PostgreSQL back-end must be tested there")
        pytest.skip(f"PostgreSQL back-end NOT tested: {SKIP_VARIABLE}=1 is set on this machine")
    if not _shared:
        workdir = Path(tempfile.mkdtemp(prefix="civicline-pg-"))
        try:
            _shared.append(PostgresCluster(workdir).start())
        except BaseException:
            shutil.rmtree(workdir, ignore_errors=True)
            raise
    _users[0] += 1
    try:
        yield _shared[0]
    finally:
        _users[0] -= 1
        if _users[0] == 0:
            cluster = _shared.pop()
            cluster.stop()
            shutil.rmtree(cluster.workdir, ignore_errors=True)


@pytest.fixture
def postgres_url(postgres_server: PostgresCluster) -> Iterator[str]:
    """A database of this test's own on the session's cluster, dropped after the test."""
    name = postgres_server.new_database()
    try:
        yield postgres_server.url(name)
    finally:
        postgres_server.drop_database(name)
