"""Tables, indexes and connection settings of the SQLite backend.

Times are integer epoch milliseconds; enums are stored as their string values.
Tables that are paged carry an ``INTEGER PRIMARY KEY`` so that their row ids,
which break ties in the keyset order, survive a ``VACUUM``.
"""

import sqlite3
from pathlib import Path

DDL = """
-- Every (app, event id) ever stored, whatever its type: the one place dedup is
-- decided. `at` is the event time, so that purge can drop ids older than the
-- horizon (ingest rejects such events anyway, so forgetting them is safe).
CREATE TABLE IF NOT EXISTS seen_events (
    app TEXT NOT NULL,
    event_id TEXT NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (app, event_id)
) WITHOUT ROWID;

-- One row per connection log: opened and closed events of a connection merge
-- into one row; a rejected attempt has a row of its own (conn_key from its
-- event). `closed_at` is the end of the log's interval: the close time, or for
-- a rejected attempt its own time (then it is not a disconnection).
-- opened_at is NULL while only the close has arrived.
CREATE TABLE IF NOT EXISTS connections (
    id INTEGER PRIMARY KEY,
    app TEXT NOT NULL,
    user_id TEXT NOT NULL,
    conn_key TEXT NOT NULL,
    connection_id TEXT,
    opened_at INTEGER,
    open_event TEXT,
    sdk_version TEXT,
    platform TEXT,
    ip TEXT,
    device_model TEXT,
    os_version TEXT,
    closed_at INTEGER,
    close_event TEXT,
    reason TEXT,
    reject_code TEXT,
    reject_description TEXT,
    UNIQUE (app, user_id, conn_key)
);
CREATE INDEX IF NOT EXISTS connections_by_user ON connections (app, user_id, opened_at);

CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY,
    app TEXT NOT NULL,
    msg_key TEXT NOT NULL,
    event_id TEXT NOT NULL,
    msg_uid TEXT,
    sender_id TEXT NOT NULL,
    target_id TEXT NOT NULL,
    channel_type TEXT NOT NULL,
    message_type TEXT NOT NULL,
    source TEXT NOT NULL,
    sent_at INTEGER NOT NULL,
    result TEXT NOT NULL,
    mute_scope TEXT,
    connection_id TEXT,
    UNIQUE (app, msg_key)
);
CREATE INDEX IF NOT EXISTS messages_by_sender ON messages (app, sender_id, sent_at);

CREATE TABLE IF NOT EXISTS receipt_events (
    app TEXT NOT NULL,
    msg_uid TEXT NOT NULL,
    recipient_id TEXT NOT NULL,
    status TEXT NOT NULL,
    at INTEGER NOT NULL,
    push_skipped TEXT
);
CREATE INDEX IF NOT EXISTS receipt_events_by_message ON receipt_events (app, msg_uid);

CREATE TABLE IF NOT EXISTS push_attempts (
    app TEXT NOT NULL,
    msg_uid TEXT NOT NULL,
    recipient_id TEXT NOT NULL,
    provider TEXT NOT NULL,
    at INTEGER NOT NULL,
    success INTEGER NOT NULL,
    error_code TEXT,
    error_description TEXT
);
CREATE INDEX IF NOT EXISTS push_attempts_by_message ON push_attempts (app, msg_uid);

CREATE TABLE IF NOT EXISTS api_keys (
    key_id TEXT PRIMARY KEY,
    app TEXT NOT NULL,
    role TEXT NOT NULL,
    secret_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
);
"""

_BUSY_TIMEOUT_MS = 10_000


def _connect(path: str) -> sqlite3.Connection:
    # isolation_level=None: no implicit transactions; the writer opens its own.
    # check_same_thread=False: each connection is used by one thread only, but
    # it is closed from the thread that closes the store.
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
    return conn


def connect_writer(path: str) -> sqlite3.Connection:
    """The one connection that writes; creates the file, its folder and the schema."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = _connect(path)
    conn.execute("PRAGMA journal_mode = WAL")
    # FULL: a commit is on disk when it returns, so a 200 survives a crash.
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA cache_size = -65536")
    # Checkpoint every ~40 MB of WAL instead of ~4 MB: fewer, larger checkpoints
    # make ingest ~25% faster; the WAL file is trimmed back to 64 MB after each.
    conn.execute("PRAGMA wal_autocheckpoint = 10000")
    conn.execute("PRAGMA journal_size_limit = 67108864")
    conn.executescript(DDL)
    return conn


def connect_reader(path: str) -> sqlite3.Connection:
    """A connection that only reads (WAL readers never wait for the writer)."""
    conn = _connect(path)
    conn.execute("PRAGMA query_only = 1")
    conn.execute("PRAGMA cache_size = -32768")
    return conn
