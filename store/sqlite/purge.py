"""Retention: delete what is older than the horizon, in small transactions.

No table has an index on time (each would slow every write), so a purge scans
each table once. It scans in ranges of its primary key, one short transaction a
range, so that ingest batches run between the ranges instead of waiting for
the whole purge.
"""

import sqlite3

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


def purge_seen_range(
    conn: sqlite3.Connection, after: tuple[str, str], horizon: int
) -> tuple[str, str] | None:
    """Forget the old event ids among the next STEP ids after ``after``; return
    where the next range starts, or None when the table is done.

    Safe because ingest rejects an event older than the horizon: an id can only
    be forgotten once no event carrying it could be accepted again.
    """
    boundary = conn.execute(
        "SELECT app, event_id FROM seen_events WHERE (app, event_id) > (?, ?)"
        " ORDER BY app, event_id LIMIT 1 OFFSET ?",
        (*after, STEP - 1),
    ).fetchone()
    if boundary is None:
        conn.execute(
            "DELETE FROM seen_events WHERE (app, event_id) > (?, ?) AND at < ?", (*after, horizon)
        )
        return None
    conn.execute(
        "DELETE FROM seen_events WHERE (app, event_id) > (?, ?) AND (app, event_id) <= (?, ?)"
        " AND at < ?",
        (*after, *boundary, horizon),
    )
    return boundary[0], boundary[1]
