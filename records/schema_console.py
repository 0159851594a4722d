"""Migration 2: what the staff console keeps, appended to schema.MIGRATIONS.

- ``console_users``: staff accounts, argon2 hashes only (never a password), a role.
- ``console_sign_in_failures``: recent wrong passwords, by account and by address, so that
  rate limiting holds across worker processes and restarts.
- ``file_versions``: every version of a flow or data file saved through the console, with
  its author, so that staff see diffs and go back. Kept in the store rather than as files
  under instance/: one transaction gives each save a unique number per file even with two
  editors at once, and the versions are backed up with the records they explain.
- ``trial_calls``: the calls staff made with "try a call", so that lists and KPIs can leave
  them out (the calls table itself is not changed: the recorder does not know about trials).

Same SQL subset as migration 1 (see schema.py) so that PostgreSQL can replay it.
"""

from __future__ import annotations

ROLES = ("viewer", "editor", "admin")
FILE_KINDS = ("flow", "data", "catalog")

CONSOLE_V2 = f"""
CREATE TABLE console_users (
    name            TEXT PRIMARY KEY,
    password_hash   TEXT NOT NULL,
    role            TEXT NOT NULL CHECK (role IN ('viewer', 'editor', 'admin')),
    created_at      TEXT NOT NULL,
    disabled        INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE console_sign_in_failures (
    key             TEXT NOT NULL,
    at              TEXT NOT NULL
);
CREATE INDEX console_sign_in_failures_key ON console_sign_in_failures (key, at);

CREATE TABLE file_versions (
    kind            TEXT NOT NULL CHECK (kind IN ({", ".join(f"'{k}'" for k in FILE_KINDS)})),
    file            TEXT NOT NULL,
    seq             INTEGER NOT NULL,
    saved_at        TEXT NOT NULL,
    author          TEXT NOT NULL,
    content         TEXT NOT NULL,
    hash            TEXT NOT NULL,
    note            TEXT,
    PRIMARY KEY (kind, file, seq)
);

CREATE TABLE trial_calls (
    call_id         TEXT PRIMARY KEY,
    started_by      TEXT NOT NULL,
    started_at      TEXT NOT NULL
);
"""


# Sessions the server can end: a signed cookie alone stays valid after sign-out until it
# expires, so a copied cookie would outlive the sign-out.
CONSOLE_SESSIONS_V3 = """
CREATE TABLE console_sessions (
    id              TEXT PRIMARY KEY,
    user_name       TEXT NOT NULL,
    created_at      TEXT NOT NULL
);
CREATE INDEX console_sessions_user ON console_sessions (user_name);
"""


# The towns each account may see, when one service answers several (civicline.towns: a
# town's key is its folder's name). An account with no row sees no town there, except an
# administrator, who sees every town until given some (civicline/console/towns.py).
CONSOLE_USER_TOWNS_V7 = """
CREATE TABLE console_user_towns (
    user_name       TEXT NOT NULL,
    town            TEXT NOT NULL,
    PRIMARY KEY (user_name, town)
);
"""
