"""Retention: delete what is older than the horizon, in small transactions.

No table has an index on time (each would slow every write), so a purge scans
each table once (the stored receipts twice). It scans in ranges of its primary
key, one short transaction a range, so that ingest batches run between the
ranges instead of waiting for the whole purge. In what order the tables go, and
why: ``SqliteStore.purge``.
"""

import sqlite3
from collections.abc import Callable
from typing import Any

from store.receipts import skip_floor, status_floor

STEP = 20_000
"""Rows of primary key range per transaction."""

# Table -> condition for "older than the horizon". A connection goes by its
# open time, or by its close time while its open has not arrived.
ROWID_TABLES: dict[str, str] = {
    "connections": "COALESCE(opened_at, closed_at) < ?",
    "messages": "sent_at < ?",
    "receipt_events": "at < ?",
    "push_attempts": "at < ?",
}


def rowid_bounds(conn: sqlite3.Connection, table: str) -> tuple[int, int] | None:
    low, high = conn.execute(f"SELECT min(rowid), max(rowid) FROM {table}").fetchone()
    return None if low is None else (low, high)


def purge_rowid_range(
    conn: sqlite3.Connection, table: str, low: int, high: int, horizon: int
) -> int:
    """Delete the old rows with low <= rowid < high; how many went."""
    condition = ROWID_TABLES[table]
    sql = f"DELETE FROM {table} WHERE rowid >= ? AND rowid < ? AND {condition}"
    return conn.execute(sql, (low, high, horizon)).rowcount


def _receipts_gone(horizon: int) -> list[int]:
    return [status_floor(horizon), horizon]


KEY_TABLES: dict[str, tuple[tuple[str, ...], str, Callable[[int], list[int]]]] = {
    "seen_events": (("app", "event_id"), "at < ?", lambda horizon: [horizon]),
    "receipts": (
        ("app", "msg_uid", "recipient_id"),
        "status_key < ? AND push_at < ?",
        _receipts_gone,
    ),
}
"""WITHOUT ROWID tables, purged in ranges of their primary key: (key columns,
condition for "older than the horizon", its parameters). A stored receipt goes
once its latest status event and its latest push attempt are both old."""


_CLEAR_OLD_MARKS = """
UPDATE receipts SET
    status_key = CASE WHEN status_key < :floor THEN 0 ELSE status_key END,
    skip_key = CASE WHEN skip_key < :skip_floor THEN 0 ELSE skip_key END,
    push_at = CASE WHEN push_at < :horizon THEN 0 ELSE push_at END,
    push_ok_at = CASE WHEN push_ok_at < :horizon THEN 0 ELSE push_ok_at END
WHERE {range} ((status_key > 0 AND status_key < :floor) OR (skip_key > 0 AND skip_key < :skip_floor)
    OR (push_at > 0 AND push_at < :horizon) OR (push_ok_at > 0 AND push_ok_at < :horizon))
"""
"""A stored receipt that stays forgets its old marks too, as its purged events
are forgotten (so that a reader with a longer retention sees what was kept)."""


def _clear_old_marks(
    conn: sqlite3.Connection, low: tuple[Any, ...], high: tuple[Any, ...], horizon: int
) -> None:
    """In the range of keys after ``low``, up to ``high`` included (either empty
    for an open end)."""
    where = ""
    params: dict[str, Any] = {
        "floor": status_floor(horizon),
        "skip_floor": skip_floor(horizon),
        "horizon": horizon,
    }
    if low:
        where += "(app, msg_uid, recipient_id) > (:a0, :m0, :r0) AND "
        params.update(a0=low[0], m0=low[1], r0=low[2])
    if high:
        where += "(app, msg_uid, recipient_id) <= (:a1, :m1, :r1) AND "
        params.update(a1=high[0], m1=high[1], r1=high[2])
    conn.execute(_CLEAR_OLD_MARKS.format(range=where), params)


def purge_key_range(
    conn: sqlite3.Connection, table: str, after: tuple[str, ...], horizon: int
) -> tuple[str, ...] | None:
    """Delete the old rows among the next STEP keys after ``after`` (``()``: from
    the start); return where the next range starts, or None when the table is done.

    Forgetting old event ids is safe because ingest rejects an event older than
    the horizon: an id can only be forgotten once no event carrying it could be
    accepted again.
    """
    columns, condition, params_of = KEY_TABLES[table]
    key = ", ".join(columns)
    marks = ", ".join("?" * len(columns))
    start = f"({key}) > ({marks}) AND " if after else ""
    boundary = conn.execute(
        f"SELECT {key} FROM {table} WHERE {start}1 ORDER BY {key} LIMIT 1 OFFSET ?",
        (*after, STEP - 1),
    ).fetchone()
    gone = params_of(horizon)
    if boundary is None:
        conn.execute(f"DELETE FROM {table} WHERE {start}{condition}", (*after, *gone))
    else:
        conn.execute(
            f"DELETE FROM {table} WHERE {start}({key}) <= ({marks}) AND {condition}",
            (*after, *boundary, *gone),
        )
    if table == "receipts":
        _clear_old_marks(conn, after, tuple(boundary or ()), horizon)
    return None if boundary is None else tuple(boundary)
