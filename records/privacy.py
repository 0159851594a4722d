"""Personal data: caller numbers as keyed hashes, and redaction of stored text.

A caller's number is never stored with the call. What is stored is
HMAC-SHA256(key, number) — enough to count repeat callers — and its last two digits, which
staff use to tell two callers apart on the phone. A plain hash would not do: phone numbers
are a small space (10^8 French mobiles), so anyone holding the database could hash every
number and find the callers. With a secret key that lives only in the environment, the
stored value alone gives nothing away.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import unicodedata
from collections.abc import Mapping

from records.redact import redact  # noqa: F401  (part of this module's API)
from staff_files.problems import CivicError

log = logging.getLogger(__name__)

HASH_KEY_ENV = "CIVICLINE_HASH_KEY"
MIN_KEY_BYTES = 16


class HashKeyError(CivicError):
    """No usable hash key in production."""


def load_hash_key(
    environ: Mapping[str, str] | None = None, *, production: bool | None = None
) -> bytes:
    """The HMAC key from ``$CIVICLINE_HASH_KEY``.

    In production (``production=True``, or ``$CIVICLINE_ENV=production`` when not said) a
    missing or short key refuses to start: hashes made with a throw-away key cannot be
    matched across restarts, and a weak key can be guessed. In development a random key is
    made for this process only, with a warning, so that a developer's machine never needs a
    secret but the repeat-caller figures are only valid until the next restart.
    """
    env = os.environ if environ is None else environ
    if production is None:
        production = env.get("CIVICLINE_ENV", "").lower() == "production"
    raw = env.get(HASH_KEY_ENV, "")
    key = raw.encode("utf-8")
    if len(key) >= MIN_KEY_BYTES:
        return key
    if production:
        what = "is not set" if not raw else f"is shorter than {MIN_KEY_BYTES} bytes"
        raise HashKeyError(
            f"${HASH_KEY_ENV} {what}: caller numbers cannot be protected. Set it to a long "
            "random secret (for example `python -c 'import secrets; print(secrets.token_hex(32))'`)"
            " and keep it out of the configuration file."
        )
    log.warning(
        "$%s is not set (or too short): using a random key for this process only. "
        "Caller hashes will not match after a restart; repeat-caller figures are wrong. "
        "Never run like this in production.",
        HASH_KEY_ENV,
    )
    return os.urandom(32)


def _ascii_digits(number: str) -> str:
    """The number's digits as 0-9, whatever script they were written in ("٠٦" is "06")."""
    return "".join(str(unicodedata.decimal(c)) for c in number if c.isdecimal())


def normalize_number(number: str) -> str:
    """Digits only, with a leading '+' kept: '+33 6 12-34' and '+336 1234' hash the same."""
    number = number.strip()
    digits = _ascii_digits(number)
    return ("+" + digits) if number.startswith("+") else digits


def caller_hash(number: str, key: bytes) -> str:
    """HMAC-SHA256 of the normalised number, hex."""
    return hmac.new(key, normalize_number(number).encode("ascii"), hashlib.sha256).hexdigest()


def last_two(number: str) -> str:
    digits = _ascii_digits(number)
    return digits[-2:] if len(digits) >= 2 else ""


def protect_caller(number: str | None, key: bytes) -> tuple[str | None, str | None]:
    """(hash, last two digits) of a caller number, or (None, None) for a hidden number."""
    if not number or not _ascii_digits(number):
        return None, None
    return caller_hash(number, key), last_two(number)
