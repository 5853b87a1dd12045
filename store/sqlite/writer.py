"""The write path: one transaction per batch, dedup in one statement per chunk.

Runs on the store's single writer thread with its own connection.
"""

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain
from typing import Any

from store.receipts import Marks, ReceiptKey, fold, skip_key, status_key
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
from store.sqlite import documents

# Rows go in as multi-row INSERTs, not executemany: sqlite3 releases the GIL
# around every step of a statement, and under load (the event loop parsing the
# next batch) each step then waits for the GIL to come back, which cost two
# thirds of the write rate. One statement of many rows is one step. Statements
# have sizes from _CHUNKS only, so each size's SQL text is compiled once and
# stays in the connection's statement cache.
_CHUNKS = (1024, 512, 256, 128, 64, 32, 16, 8, 4, 2, 1)
_MAX_VARIABLES = 32_766
"""SQLite's default bound on a statement's parameters (SQLITE_MAX_VARIABLE_NUMBER)."""
_MAX_ROWS = 4096


@lru_cache(maxsize=32)
def _sizes(width: int) -> tuple[int, ...]:
    """The statement sizes of rows ``width`` parameters wide, largest first: powers of
    two up to what SQLite's parameter bound allows (4096 rows of 3 to 7 parameters,
    2048 of up to 15)."""
    largest = _MAX_ROWS
    while largest * width > _MAX_VARIABLES:
        largest //= 2
    return tuple(1 << n for n in range(largest.bit_length() - 1, -1, -1))


# Open and close merge into one row whatever their order. When two opens (or
# two closes) of one connection carry different event ids, the smallest
# (at, event id) wins, so the result does not depend on arrival order.
_UPSERT_OPENED = """
INSERT INTO connections (app, user_id, conn_key, connection_id, opened_at, open_event,
    sdk_version, platform, ip, device_model, os_version)
VALUES {values}
ON CONFLICT (app, user_id, conn_key) DO UPDATE SET
    opened_at = excluded.opened_at, open_event = excluded.open_event,
    sdk_version = excluded.sdk_version, platform = excluded.platform, ip = excluded.ip,
    device_model = excluded.device_model, os_version = excluded.os_version
WHERE connections.opened_at IS NULL
    OR (excluded.opened_at, excluded.open_event) < (connections.opened_at, connections.open_event)
"""

_UPSERT_CLOSED = """
INSERT INTO connections (app, user_id, conn_key, connection_id, closed_at, close_event, reason)
VALUES {values}
ON CONFLICT (app, user_id, conn_key) DO UPDATE SET
    closed_at = excluded.closed_at, close_event = excluded.close_event, reason = excluded.reason
WHERE connections.closed_at IS NULL
    OR (excluded.closed_at, excluded.close_event) < (connections.closed_at, connections.close_event)
"""

_INSERT_REJECTED = """
INSERT INTO connections (app, user_id, conn_key, opened_at, open_event, sdk_version, platform,
    ip, device_model, os_version, closed_at, reject_code, reject_description)
VALUES {values}
ON CONFLICT (app, user_id, conn_key) DO NOTHING
"""

_UPSERT_MESSAGE = """
INSERT INTO messages (app, msg_key, event_id, msg_uid, sender_id, target_id, channel_type,
    message_type, source, sent_at, result, mute_scope, connection_id)
VALUES {values}
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
VALUES {values}
"""

_INSERT_PUSH = """
INSERT INTO push_attempts (app, msg_uid, recipient_id, provider, at, success, error_code,
    error_description)
VALUES {values}
"""

_UPSERT_MARKS = f"""
INSERT INTO receipts ({documents.MARKS_COLUMNS})
VALUES {{values}}
ON CONFLICT (app, msg_uid, recipient_id) DO UPDATE SET
    status_key = max(status_key, excluded.status_key), skip_key = max(skip_key, excluded.skip_key),
    push_at = max(push_at, excluded.push_at), push_ok_at = max(push_ok_at, excluded.push_ok_at)
"""


def upsert_receipts(conn: sqlite3.Connection, marks: dict[ReceiptKey, Marks]) -> None:
    """Merge marks into the stored receipts (``store.receipts``)."""
    rows = [documents.marks_row(key, m) for key, m in marks.items()]
    _insert(conn, _UPSERT_MARKS, 7, rows)


_WRITES: dict[type, tuple[str, int, Callable[[Any], documents.Row]]] = {
    ConnectionOpened: (_UPSERT_OPENED, 11, documents.opened_row),
    ConnectionClosed: (_UPSERT_CLOSED, 7, documents.closed_row),
    ConnectionRejected: (_INSERT_REJECTED, 13, documents.rejected_row),
    MessageSent: (_UPSERT_MESSAGE, 13, documents.message_row),
    ReceiptChanged: (_INSERT_RECEIPT, 6, documents.receipt_row),
    PushAttempted: (_INSERT_PUSH, 8, documents.push_row),
}
"""Event type -> (statement, columns a row, row maker)."""

_INSERT_SEEN = "INSERT INTO seen_events (app, event_id, at) VALUES {values}"
_RECORD_SEEN = _INSERT_SEEN + " ON CONFLICT DO NOTHING RETURNING app, event_id"


@lru_cache(maxsize=256)
def _sql(template: str, width: int, rows: int) -> str:
    row = "(" + ",".join("?" * width) + ")"
    return template.format(values=",".join([row] * rows))


def _chunks(rows: Sequence[Any]) -> Iterator[Sequence[Any]]:
    """``rows`` cut into runs whose lengths are in ``_CHUNKS``."""
    start = 0
    for size in _CHUNKS:
        while len(rows) - start >= size:
            yield rows[start : start + size]
            start += size


def _insert(conn: sqlite3.Connection, template: str, width: int, rows: Sequence[Any]) -> None:
    for chunk in _chunks(rows):
        conn.execute(_sql(template, width, len(chunk)), list(chain.from_iterable(chunk)))


def _new_events(conn: sqlite3.Connection, events: Sequence[Event]) -> list[Event]:
    """Record the events' ids; return the events whose id was not stored before.

    One plain INSERT a chunk: in the usual case (no id seen before) it is all
    it takes. When it fails on an id already stored, SQLite undoes that one
    statement and the chunk goes again with ``RETURNING``, which says which ids
    are new."""
    new: list[Event] = []
    for chunk in _chunks(events):
        params = list(chain.from_iterable((e.app, e.event_id, e.at) for e in chunk))
        try:
            conn.execute(_sql(_INSERT_SEEN, 3, len(chunk)), params)
        except sqlite3.IntegrityError:
            cursor = conn.execute(_sql(_RECORD_SEEN, 3, len(chunk)), params)
            fresh = set(cursor.fetchall())
            new.extend(e for e in chunk if (e.app, e.event_id) in fresh)
        else:
            new.extend(chunk)
    return new


def write_batch(conn: sqlite3.Connection, events: Sequence[Event]) -> WriteResult:
    """Store the new events of a batch in one transaction; count the rest as duplicates."""
    return write_batches(conn, [events])[0]


def write_batches(
    conn: sqlite3.Connection, batches: Sequence[Sequence[Event]]
) -> list[WriteResult]:
    """Store several batches in one transaction (a group commit), as if written one
    after the other: an id repeated in a later batch is that batch's duplicate."""
    first: dict[tuple[str, str], Event] = {}
    introduced: list[list[tuple[str, str]]] = []
    for events in batches:
        mine = []
        for e in events:
            key = (e.app, e.event_id)
            if key not in first:
                first[key] = e
                mine.append(key)
        introduced.append(mine)
    if not first:
        return [WriteResult(accepted=0, duplicates=len(events)) for events in batches]
    unique = list(first.values())
    conn.execute("BEGIN IMMEDIATE")
    try:
        new = _new_events(conn, unique)
        by_type: dict[type, list[documents.Row]] = {}
        for e in new:
            by_type.setdefault(type(e), []).append(_WRITES[type(e)][2](e))
        for kind, rows in by_type.items():
            template, width, _ = _WRITES[kind]
            _insert(conn, template, width, rows)
        receipt_events = [e for e in new if isinstance(e, ReceiptChanged | PushAttempted)]
        if receipt_events:
            upsert_receipts(conn, fold(receipt_events))
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    if len(new) == len(unique):  # the usual case: every id was new
        counts = [len(keys) for keys in introduced]
    else:
        fresh = {(e.app, e.event_id) for e in new}
        counts = [sum(key in fresh for key in keys) for keys in introduced]
    return [
        WriteResult(accepted=n, duplicates=len(events) - n)
        for n, events in zip(counts, batches, strict=True)
    ]


# --- the prepared path ---------------------------------------------------------------
# The rows of a batch are made by :func:`prepare` on the caller's thread (the event
# loop, while the writer thread is inside SQLite without the GIL), as flat parameter
# lists: the writer thread then only slices them into statements. That is all the
# Python it runs in the usual case, every event id new.


@dataclass(slots=True)
class Prepared:
    """A batch with its rows made: ``seen`` the flat (app, event id, at) of every
    event, ``rows`` the flat row parameters of each event type, ``marks`` the flat
    rows of its receipts' marks (folded: one row a receipt)."""

    events: list[Event]
    seen: list[Any]
    rows: dict[type, list[Any]]
    marks: list[Any]


_MAKERS = {kind: maker for kind, (_, _, maker) in _WRITES.items()}


def prepare(events: Sequence[Event]) -> Prepared:
    """The rows of a batch, as if every event in it were new (:func:`write_prepared`
    falls back to :func:`write_batches` when one is not). The marks are those
    ``store.receipts.fold`` gives, folded here without a ``Marks`` an event."""
    events = list(events)
    seen: list[Any] = []
    add_seen = seen.extend
    rows: dict[type, list[Any]] = {}
    folded: dict[ReceiptKey, list[int]] = {}
    makers = _MAKERS
    for e in events:
        kind = type(e)
        add_seen((e.app, e.event_id, e.at))
        flat = rows.get(kind)
        if flat is None:
            flat = rows[kind] = []
        flat.extend(makers[kind](e))
        if type(e) is ReceiptChanged:
            key = (e.app, e.msg_uid, e.recipient_id)
            status = status_key(e.status, e.at)
            skip = skip_key(status, e.push_skipped)
            m = folded.get(key)
            if m is None:
                folded[key] = [status, skip, 0, 0]
            else:
                if status > m[0]:
                    m[0] = status
                if skip > m[1]:
                    m[1] = skip
        elif type(e) is PushAttempted:
            key = (e.app, e.msg_uid, e.recipient_id)
            at = e.at
            ok_at = at if e.success else 0
            m = folded.get(key)
            if m is None:
                folded[key] = [0, 0, at, ok_at]
            else:
                if at > m[2]:
                    m[2] = at
                if ok_at > m[3]:
                    m[3] = ok_at
    marks: list[Any] = []
    add_mark = marks.extend
    for key, m in folded.items():
        add_mark(key)
        add_mark(m)
    return Prepared(events, seen, rows, marks)


def _insert_flat(conn: sqlite3.Connection, template: str, width: int, flat: list[Any]) -> None:
    """Insert rows given as one flat parameter list, in as few statements as
    :func:`_sizes` allows (one statement is one GIL release and one reacquire)."""
    count = len(flat) // width
    start = 0
    for size in _sizes(width):
        while count - start >= size:
            conn.execute(_sql(template, width, size), flat[start * width : (start + size) * width])
            start += size


def _joined(parts: list[list[Any]]) -> list[Any]:
    if len(parts) == 1:
        return parts[0]
    joined: list[Any] = []
    for part in parts:  # list.extend copies a list's items in C; chain() steps one by one
        joined.extend(part)
    return joined


def write_prepared(conn: sqlite3.Connection, batches: Sequence[Prepared]) -> list[WriteResult]:
    """:func:`write_batches` of prepared batches. The ids go in first with a plain
    INSERT; when one of them was stored before (or repeats in the group), SQLite
    refuses it, the transaction is undone and the group is written by
    :func:`write_batches`, which sorts the new events from the duplicates."""
    seen = _joined([p.seen for p in batches])
    if not seen:
        return [WriteResult(accepted=0, duplicates=0) for _ in batches]
    conn.execute("BEGIN IMMEDIATE")
    try:
        try:
            _insert_flat(conn, _INSERT_SEEN, 3, seen)
        except sqlite3.IntegrityError:
            conn.execute("ROLLBACK")
            return write_batches(conn, [p.events for p in batches])
        for kind, (template, width, _) in _WRITES.items():
            parts = [flat for p in batches if (flat := p.rows.get(kind))]
            if parts:
                _insert_flat(conn, template, width, _joined(parts))
        marks = [p.marks for p in batches if p.marks]
        if marks:
            _insert_flat(conn, _UPSERT_MARKS, 7, _joined(marks))
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return [WriteResult(accepted=len(p.events), duplicates=0) for p in batches]


def create_key(conn: sqlite3.Connection, key: ApiKey) -> None:
    conn.execute(
        f"INSERT INTO api_keys ({documents.KEY_COLUMNS}) VALUES (?,?,?,?,?,?)",
        documents.key_row(key),
    )


def revoke_key(conn: sqlite3.Connection, key_id: str, now: int) -> bool:
    cur = conn.execute(
        "UPDATE api_keys SET revoked_at = ? WHERE key_id = ? AND revoked_at IS NULL", (now, key_id)
    )
    return cur.rowcount > 0
