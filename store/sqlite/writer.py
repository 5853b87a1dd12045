"""The write path: one transaction per batch, dedup in one statement per chunk.

Runs on the store's single writer thread with its own connection.
"""

import sqlite3
from collections.abc import Callable, Sequence
from typing import Any

from store.records import (
    ApiKey,
    ConnectionClosed,
    ConnectionOpened,
    ConnectionRejected,
    Event,
    MessageSent,
    PushAttempted,
    ReceiptChanged,
    WriteResult,
)
from store.sqlite import codec

# Rows per multi-row dedup INSERT: 3 variables a row, well under SQLite's
# default limit of 32,766; a full chunk always has the same SQL text, so it is
# compiled once. A 1,000-event ingest batch takes one statement.
_SEEN_CHUNK = 1000

# Open and close merge into one row whatever their order. When two opens (or
# two closes) of one connection carry different event ids, the smallest
# (at, event id) wins, so the result does not depend on arrival order.
_UPSERT_OPENED = """
INSERT INTO connections (app, user_id, conn_key, connection_id, opened_at, open_event,
    sdk_version, platform, ip, device_model, os_version)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (app, user_id, conn_key) DO UPDATE SET
    opened_at = excluded.opened_at, open_event = excluded.open_event,
    sdk_version = excluded.sdk_version, platform = excluded.platform, ip = excluded.ip,
    device_model = excluded.device_model, os_version = excluded.os_version
WHERE connections.opened_at IS NULL
    OR (excluded.opened_at, excluded.open_event) < (connections.opened_at, connections.open_event)
"""

_UPSERT_CLOSED = """
INSERT INTO connections (app, user_id, conn_key, connection_id, closed_at, close_event, reason)
VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (app, user_id, conn_key) DO UPDATE SET
    closed_at = excluded.closed_at, close_event = excluded.close_event, reason = excluded.reason
WHERE connections.closed_at IS NULL
    OR (excluded.closed_at, excluded.close_event) < (connections.closed_at, connections.close_event)
"""

_INSERT_REJECTED = """
INSERT INTO connections (app, user_id, conn_key, opened_at, open_event, sdk_version, platform,
    ip, device_model, os_version, closed_at, reject_code, reject_description)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (app, user_id, conn_key) DO NOTHING
"""

_UPSERT_MESSAGE = """
INSERT INTO messages (app, msg_key, event_id, msg_uid, sender_id, target_id, channel_type,
    message_type, source, sent_at, result, mute_scope, connection_id)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (app, msg_key) DO UPDATE SET
    event_id = excluded.event_id, msg_uid = excluded.msg_uid, sender_id = excluded.sender_id,
    target_id = excluded.target_id, channel_type = excluded.channel_type,
    message_type = excluded.message_type, source = excluded.source, sent_at = excluded.sent_at,
    result = excluded.result, mute_scope = excluded.mute_scope,
    connection_id = excluded.connection_id
WHERE (excluded.sent_at, excluded.event_id) < (messages.sent_at, messages.event_id)
"""

_INSERT_RECEIPT = """
INSERT INTO receipt_events (app, msg_uid, recipient_id, status, at, push_skipped)
VALUES (?, ?, ?, ?, ?, ?)
"""

_INSERT_PUSH = """
INSERT INTO push_attempts (app, msg_uid, recipient_id, provider, at, success, error_code,
    error_description)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)
"""

_WRITES: dict[type, tuple[str, Callable[[Any], codec.Row]]] = {
    ConnectionOpened: (_UPSERT_OPENED, codec.opened_row),
    ConnectionClosed: (_UPSERT_CLOSED, codec.closed_row),
    ConnectionRejected: (_INSERT_REJECTED, codec.rejected_row),
    MessageSent: (_UPSERT_MESSAGE, codec.message_row),
    ReceiptChanged: (_INSERT_RECEIPT, codec.receipt_row),
    PushAttempted: (_INSERT_PUSH, codec.push_row),
}


def _new_keys(conn: sqlite3.Connection, events: Sequence[Event]) -> set[tuple[str, str]]:
    """Record the events' ids; return those that were not stored before."""
    new: set[tuple[str, str]] = set()
    for start in range(0, len(events), _SEEN_CHUNK):
        chunk = events[start : start + _SEEN_CHUNK]
        values = ",".join(["(?,?,?)"] * len(chunk))
        params = [v for e in chunk for v in (e.app, e.event_id, e.at)]
        sql = (
            f"INSERT INTO seen_events (app, event_id, at) VALUES {values}"
            " ON CONFLICT DO NOTHING RETURNING app, event_id"
        )
        new.update(conn.execute(sql, params).fetchall())
    return new


def write_batch(conn: sqlite3.Connection, events: Sequence[Event]) -> WriteResult:
    """Store the new events of a batch in one transaction; count the rest as duplicates."""
    if not events:
        return WriteResult(accepted=0, duplicates=0)
    first: dict[tuple[str, str], Event] = {}
    for e in events:
        first.setdefault((e.app, e.event_id), e)
    unique = list(first.values())
    conn.execute("BEGIN IMMEDIATE")
    try:
        new_keys = _new_keys(conn, unique)
        by_type: dict[type, list[codec.Row]] = {}
        for e in unique:
            if (e.app, e.event_id) in new_keys:
                by_type.setdefault(type(e), []).append(_WRITES[type(e)][1](e))
        for kind, rows in by_type.items():
            conn.executemany(_WRITES[kind][0], rows)
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return WriteResult(accepted=len(new_keys), duplicates=len(events) - len(new_keys))


def create_key(conn: sqlite3.Connection, key: ApiKey) -> None:
    conn.execute(
        f"INSERT INTO api_keys ({codec.KEY_COLUMNS}) VALUES (?,?,?,?,?,?)", codec.key_row(key)
    )


def revoke_key(conn: sqlite3.Connection, key_id: str, now: int) -> bool:
    cur = conn.execute(
        "UPDATE api_keys SET revoked_at = ? WHERE key_id = ? AND revoked_at IS NULL", (now, key_id)
    )
    return cur.rowcount > 0
