"""Tables, indexes and connection settings of the SQLite backend.

Times are integer epoch milliseconds; enums are stored as their string values.
Tables that are paged carry an ``INTEGER PRIMARY KEY`` so that their row ids,
which break ties in the keyset order, survive a ``VACUUM``.
"""

import contextlib
import os
import sqlite3
from pathlib import Path

from store.interface import SchemaTooNew
from store.receipts import fold_marks
from store.sqlite import documents

SCHEMA_VERSION = 2
"""Kept in the file as ``PRAGMA user_version``. 1: the first release (it left
user_version at 0); 2: stored receipts."""

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
-- The timeline around an instant (store.sqlite.timeline): ordered with its
-- tie-breaker, so the first row that matches is the answer, and with closed_at,
-- so that the rows passed over are read from the index alone.
CREATE INDEX IF NOT EXISTS connections_timeline
    ON connections (app, user_id, opened_at, conn_key, closed_at) WHERE reject_code IS NULL;

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
-- Every sender's messages of a window (the export without senderId).
CREATE INDEX IF NOT EXISTS messages_by_time ON messages (app, sent_at);

CREATE TABLE IF NOT EXISTS receipt_events (
    app TEXT NOT NULL,
    msg_uid TEXT NOT NULL,
    recipient_id TEXT NOT NULL,
    status TEXT NOT NULL,
    at INTEGER NOT NULL,
    push_skipped TEXT
);
CREATE INDEX IF NOT EXISTS receipt_events_by_recipient
    ON receipt_events (app, msg_uid, recipient_id);

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
CREATE INDEX IF NOT EXISTS push_attempts_by_recipient
    ON push_attempts (app, msg_uid, recipient_id);

-- One stored receipt per (app, msg_uid, recipient_id), kept by the writer: the
-- marks of store.receipts (each merged by max, so arrival order does not
-- matter). Clustered by message, so a page reads its rows in recipient order
-- and a summary scans one contiguous range.
CREATE TABLE IF NOT EXISTS receipts (
    app TEXT NOT NULL,
    msg_uid TEXT NOT NULL,
    recipient_id TEXT NOT NULL,
    status_key INTEGER NOT NULL DEFAULT 0,
    skip_key INTEGER NOT NULL DEFAULT 0,
    push_at INTEGER NOT NULL DEFAULT 0,
    push_ok_at INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (app, msg_uid, recipient_id)
) WITHOUT ROWID;

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


def _connect(path: str, cached_statements: int = 128) -> sqlite3.Connection:
    # isolation_level=None: no implicit transactions; the writer opens its own.
    # check_same_thread=False: each connection is used by one thread only, but
    # it is closed from the thread that closes the store.
    conn = sqlite3.connect(
        path, isolation_level=None, check_same_thread=False, cached_statements=cached_statements
    )
    conn.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
    return conn


def connect_writer(path: str) -> sqlite3.Connection:
    """The one connection that writes; creates the file, its folder and the schema."""
    _create_private(Path(path))
    # The writer's multi-row INSERTs: 9 statements in up to 13 sizes each.
    conn = _connect(path, cached_statements=256)
    conn.execute("PRAGMA journal_mode = WAL")
    # FULL: a commit is on disk when it returns, so a 200 survives a crash.
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA cache_size = -65536")
    # Checkpoint every ~40 MB of WAL instead of ~4 MB: fewer, larger checkpoints
    # make ingest ~25% faster; the WAL file is trimmed back to 64 MB after each.
    conn.execute("PRAGMA wal_autocheckpoint = 10000")
    conn.execute("PRAGMA journal_size_limit = 67108864")
    try:
        ensure_schema(conn, path)
    except BaseException:
        conn.close()
        raise
    return conn


def _create_private(path: Path) -> None:
    """Create a missing store file readable by its owner only (0600, a new folder
    0700): it holds every tracked user's data. SQLite gives its -wal and -shm files
    the database file's permissions."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))


def schema_version(conn: sqlite3.Connection) -> int:
    """The file's schema version; 0 for an empty file."""
    version: int = conn.execute("PRAGMA user_version").fetchone()[0]
    if version == 0 and conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchone():
        return 1
    return version


def ensure_schema(conn: sqlite3.Connection, path: str) -> None:
    """Create the schema in an empty file, migrate an older one in place (in one
    transaction: a failed migration leaves the file as it was), refuse a newer one."""
    version = schema_version(conn)
    if version > SCHEMA_VERSION:
        raise SchemaTooNew(
            f"the SQLite store at {path} has schema version {version}, newer than this"
            f" release knows ({SCHEMA_VERSION}): open it with a newer release"
        )
    conn.execute("BEGIN IMMEDIATE")
    try:
        if version == 1:  # the first release's indexes by message become by recipient
            conn.execute("DROP INDEX IF EXISTS receipt_events_by_message")
            conn.execute("DROP INDEX IF EXISTS push_attempts_by_message")
        for statement in _statements(DDL):
            conn.execute(statement)
        if version == 1:
            _fold_events(conn)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def _statements(script: str) -> list[str]:
    """The statements of a script, to run inside a transaction (``executescript``
    would commit first)."""
    found, pending = [], ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            found.append(pending)
            pending = ""
    return found


_FOLD_ROWS = 50_000
"""Events folded into receipts per step of a migration (bounds its memory)."""


def _fold_events(conn: sqlite3.Connection) -> None:
    """Fold every stored receipt event and push attempt into the receipts table
    (with the writer's own upsert)."""
    from store.sqlite.writer import upsert_receipts

    sources = (
        ("SELECT app, msg_uid, recipient_id, status, at, push_skipped FROM receipt_events",
         documents.status_marks),
        ("SELECT app, msg_uid, recipient_id, at, success FROM push_attempts",
         documents.push_marks),
    )  # fmt: skip
    for sql, marks in sources:
        cursor = conn.execute(sql)
        while rows := cursor.fetchmany(_FOLD_ROWS):
            upsert_receipts(conn, fold_marks(((r[0], r[1], r[2]), marks(r[3:])) for r in rows))


def connect_reader(path: str) -> sqlite3.Connection:
    """A connection that only reads (WAL readers never wait for the writer)."""
    conn = _connect(path)
    conn.execute("PRAGMA query_only = 1")
    # Every read is served by a named index; an automatic index means a full scan to
    # build it on each query (chosen by the planner, with no statistics, for joins
    # with a few hundred keys).
    conn.execute("PRAGMA automatic_index = OFF")
    conn.execute("PRAGMA cache_size = -32768")
    return conn
