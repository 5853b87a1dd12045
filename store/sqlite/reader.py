"""The read path: one SQL statement answers a whole batch of inputs.

Runs on the reader threads. Every statement binds the app and the retention
horizon, so nothing of another app or older than the horizon comes back.
"""

import sqlite3
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from store.records import (
    ApiKey,
    ConnectionLog,
    ConnectionQuery,
    Edge,
    MessageQuery,
    Page,
    PageRequest,
    SentMessage,
    message_key,
)
from store.sqlite import documents

T = TypeVar("T")
Q = TypeVar("Q")
Filter = tuple[str, list[Any]]

ARMS = 200
"""Sub-queries per UNION ALL statement (SQLite allows 500 compound terms)."""
IN = 500
"""Values per IN list."""


def chunks(n: int, size: int) -> list[range]:
    return [range(start, min(start + size, n)) for start in range(0, n, size)]


# --- filters -------------------------------------------------------------------


def _connection_filter(app: str, q: ConnectionQuery, horizon: int) -> Filter:
    """Logs of the user open at any time in [since, until). A close whose open has
    not arrived has opened_at NULL and fails `opened_at >= ?`."""
    sql = (
        "FROM connections WHERE app = ? AND user_id = ? AND opened_at >= ? AND opened_at < ?"
        " AND (closed_at IS NULL OR closed_at >= ?)"
    )
    return sql, [app, q.user_id, horizon, q.until, q.since]


def message_filter(app: str, q: MessageQuery, horizon: int) -> Filter:
    sql = "FROM messages WHERE app = ? AND sent_at >= ? AND sent_at < ?"
    params: list[Any] = [app, max(q.since, horizon), q.until]
    conditions = (
        ("sender_id", q.sender_id),
        ("msg_key", None if q.msg_uid is None else message_key(q.msg_uid, "")),
        ("target_id", q.target_id),
        ("channel_type", None if q.channel_type is None else q.channel_type.value),
        ("message_type", q.message_type),
        ("source", None if q.source is None else q.source.value),
    )
    for column, value in conditions:
        if value is not None:
            sql += f" AND {column} = ?"
            params.append(value)
    return sql, params


# --- pages and counts -----------------------------------------------------------


def _pages(
    conn: sqlite3.Connection,
    requests: Sequence[PageRequest[Q]],
    kind: str,
    sort_column: str,
    columns: str,
    build_filter: Callable[[Q], Filter],
    to_record: Callable[[documents.Row], T],
) -> list[Page[T]]:
    """Keyset pages, newest first by (sort_column, id): one UNION ALL of
    per-request sub-queries, each fetching first + 1 rows, tagged by index."""
    afters = [None if r.after is None else documents.decode_cursor(kind, r.after) for r in requests]
    rows: list[list[documents.Row]] = [[] for _ in requests]
    for chunk in chunks(len(requests), ARMS):
        arms: list[str] = []
        params: list[Any] = []
        for i in chunk:
            where, arm_params = build_filter(requests[i].query)
            after = afters[i]
            if after is not None:
                where += f" AND {sort_column} <= ? AND ({sort_column} < ? OR id < ?)"
                arm_params += [after[0], after[0], after[1]]
            arms.append(
                f"SELECT * FROM (SELECT {i}, id, {sort_column}, {columns} {where}"
                f" ORDER BY {sort_column} DESC, id DESC LIMIT ?)"
            )
            params += [*arm_params, max(requests[i].first, 0) + 1]
        for row in conn.execute(" UNION ALL ".join(arms), params):
            rows[row[0]].append(row)
    pages: list[Page[T]] = []
    for request, found in zip(requests, rows, strict=True):
        found.sort(key=lambda r: (r[2], r[1]), reverse=True)
        first = max(request.first, 0)
        edges = [
            Edge(documents.encode_cursor(kind, r[2], r[1]), to_record(r[3:])) for r in found[:first]
        ]
        pages.append(Page(edges=edges, has_next_page=len(found) > first))
    return pages


def _counts(conn: sqlite3.Connection, filters: Sequence[Filter]) -> list[int]:
    counts = [0] * len(filters)
    for chunk in chunks(len(filters), ARMS):
        arms = [f"SELECT {i}, count(*) {filters[i][0]}" for i in chunk]
        params = [p for i in chunk for p in filters[i][1]]
        for index, count in conn.execute(" UNION ALL ".join(arms), params):
            counts[index] = count
    return counts


def connection_pages(
    conn: sqlite3.Connection,
    app: str,
    requests: Sequence[PageRequest[ConnectionQuery]],
    horizon: int,
) -> list[Page[ConnectionLog]]:
    def build(q: ConnectionQuery) -> Filter:
        return _connection_filter(app, q, horizon)

    columns = documents.CONNECTION_COLUMNS
    return _pages(conn, requests, "c", "opened_at", columns, build, documents.connection_log)


def count_connections(
    conn: sqlite3.Connection, app: str, queries: Sequence[ConnectionQuery], horizon: int
) -> list[int]:
    return _counts(conn, [_connection_filter(app, q, horizon) for q in queries])


def message_pages(
    conn: sqlite3.Connection,
    app: str,
    requests: Sequence[PageRequest[MessageQuery]],
    horizon: int,
) -> list[Page[SentMessage]]:
    def build(q: MessageQuery) -> Filter:
        return message_filter(app, q, horizon)

    columns = documents.MESSAGE_COLUMNS
    return _pages(conn, requests, "m", "sent_at", columns, build, documents.sent_message)


def count_messages(
    conn: sqlite3.Connection, app: str, queries: Sequence[MessageQuery], horizon: int
) -> list[int]:
    return _counts(conn, [message_filter(app, q, horizon) for q in queries])


# --- lookups by key ----------------------------------------------------------------


def connections_by_key(
    conn: sqlite3.Connection, app: str, keys: Sequence[tuple[str, str]], horizon: int
) -> list[ConnectionLog | None]:
    found: dict[tuple[str, str], ConnectionLog] = {}
    unique = list(dict.fromkeys(keys))
    for chunk in chunks(len(unique), IN):
        values = ",".join(["(?,?)"] * len(chunk))
        # CROSS JOIN keeps the keys as the outer loop: one unique-index probe a key.
        columns = ", ".join(f"c.{name.strip()}" for name in documents.CONNECTION_COLUMNS.split(","))
        sql = (
            f"SELECT {columns} FROM (VALUES {values}) AS k CROSS JOIN connections AS c"
            " ON c.app = ? AND c.user_id = k.column1 AND c.conn_key = k.column2"
            " WHERE c.opened_at >= ?"
        )
        params = [*(v for i in chunk for v in unique[i]), app, horizon]
        for row in conn.execute(sql, params):
            found[(row[1], row[0])] = documents.connection_log(row)
    return [found.get(key) for key in keys]


def messages_by_key(
    conn: sqlite3.Connection, app: str, keys: Sequence[str], horizon: int
) -> list[SentMessage | None]:
    found: dict[str, SentMessage] = {}
    unique = list(dict.fromkeys(keys))
    for chunk in chunks(len(unique), IN):
        marks = ",".join("?" * len(chunk))
        sql = (
            f"SELECT {documents.MESSAGE_COLUMNS} FROM messages"
            f" WHERE app = ? AND sent_at >= ? AND msg_key IN ({marks})"
        )
        for row in conn.execute(sql, [app, horizon, *(unique[i] for i in chunk)]):
            found[row[0]] = documents.sent_message(row)
    return [found.get(key) for key in keys]


# --- keys ------------------------------------------------------------------------------


def list_keys(conn: sqlite3.Connection) -> list[ApiKey]:
    sql = f"SELECT {documents.KEY_COLUMNS} FROM api_keys ORDER BY created_at, key_id"
    return [documents.api_key(row) for row in conn.execute(sql)]


def key_by_hash(conn: sqlite3.Connection, secret_hash: str) -> ApiKey | None:
    sql = (
        f"SELECT {documents.KEY_COLUMNS} FROM api_keys WHERE secret_hash = ? AND revoked_at IS NULL"
    )
    row = conn.execute(sql, (secret_hash,)).fetchone()
    return None if row is None else documents.api_key(row)
