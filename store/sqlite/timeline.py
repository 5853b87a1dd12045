"""A user's connection timeline around instants: the connection open at each
instant, the next one opened after it, the last one closed before it
(``store.interface.TrackingReader.connections_at`` and its siblings).

One UNION ALL of per-key sub-queries a chunk, each an index range on
``connections_by_user`` (app, user_id, opened_at) with ``LIMIT 1``. Ties are
broken by ``conn_key``, never by row id, so that the answer does not depend on
the order in which events arrived.
"""

import sqlite3
from collections.abc import Sequence
from typing import Any

from store.records import ConnectionLog
from store.sqlite import documents
from store.sqlite.reader import ARMS, chunks

Keys = Sequence[tuple[str, int]]

_LIVE = "app = ? AND user_id = ? AND opened_at >= ? AND reject_code IS NULL"
"""Opened and not a rejected attempt, within retention (a close whose open has
not arrived has opened_at NULL and fails the range)."""

_OPEN_AT = (
    f"{_LIVE} AND opened_at <= ? AND (closed_at IS NULL OR closed_at > ?)"
    " ORDER BY opened_at DESC, conn_key DESC"
)
_NEXT = f"{_LIVE} AND opened_at > ? ORDER BY opened_at ASC, conn_key ASC"
_PREVIOUS = (
    f"{_LIVE} AND opened_at <= ? AND closed_at <= ?"
    " ORDER BY closed_at DESC, opened_at DESC, conn_key DESC"
)


def _first_of_each(
    conn: sqlite3.Connection, app: str, keys: Keys, horizon: int, where: str, instants: int
) -> list[ConnectionLog | None]:
    unique = list(dict.fromkeys(keys))
    found: dict[tuple[str, int], ConnectionLog] = {}
    for chunk in chunks(len(unique), ARMS):
        arms: list[str] = []
        params: list[Any] = []
        for i in chunk:
            user_id, instant = unique[i]
            arms.append(
                f"SELECT * FROM (SELECT {i}, {documents.CONNECTION_COLUMNS}"
                f" FROM connections WHERE {where} LIMIT 1)"
            )
            params += [app, user_id, horizon, *([instant] * instants)]
        for row in conn.execute(" UNION ALL ".join(arms), params):
            found[unique[row[0]]] = documents.connection_log(row[1:])
    return [found.get(key) for key in keys]


def connections_at(
    conn: sqlite3.Connection, app: str, keys: Keys, horizon: int
) -> list[ConnectionLog | None]:
    return _first_of_each(conn, app, keys, horizon, _OPEN_AT, 2)


def next_connections(
    conn: sqlite3.Connection, app: str, keys: Keys, horizon: int
) -> list[ConnectionLog | None]:
    return _first_of_each(conn, app, keys, horizon, _NEXT, 1)


def previous_connections(
    conn: sqlite3.Connection, app: str, keys: Keys, horizon: int
) -> list[ConnectionLog | None]:
    return _first_of_each(conn, app, keys, horizon, _PREVIOUS, 2)
