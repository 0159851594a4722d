"""Fixtures for the engine tests; the test town and flows are in flowkit.py."""

from support.flowkit import engine, runtime  # noqa: F401  (pytest fixtures)
