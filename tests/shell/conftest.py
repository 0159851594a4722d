"""Fixtures of the shell's tests: a throw-away PostgreSQL cluster for the database setting."""

from support.postgres_server import postgres_server, postgres_url  # noqa: F401 - fixtures
