"""A user's connection timeline around instants: the connection open at each
instant, the next one opened after it, the last one closed before it
(``store.interface.TrackingReader.connections_at`` and its siblings).

One statement a distinct key (the same text each time, so prepared once a
connection), each an index range on ``connections_timeline`` (app, user_id,
opened_at, conn_key, closed_at), partial on ``reject_code IS NULL``, with
``LIMIT 1``. Ties are broken by ``conn_key``, never by row id, so that the
answer does not depend on the order in which events arrived; the index holds
the tie-breaker, so the first row that matches is the answer (no sort), and
``closed_at``, so that the connections passed over on the way to it (those
closed before the instant) are read from the index alone. Each range has one
lower bound (the later of the horizon and the instant, for the next
connection): with two, SQLite starts at one and filters by the other. A UNION
ALL of the keys was slower: each new number of keys prepared a statement of a
few hundred arms.
"""

import sqlite3
from collections.abc import Callable, Sequence

from store.records import ConnectionLog
from store.sqlite import documents

Keys = Sequence[tuple[str, int]]
Bounds = tuple[int, ...]

_LIVE = (
    f"SELECT {documents.CONNECTION_COLUMNS} FROM connections INDEXED BY connections_timeline"
    " WHERE app = ? AND user_id = ? AND reject_code IS NULL"
)
"""Opened and not a rejected attempt (a close whose open has not arrived has
opened_at NULL and fails every range on it)."""

_OPEN_AT = (
    f"{_LIVE} AND opened_at >= ? AND opened_at <= ? AND (closed_at IS NULL OR closed_at > ?)"
    " ORDER BY opened_at DESC, conn_key DESC LIMIT 1"
)
_NEXT = f"{_LIVE} AND opened_at > ? ORDER BY opened_at ASC, conn_key ASC LIMIT 1"
_PREVIOUS = (
    f"{_LIVE} AND opened_at >= ? AND opened_at <= ? AND closed_at <= ?"
    " ORDER BY closed_at DESC, opened_at DESC, conn_key DESC LIMIT 1"
)


def _first_of_each(
    conn: sqlite3.Connection, app: str, keys: Keys, sql: str, bounds: Callable[[int], Bounds]
) -> list[ConnectionLog | None]:
    found: dict[tuple[str, int], ConnectionLog | None] = {}
    for key in keys:
        if key not in found:
            user_id, instant = key
            row = conn.execute(sql, (app, user_id, *bounds(instant))).fetchone()
            found[key] = None if row is None else documents.connection_log(row)
    return [found[key] for key in keys]


def connections_at(
    conn: sqlite3.Connection, app: str, keys: Keys, horizon: int
) -> list[ConnectionLog | None]:
    return _first_of_each(conn, app, keys, _OPEN_AT, lambda at: (horizon, at, at))


def next_connections(
    conn: sqlite3.Connection, app: str, keys: Keys, horizon: int
) -> list[ConnectionLog | None]:
    return _first_of_each(conn, app, keys, _NEXT, lambda at: (max(at, horizon - 1),))


def previous_connections(
    conn: sqlite3.Connection, app: str, keys: Keys, horizon: int
) -> list[ConnectionLog | None]:
    return _first_of_each(conn, app, keys, _PREVIOUS, lambda at: (horizon, at, at))
