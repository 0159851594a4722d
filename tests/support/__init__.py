"""What the tests share: test flows and towns, fake Twilio, recordings, console helpers.

pytest puts ``tests/`` on the import path (``pythonpath`` in pyproject.toml), so a test
imports ``from support.flowkit import make_runtime``.
"""
