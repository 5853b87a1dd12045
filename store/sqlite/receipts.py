"""The receipt reads: stored receipts paged, counted and summed, and the events
of the receipts on a page.

Runs on the reader threads; each function is one or two statements for the
whole batch (UNION ALL arms per request, or a join with the batch's keys), and
reads O(first) rows a page: the ``receipts`` table is clustered by (app,
msg_uid, recipient_id), so a page is an index range read in recipient order
and a summary one contiguous scan of its message (no Python loop per recipient).
"""

import sqlite3
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from store.catalogue import STATUS_RANK
from store.model import ReceiptStatus
from store.receipts import (
    RANKS,
    pending_listed,
    rank,
    receipt_counts,
    status_floor,
    stored_listed,
    stored_receipt,
)
from store.records import (
    Edge,
    Page,
    PageRequest,
    PushAttempt,
    Receipt,
    ReceiptCounts,
    ReceiptEventRecord,
    ReceiptQuery,
    ReceiptScope,
    StatusChange,
)
from store.sqlite import documents
from store.sqlite.reader import ARMS, IN, chunks

T = TypeVar("T")
Arm = tuple[str, list[Any]]

_RANK = " ".join(f"WHEN '{s.value}' THEN {r}" for s, r in STATUS_RANK.items())
_PENDING = (
    "SELECT {i}, ?, 0, 0 WHERE NOT EXISTS (SELECT 1 FROM receipts"
    " WHERE app = ? AND msg_uid = ? AND recipient_id = ? AND status_key >= ?)"
)


def _where(app: str, q: ReceiptQuery, floor: int, after: str | None) -> Arm:
    sql = "FROM receipts WHERE app = ? AND msg_uid = ? AND status_key >= ?"
    params: list[Any] = [app, q.scope.msg_uid, floor]
    if q.recipient_id is not None:
        sql += " AND recipient_id = ?"
        params.append(q.recipient_id)
    if q.status is not None:
        sql += " AND status_key % ? = ?"
        params += [RANKS, rank(q.status)]
    if after is not None:
        sql += " AND recipient_id > ?"
        params.append(after)
    return sql, params


def _pending(i: int, app: str, scope: ReceiptScope, floor: int) -> Arm:
    target = scope.pending_target
    return _PENDING.format(i=i), [target, app, scope.msg_uid, target, floor]


def _run(conn: sqlite3.Connection, arms: list[Arm]) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = []
    for start in range(0, len(arms), ARMS):
        part = arms[start : start + ARMS]
        sql = " UNION ALL ".join(a[0] for a in part)
        rows += conn.execute(sql, [p for a in part for p in a[1]]).fetchall()
    return rows


def receipt_pages(
    conn: sqlite3.Connection,
    app: str,
    requests: Sequence[PageRequest[ReceiptQuery]],
    horizon: int,
) -> list[Page[Receipt]]:
    floor = status_floor(horizon)
    arms: list[Arm] = []
    for i, r in enumerate(requests):
        if stored_listed(r.query):
            where, params = _where(app, r.query, floor, r.after)
            sql = (
                f"SELECT * FROM (SELECT {i}, recipient_id, status_key, skip_key {where}"
                " ORDER BY recipient_id LIMIT ?)"
            )
            arms.append((sql, [*params, max(r.first, 0) + 1]))
        if pending_listed(r.query, r.after):
            arms.append(_pending(i, app, r.query.scope, floor))
    found: list[list[tuple[int, str, int, int]]] = [[] for _ in requests]
    for row in _run(conn, arms):
        found[row[0]].append(row)
    for rows in found:
        rows.sort(key=lambda row: row[1])
    keys = [
        (r.query.scope.msg_uid, row[1])
        for r, rows in zip(requests, found, strict=True)
        for row in rows[: max(r.first, 0)]
    ]
    histories = _histories(conn, app, keys, horizon)
    pages: list[Page[Receipt]] = []
    for r, rows in zip(requests, found, strict=True):
        uid, first = r.query.scope.msg_uid, max(r.first, 0)
        edges = [
            Edge(row[1], stored_receipt(uid, *row[1:4], horizon, histories.get((uid, row[1]), ())))
            for row in rows[:first]
        ]
        pages.append(Page(edges=edges, has_next_page=len(rows) > first))
    return pages


def count_receipts(
    conn: sqlite3.Connection, app: str, queries: Sequence[ReceiptQuery], horizon: int
) -> list[int]:
    floor = status_floor(horizon)
    arms: list[Arm] = []
    for i, q in enumerate(queries):
        if stored_listed(q):
            where, params = _where(app, q, floor, None)
            arms.append((f"SELECT {i}, count(*), 0, 0 {where}", params))
        if pending_listed(q):
            arms.append(_pending(i, app, q.scope, floor))
    counts = [0] * len(queries)
    for row in _run(conn, arms):
        counts[row[0]] += row[1] if isinstance(row[1], int) else 1
    return counts


def receipt_summaries(
    conn: sqlite3.Connection, app: str, scopes: Sequence[ReceiptScope], horizon: int
) -> list[ReceiptCounts]:
    """One aggregate a message (visible receipts by rank, recipients by push
    outcome: ``FILTER`` clauses, the cheapest per row), and one primary-key
    probe a PENDING target."""
    floor = status_floor(horizon)
    ranks = sorted(STATUS_RANK.values())
    by_rank = ", ".join(
        f"count(*) FILTER (WHERE status_key >= ?1 AND status_key % {RANKS} = {r})" for r in ranks
    )
    sql = (
        f"SELECT {by_rank}, count(*) FILTER (WHERE push_ok_at >= ?2),"
        " count(*) FILTER (WHERE push_at >= ?2 AND push_ok_at < ?2)"
        " FROM receipts WHERE app = ?3 AND msg_uid = ?4"
    )
    seen = _with_status(conn, app, scopes, floor)
    summaries = []
    for scope in scopes:
        *counted, ok, failed = conn.execute(sql, [floor, horizon, app, scope.msg_uid]).fetchone()
        pending = scope.pending_target is not None and scope not in seen
        summaries.append(
            receipt_counts(dict(zip(ranks, counted, strict=True)), pending, ok, failed)
        )
    return summaries


def _with_status(
    conn: sqlite3.Connection, app: str, scopes: Sequence[ReceiptScope], floor: int
) -> set[ReceiptScope]:
    """The scopes whose PENDING target has a visible status (then it is not PENDING)."""
    arms = [
        (
            f"SELECT {i}, 0, 0, 0 FROM receipts WHERE app = ? AND msg_uid = ?"
            " AND recipient_id = ? AND status_key >= ?",
            [app, s.msg_uid, s.pending_target, floor],
        )
        for i, s in enumerate(scopes)
        if s.pending_target is not None
    ]
    return {scopes[row[0]] for row in _run(conn, arms)}


def receipt_reads(
    conn: sqlite3.Connection,
    app: str,
    pages: Sequence[PageRequest[ReceiptQuery]],
    scopes: Sequence[ReceiptScope],
    horizon: int,
) -> tuple[list[Page[Receipt]], list[ReceiptCounts]]:
    """Pages and summaries in one read transaction: one snapshot of the file."""
    conn.execute("BEGIN")
    try:
        return (
            receipt_pages(conn, app, pages, horizon),
            receipt_summaries(conn, app, scopes, horizon),
        )
    finally:
        conn.execute("COMMIT")


_BY_RECIPIENT = {
    "receipt_events": "receipt_events_by_recipient",
    "push_attempts": "push_attempts_by_recipient",
}
"""The index a page's events are read by. Named, because without it SQLite's planner
(no ANALYZE statistics) chose, for a few hundred keys, to build an automatic index
over the whole table on every query: seconds on a store of a million events."""


def _by_key(
    conn: sqlite3.Connection,
    table: str,
    columns: str,
    order: str,
    app: str,
    keys: Sequence[tuple[str, str]],
    horizon: int,
    to_record: Callable[[documents.Row], T],
) -> dict[tuple[str, str], list[T]]:
    """Rows of ``table`` for each (msg_uid, recipient_id), one index probe a key."""
    found: dict[tuple[str, str], list[T]] = {}
    unique = list(dict.fromkeys(keys))
    for chunk in chunks(len(unique), IN):
        values = ",".join(["(?,?)"] * len(chunk))
        sql = (
            f"SELECT k.column1, k.column2, {columns} FROM (VALUES {values}) AS k"
            f" CROSS JOIN {table} AS e INDEXED BY {_BY_RECIPIENT[table]}"
            " ON e.app = ? AND e.msg_uid = k.column1"
            " AND e.recipient_id = k.column2 WHERE e.at >= ?"
            f" ORDER BY k.column1, k.column2, {order}"
        )
        params = [*(v for i in chunk for v in unique[i]), app, horizon]
        for row in conn.execute(sql, params):
            found.setdefault((row[0], row[1]), []).append(to_record(row[2:]))
    return found


def _histories(
    conn: sqlite3.Connection, app: str, keys: Sequence[tuple[str, str]], horizon: int
) -> dict[tuple[str, str], tuple[StatusChange, ...]]:
    def change(row: documents.Row) -> StatusChange:
        return StatusChange(ReceiptStatus(row[0]), row[1])

    order = f"e.at, CASE e.status {_RANK} END, e.rowid"
    found = _by_key(conn, "receipt_events", "e.status, e.at", order, app, keys, horizon, change)
    return {key: tuple(changes) for key, changes in found.items()}


def recipient_push_attempts(
    conn: sqlite3.Connection, app: str, keys: Sequence[tuple[str, str]], horizon: int
) -> list[list[PushAttempt]]:
    columns = ", ".join(f"e.{c.strip()}" for c in documents.PUSH_COLUMNS.split(","))
    found = _by_key(
        conn, "push_attempts", columns, "e.at, e.rowid", app, keys, horizon, documents.push_attempt
    )
    return [found.get(key, []) for key in keys]


def _by_message(
    conn: sqlite3.Connection,
    sql: str,
    app: str,
    msg_uids: Sequence[str],
    horizon: int,
    to_record: Callable[[documents.Row], T],
) -> list[list[T]]:
    found: dict[str, list[T]] = {}
    unique = list(dict.fromkeys(msg_uids))
    for chunk in chunks(len(unique), IN):
        marks = ",".join("?" * len(chunk))
        for row in conn.execute(sql.format(marks), [app, horizon, *(unique[i] for i in chunk)]):
            found.setdefault(row[0], []).append(to_record(row[1:]))
    return [list(found.get(uid, ())) for uid in msg_uids]


def receipt_events(
    conn: sqlite3.Connection, app: str, msg_uids: Sequence[str], horizon: int
) -> list[list[ReceiptEventRecord]]:
    sql = (
        f"SELECT msg_uid, {documents.RECEIPT_COLUMNS} FROM receipt_events"
        " WHERE app = ? AND at >= ? AND msg_uid IN ({})"
        f" ORDER BY msg_uid, recipient_id, at, CASE status {_RANK} END, rowid"
    )
    return _by_message(conn, sql, app, msg_uids, horizon, documents.receipt_event)


def push_attempts(
    conn: sqlite3.Connection, app: str, msg_uids: Sequence[str], horizon: int
) -> list[list[PushAttempt]]:
    sql = (
        f"SELECT msg_uid, {documents.PUSH_COLUMNS} FROM push_attempts"
        " WHERE app = ? AND at >= ? AND msg_uid IN ({})"
        " ORDER BY msg_uid, recipient_id, at, rowid"
    )
    return _by_message(conn, sql, app, msg_uids, horizon, documents.push_attempt)
