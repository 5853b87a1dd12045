"""The export read: a chunk of messages with every receipt, status event and push
attempt of theirs, in one read transaction (``store.export`` joins them).

Runs on a reader thread. The messages are one keyset range of ``messages`` (by
``messages_by_time``, or ``messages_by_sender`` for one sender, as the planner
picks); the receipts, events and pushes of the chunk one statement each per
:data:`~store.sqlite.reader.IN` messages, by the primary key of ``receipts`` and
the ``*_by_recipient`` indexes (named: see ``store.sqlite.receipts``).
"""

import dataclasses
import sqlite3
from itertools import groupby
from operator import itemgetter
from typing import Any

from store.export import (
    STATUS_RANK_SQL,
    ByReceipt,
    ReceiptRow,
    assemble,
    by_receipt,
    histories,
    push,
    receipt_uids,
)
from store.model import ReceiptStatus
from store.receipts import status_floor
from store.records import ExportPage, ExportPush, MessageQuery
from store.sqlite import documents
from store.sqlite.reader import IN, chunks, message_filter

CURSOR_KIND = "x"
_MESSAGE_COLUMNS = (
    "id, sent_at, msg_key, msg_uid, sender_id, target_id, channel_type, message_type,"
    " source, sent_at, result, mute_scope, connection_id"
)
_RECEIPTS = (
    "SELECT msg_uid, recipient_id, status_key, skip_key FROM receipts"
    " WHERE app = ? AND status_key >= ? AND msg_uid IN ({}) ORDER BY msg_uid, recipient_id"
)
_EVENTS = (
    "SELECT msg_uid, recipient_id, status, at FROM receipt_events AS e"
    " INDEXED BY receipt_events_by_recipient WHERE app = ?1 AND at >= ?2 AND msg_uid IN ({})"
    " AND EXISTS (SELECT 1 FROM receipt_events AS other INDEXED BY receipt_events_by_recipient"
    " WHERE other.app = ?1 AND other.msg_uid = e.msg_uid AND other.recipient_id = e.recipient_id"
    " AND other.at >= ?2 AND other.rowid <> e.rowid)"
    f" ORDER BY msg_uid, recipient_id, at, CASE status {STATUS_RANK_SQL} END, e.rowid"
)
"""The status events of the chunk's receipts that have another in the window (most
have one: ``assemble`` takes it from the receipt's status key, so that the events
read, and the Python objects made of them, are those of the longer histories only).
The ``IN`` list's marks are numbered after ``?1`` and ``?2``."""
_PUSHES = (
    "SELECT msg_uid, recipient_id, provider, at, success, error_code, error_description"
    " FROM push_attempts INDEXED BY push_attempts_by_recipient"
    " WHERE app = ? AND at >= ? AND msg_uid IN ({}) ORDER BY msg_uid, recipient_id, at, rowid"
)
_BY_UID = itemgetter(0)


def export_messages(
    conn: sqlite3.Connection,
    app: str,
    query: MessageQuery,
    first: int,
    after: str | None,
    history: bool,
    horizon: int,
) -> ExportPage:
    position = None if after is None else documents.decode_cursor(CURSOR_KIND, after)
    first = max(first, 1)
    conn.execute("BEGIN")
    try:
        rows = _messages(conn, app, query, first, position, horizon)
        page = rows[:first]
        found_rows = [r[2:] for r in page]
        uids = receipt_uids(found_rows)
        receipts: dict[str, list[ReceiptRow]] = {}
        changes: ByReceipt[tuple[ReceiptStatus, int]] = {}
        pushes: ByReceipt[ExportPush] = {}
        floor = status_floor(horizon)
        for part in chunks(len(uids), IN):
            batch = [uids[i] for i in part]
            marks = ",".join("?" * len(batch))
            found = conn.execute(_RECEIPTS.format(marks), [app, floor, *batch])
            for uid, group in groupby(found, _BY_UID):
                receipts[uid] = list(group)
            if history:
                events = conn.execute(_EVENTS.format(marks), [app, horizon, *batch])
                changes.update(histories(events))
            attempts = conn.execute(_PUSHES.format(marks), [app, horizon, *batch])
            pushes.update(by_receipt(attempts, push))
    finally:
        conn.execute("COMMIT")
    messages = assemble(found_rows, receipts, changes, pushes, horizon, lone_histories=history)
    next_after = None
    if len(rows) > first:
        last = page[-1]
        next_after = documents.encode_cursor(CURSOR_KIND, last[1], last[0])
    return ExportPage(messages, next_after)


def _messages(
    conn: sqlite3.Connection,
    app: str,
    query: MessageQuery,
    first: int,
    position: tuple[int, int] | None,
    horizon: int,
) -> list[tuple[Any, ...]]:
    """``first + 1`` messages after ``position``, newest first by (sent_at, id). The
    keyset's time bound replaces ``until`` (one upper bound for the index range)."""
    if position is not None:
        query = dataclasses.replace(query, until=min(query.until, position[0] + 1))
    where, params = message_filter(app, query, horizon)
    if position is not None:
        where += " AND (sent_at < ? OR id < ?)"
        params += [position[0], position[1]]
    sql = f"SELECT {_MESSAGE_COLUMNS} {where} ORDER BY sent_at DESC, id DESC LIMIT ?"
    return conn.execute(sql, [*params, first + 1]).fetchall()
