"""Staff accounts of the console: argon2 password hashes, roles, and sign-in rate limits.

Passwords never reach the store: only argon2id hashes (argon2-cffi, its default
parameters). Wrong passwords are kept with their time under two keys, the account and the
address, so that a guesser is slowed down whether they try many passwords on one account
or one password on many accounts, across processes and restarts.
"""

from __future__ import annotations

import contextlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from records.database import iso
from records.schema_console import ROLES
from records.store import RecordsStore
from staff_files.problems import CivicError

MIN_PASSWORD = 10  # long enough to resist guessing while the rate limit holds


class UserError(CivicError):
    pass


@dataclass(frozen=True)
class User:
    name: str
    role: str
    disabled: bool = False
    towns: tuple[str, ...] = ()
    """The towns granted to the account (keys), on a service answering several."""

    def can(self, role: str) -> bool:
        """Roles are ordered: an admin can do what an editor can, who can do what a viewer can."""
        return ROLES.index(self.role) >= ROLES.index(role)


def _hasher():  # imported here: the console extra is optional for the rest of civicline
    from argon2 import PasswordHasher

    return PasswordHasher()


class Users:
    def __init__(self, store: RecordsStore, hasher: object | None = None) -> None:
        self.store = store
        self._hasher = hasher  # argon2.PasswordHasher; tests pass cheaper parameters
        self._dummy_hash: str | None = None

    def hasher(self):  # noqa: ANN201  (argon2 is imported lazily)
        if self._hasher is None:
            self._hasher = _hasher()
        return self._hasher

    @property
    def _dummy(self) -> str:
        # Verified when the name is unknown, so that a wrong name takes as long as a wrong
        # password and does not reveal which accounts exist. Made on first use: civicline
        # starts without the console extra (argon2) installed.
        if self._dummy_hash is None:
            self._dummy_hash = self.hasher().hash("not a real account password")
        return self._dummy_hash

    def add(self, name: str, password: str, role: str) -> User:
        name = name.strip()
        if not name or len(name) > 64 or any(c.isspace() for c in name):
            raise UserError("a user name is 1 to 64 characters without spaces")
        if role not in ROLES:
            raise UserError(f"role must be one of {', '.join(ROLES)}")
        if len(password) < MIN_PASSWORD:
            raise UserError(f"the password must have at least {MIN_PASSWORD} characters")
        hashed = self.hasher().hash(password)
        with self.store._tx() as tx:
            # One statement: two admins adding the same name at once on two workers get
            # one account and one "already exists", whichever database is behind.
            if not tx.execute(
                "INSERT INTO console_users (name, password_hash, role, created_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (name, hashed, role, iso(datetime.now(UTC))),
            ).rowcount:
                raise UserError(f"the user {name!r} already exists")
        return User(name, role)

    def set_password(self, name: str, password: str) -> None:
        if len(password) < MIN_PASSWORD:
            raise UserError(f"the password must have at least {MIN_PASSWORD} characters")
        with self.store._tx() as tx:
            cur = tx.execute(
                "UPDATE console_users SET password_hash = ? WHERE name = ?",
                (self.hasher().hash(password), name),
            )
            if cur.rowcount == 0:
                raise UserError(f"no user named {name!r}")
            tx.execute("DELETE FROM console_sessions WHERE user_name = ?", (name,))

    def set_role(self, name: str, role: str) -> None:
        if role not in ROLES:
            raise UserError(f"role must be one of {', '.join(ROLES)}")
        with self.store._tx() as tx:
            if not tx.execute("UPDATE console_users SET role = ? WHERE name = ?", (role, name)).rowcount:
                raise UserError(f"no user named {name!r}")

    def set_disabled(self, name: str, disabled: bool) -> None:
        with self.store._tx() as tx:
            tx.execute("UPDATE console_users SET disabled = ? WHERE name = ?", (int(disabled), name))
            if disabled:
                tx.execute("DELETE FROM console_sessions WHERE user_name = ?", (name,))

    def get(self, name: str) -> User | None:
        rows = self.store._rows("SELECT name, role, disabled FROM console_users WHERE name = ?", (name,))
        if not rows:
            return None
        return User(rows[0]["name"], rows[0]["role"], bool(rows[0]["disabled"]), self.towns_of(name))

    def all(self) -> list[User]:
        rows = self.store._rows("SELECT name, role, disabled FROM console_users ORDER BY name")
        towns: dict[str, list[str]] = {}
        for r in self.store._rows("SELECT user_name, town FROM console_user_towns ORDER BY town"):
            towns.setdefault(r["user_name"], []).append(r["town"])
        return [User(r["name"], r["role"], bool(r["disabled"]), tuple(towns.get(r["name"], ()))) for r in rows]

    # -- the towns an account sees (a service answering several) ----------------------
    def towns_of(self, name: str) -> tuple[str, ...]:
        rows = self.store._rows("SELECT town FROM console_user_towns WHERE user_name = ? ORDER BY town", (name,))
        return tuple(r["town"] for r in rows)

    def set_towns(self, name: str, towns: list[str] | tuple[str, ...]) -> None:
        """The account sees these towns from now on (its next page), and no other."""
        bad = [t for t in towns if not t or len(t) > 100 or any(c.isspace() or c == "/" for c in t)]
        if bad:
            raise UserError(f"not a town's key (its folder's name): {bad[0]!r}")
        with self.store._tx() as tx:
            if not tx.execute("SELECT 1 FROM console_users WHERE name = ?", (name,)).fetchone():
                raise UserError(f"no user named {name!r}")
            tx.execute("DELETE FROM console_user_towns WHERE user_name = ?", (name,))
            for town in dict.fromkeys(towns):
                tx.execute("INSERT INTO console_user_towns (user_name, town) VALUES (?, ?)", (name, town))

    def check_password(self, name: str, password: str) -> User | None:
        """The user if the password is right and the account enabled, else None."""
        from argon2.exceptions import InvalidHashError, VerificationError

        rows = self.store._rows("SELECT * FROM console_users WHERE name = ?", (name,))
        hasher = self.hasher()
        if not rows:
            with contextlib.suppress(VerificationError):
                hasher.verify(self._dummy, password)
            return None
        row = rows[0]
        try:
            hasher.verify(row["password_hash"], password)
        except (VerificationError, InvalidHashError):
            return None
        if row["disabled"]:
            return None
        if hasher.check_needs_rehash(row["password_hash"]):  # parameters were raised since
            self.set_password(name, password)
        return User(row["name"], row["role"])

    # -- rate limiting -----------------------------------------------------------------
    def failure(self, *keys: str, at: datetime | None = None) -> None:
        at = at or datetime.now(UTC)
        with self.store._tx() as tx:
            for key in keys:
                tx.execute("INSERT INTO console_sign_in_failures VALUES (?, ?)", (key, iso(at)))
            # Old failures are of no use: keep the table small.
            tx.execute(
                "DELETE FROM console_sign_in_failures WHERE at < ?", (iso(at - timedelta(days=1)),)
            )

    def locked_for(
        self, *keys: str, limit: int, window: timedelta, now: datetime | None = None
    ) -> timedelta | None:
        """How long until a key may try again, if it reached ``limit`` failures in ``window``."""
        now = now or datetime.now(UTC)
        longest: timedelta | None = None
        for key in keys:
            rows = self.store._rows(
                "SELECT at FROM console_sign_in_failures WHERE key = ? AND at >= ? ORDER BY at DESC",
                (key, iso(now - window)),
            )
            if len(rows) >= limit:
                # Free again when the oldest of the last `limit` failures leaves the window.
                wait = datetime.fromisoformat(rows[limit - 1]["at"]) + window - now
                longest = max(longest or wait, wait)
        return longest

    # -- sessions the server can end ---------------------------------------------------
    def open_session(self, name: str) -> str:
        session_id = secrets.token_urlsafe(32)
        with self.store._tx() as tx:
            tx.execute("INSERT INTO console_sessions VALUES (?, ?, ?)", (session_id, name, iso(datetime.now(UTC))))
        return session_id

    def session_user(self, session_id: str) -> str | None:
        """The user of a live session, or None once it was ended (or never existed)."""
        rows = self.store._rows("SELECT user_name FROM console_sessions WHERE id = ?", (session_id[:64],))
        return rows[0]["user_name"] if rows else None

    def end_session(self, session_id: str) -> None:
        with self.store._tx() as tx:
            tx.execute("DELETE FROM console_sessions WHERE id = ?", (session_id[:64],))

    def end_sessions_of(self, name: str) -> None:
        """Signs a user out everywhere (disabled account, password changed)."""
        with self.store._tx() as tx:
            tx.execute("DELETE FROM console_sessions WHERE user_name = ?", (name,))

    def clear_failures(self, *keys: str) -> None:
        with self.store._tx() as tx:
            for key in keys:
                tx.execute("DELETE FROM console_sign_in_failures WHERE key = ?", (key,))
