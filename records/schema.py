"""Schema migrations of the call-records store.

Each migration is (version, name, SQL). They are applied in order, once, inside one
transaction each, and recorded in ``schema_version``. The SQL sticks to types and
statements PostgreSQL also accepts (TEXT, INTEGER, REAL, CHECK, CREATE INDEX) so that a
later PostgreSQL store can replay the same list; SQLite-only settings (WAL, pragmas) live
in the SQLite store, not here. Never edit a released migration: append a new one.

Timestamps are ISO-8601 strings in UTC ("2024-05-01T10:00:00+00:00"): they sort and
compare as text, in both databases, without a timezone-aware column type.
"""

from __future__ import annotations

from records.schema_console import CONSOLE_SESSIONS_V3, CONSOLE_USER_TOWNS_V7, CONSOLE_V2

OUTCOMES = ("answered", "transferred", "callback", "message", "abandoned")
CHANNELS = ("voice", "sms", "chat")  # flows.session.CHANNELS
REQUEST_KINDS = ("callback", "message")
REQUEST_STATUSES = ("open", "assigned", "closed")
# The kinds of migration 1, frozen with it; later kinds come with their migration.
_V1_REVIEW_KINDS = ("stale_fee", "legal", "not_understood", "asked_person", "stale_record", "other")
REVIEW_KINDS = (*_V1_REVIEW_KINDS, "emergency")
REVIEW_STATUSES = ("open", "assigned", "closed")


def _in(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


_V1 = f"""
CREATE TABLE calls (
    id              TEXT PRIMARY KEY,
    started_at      TEXT NOT NULL,
    ended_at        TEXT,
    language        TEXT,
    outcome         TEXT CHECK (outcome IS NULL OR outcome IN {_in(OUTCOMES)}),
    duration_s      REAL,
    caller_hash     TEXT,
    caller_last2    TEXT,
    transfer_reason TEXT,
    satisfaction    INTEGER CHECK (satisfaction IS NULL OR satisfaction BETWEEN 1 AND 5),
    summary         TEXT,
    purged_at       TEXT
);
CREATE INDEX calls_started ON calls (started_at);
CREATE INDEX calls_caller ON calls (caller_hash, started_at);

-- No foreign key to calls on purpose: if the call's first write was lost (disk full for
-- a moment), its turns are still worth keeping and counting.
CREATE TABLE turns (
    call_id         TEXT NOT NULL,
    seq             INTEGER NOT NULL,
    at              TEXT NOT NULL,
    caller_text     TEXT,
    key_pressed     TEXT,
    intent          TEXT,
    score           REAL,
    node            TEXT,
    assistant_text  TEXT,
    provenance      TEXT,
    latency_ms      REAL,
    PRIMARY KEY (call_id, seq)
);
CREATE INDEX turns_at ON turns (at);

-- The only table that may hold a full phone number; it is cleared when staff close the
-- request, or when the request is older than the retention period.
CREATE TABLE staff_requests (
    id              TEXT PRIMARY KEY,
    call_id         TEXT,
    kind            TEXT NOT NULL CHECK (kind IN {_in(REQUEST_KINDS)}),
    created_at      TEXT NOT NULL,
    language        TEXT,
    number          TEXT,
    caller_last2    TEXT,
    text            TEXT,
    status          TEXT NOT NULL DEFAULT 'open' CHECK (status IN {_in(REQUEST_STATUSES)}),
    assignee        TEXT,
    note            TEXT,
    closed_at       TEXT
);
CREATE INDEX staff_requests_status ON staff_requests (status, created_at);

CREATE TABLE review_items (
    id              TEXT PRIMARY KEY,
    call_id         TEXT,
    kind            TEXT NOT NULL CHECK (kind IN {_in(_V1_REVIEW_KINDS)}),
    created_at      TEXT NOT NULL,
    reason          TEXT,
    context         TEXT,
    dataset         TEXT,
    record          TEXT,
    status          TEXT NOT NULL DEFAULT 'open' CHECK (status IN {_in(REVIEW_STATUSES)}),
    assignee        TEXT,
    note            TEXT,
    closed_at       TEXT
);
CREATE INDEX review_items_status ON review_items (status, created_at);
"""

# How the resident reached the service: a phone call, text messages or the chat page. Calls
# recorded before there was any other channel were phone calls.
_V4_CHANNEL = f"""
ALTER TABLE calls ADD COLUMN channel TEXT NOT NULL DEFAULT 'voice' CHECK (channel IN {_in(CHANNELS)});
CREATE INDEX calls_channel ON calls (channel, started_at);
"""

# A caller who spoke of an emergency is flagged for staff: review items gain the kind, which
# their CHECK must allow (SQLite cannot alter a CHECK: the table is copied). Requests filed to
# the city's systems (Open311) are kept here first, so that none is lost when the city's
# endpoint is down: `pending` ones are retried, `for_staff` ones (no endpoint, or refused)
# are on the staff's list; the caller's number, address and words go with the call's text
# at the retention period.
CITY_REQUEST_STATUSES = ("pending", "filed", "for_staff", "closed")
_V5 = f"""
CREATE TABLE review_items_v5 (
    id              TEXT PRIMARY KEY,
    call_id         TEXT,
    kind            TEXT NOT NULL CHECK (kind IN {_in(REVIEW_KINDS)}),
    created_at      TEXT NOT NULL,
    reason          TEXT,
    context         TEXT,
    dataset         TEXT,
    record          TEXT,
    status          TEXT NOT NULL DEFAULT 'open' CHECK (status IN {_in(REVIEW_STATUSES)}),
    assignee        TEXT,
    note            TEXT,
    closed_at       TEXT
);
INSERT INTO review_items_v5 SELECT id, call_id, kind, created_at, reason, context, dataset, record,
    status, assignee, note, closed_at FROM review_items;
DROP TABLE review_items;
ALTER TABLE review_items_v5 RENAME TO review_items;
CREATE INDEX review_items_status ON review_items (status, created_at);

CREATE TABLE city_requests (
    id                  TEXT PRIMARY KEY,
    call_id             TEXT,
    created_at          TEXT NOT NULL,
    language            TEXT,
    service             TEXT NOT NULL,
    service_code        TEXT,
    address             TEXT,
    description         TEXT,
    phone               TEXT,
    status              TEXT NOT NULL DEFAULT 'pending' CHECK (status IN {_in(CITY_REQUEST_STATUSES)}),
    attempts            INTEGER NOT NULL DEFAULT 0,
    next_attempt_at     TEXT,
    last_error          TEXT,
    service_request_id  TEXT,
    token               TEXT,
    service_notice      TEXT,
    filed_at            TEXT,
    assignee            TEXT,
    note                TEXT,
    closed_at           TEXT,
    purged_at           TEXT
);
CREATE INDEX city_requests_status ON city_requests (status, next_attempt_at);
"""

# The town each call reached, by its key (civicline.towns: the town folder's name), when one
# service answers several towns. Calls recorded before have '': the one town served then.
_V6_TOWN = """
ALTER TABLE calls ADD COLUMN town TEXT NOT NULL DEFAULT '';
CREATE INDEX calls_town ON calls (town, started_at);
"""

# A turn that said the emergency number first, as a precaution (a "notice": the sentence may
# have spoken of an emergency, not surely). Not a review item (it would flag about 3 % of
# ordinary calls); counted for staff, so that they can check those calls.
_V8_NOTICE = """
ALTER TABLE turns ADD COLUMN emergency_notice INTEGER NOT NULL DEFAULT 0;
"""

MIGRATIONS: list[tuple[int, str, str]] = [
    (1, "calls, turns, staff requests, review items", _V1),
    (2, "console users, sign-in failures, file versions, trial calls", CONSOLE_V2),
    (3, "console sessions", CONSOLE_SESSIONS_V3),
    (4, "the channel of each call: voice, sms or chat", _V4_CHANNEL),
    (5, "emergency review items; requests to the city's systems (Open311)", _V5),
    (6, "the town of each call", _V6_TOWN),
    (7, "the towns each console account sees", CONSOLE_USER_TOWNS_V7),
    (8, "turns that said the emergency number as a precaution", _V8_NOTICE),
]


def statements(sql: str) -> list[str]:
    """Split a migration into statements (no migration contains ';' inside a literal)."""
    lines = [line for line in sql.splitlines() if not line.strip().startswith("--")]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]
