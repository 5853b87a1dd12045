"""Everything the store shows of the fixture data, read through every read method.

Two stores (or two apps) hold the same data exactly when their views are equal.
Cursors are left out: they are opaque and may differ between backends' rows.
"""

from typing import Any

from store.interface import Store
from store.model import ReceiptStatus
from store.receipts import receipt_scope
from store.records import (
    ConnectionQuery,
    ExportMessage,
    MessageQuery,
    PageRequest,
    ReceiptCounts,
    ReceiptQuery,
    ReceiptScope,
)
from tests.store import wire

USERS = ("alice", "bob", "nobody")
CONNECTION_KEYS = (("alice", "c:c1"), ("alice", "c:c4"), ("alice", "e:r1"), ("bob", "c:c5"))
MESSAGE_KEYS = ("u:m0", "u:m1", "u:m2", "u:m6", "e:blk1", "e:mute1", "u:m9")
MSG_UIDS = ("m0", "m1", "m2", "m3", "m9", "missing")


async def view(store: Store, app: str, now: int) -> dict[str, Any]:
    since, until = wire.at("-7d", now), wire.at("+1m", now)
    conn_queries = [ConnectionQuery(user, since, until) for user in USERS]
    msg_queries = [MessageQuery(user, since, until) for user in USERS]
    conn_pages = await store.connection_pages(app, [PageRequest(q, 100) for q in conn_queries])
    msg_pages = await store.message_pages(app, [PageRequest(q, 100) for q in msg_queries])
    return {
        "connections": [[e.node for e in p.edges] for p in conn_pages],
        "connection_counts": await store.count_connections(app, conn_queries),
        "connections_by_key": await store.connections_by_key(app, list(CONNECTION_KEYS)),
        "messages": [[e.node for e in p.edges] for p in msg_pages],
        "message_counts": await store.count_messages(app, msg_queries),
        "messages_by_key": await store.messages_by_key(app, list(MESSAGE_KEYS)),
        "receipt_events": await store.receipt_events(app, list(MSG_UIDS)),
        "push_attempts": await store.push_attempts(app, list(MSG_UIDS)),
        # per sender, as "messages": across senders, SQLite breaks ties of time by row
        # id, which follows arrival order
        "export": [await _export(store, app, q) for q in msg_queries],
        **await timeline_view(store, app, now),
        **await receipt_view(store, app),
    }


async def _export(store: Store, app: str, q: MessageQuery) -> list[ExportMessage]:
    """The whole export of the window, in chunks of 3 (records carry no cursor)."""
    found: list[ExportMessage] = []
    page = await store.export_messages(app, q, 3)
    found += page.messages
    while page.after is not None:
        page = await store.export_messages(app, q, 3, page.after)
        found += page.messages
    return found


INSTANTS = ("-6d", "-3d+1h", "-1d+10m", "-5h", "-4h-1m", "-90m", "-30m", "now")


async def timeline_view(store: Store, app: str, now: int) -> dict[str, Any]:
    """Each user's connection at, next after and last closed before a few instants."""
    keys = [(user, wire.at(t, now)) for user in USERS for t in INSTANTS]
    return {
        "connections_at": await store.connections_at(app, keys),
        "next_connections": await store.next_connections(app, keys),
        "previous_connections": await store.previous_connections(app, keys),
    }


async def _scopes(store: Store, app: str) -> list[ReceiptScope]:
    """Every msgUid as it stands alone, and as its stored message scopes it (a
    DIRECT message's PENDING target)."""
    messages = await store.messages_by_key(app, [f"u:{uid}" for uid in MSG_UIDS])
    scoped = [receipt_scope(m) for m in messages if m is not None]
    return [ReceiptScope(uid) for uid in MSG_UIDS] + [s for s in scoped if s is not None]


async def receipt_view(store: Store, app: str) -> dict[str, Any]:
    """The stored receipts through every receipt read: whole pages, pages of one
    walked by cursor, every filter, counts, summaries and the page's pushes."""
    scopes = await _scopes(store, app)
    plain = [ReceiptQuery(s) for s in scopes]
    filtered = [ReceiptQuery(s, status=status) for s in scopes for status in ReceiptStatus]
    filtered += [ReceiptQuery(s, recipient_id=r) for s in scopes for r in ("bob", "dave", "zed")]
    pages = await store.receipt_pages(app, [PageRequest(q, 100) for q in plain + filtered])
    walks = []
    for q in plain:
        walk, after, more = [], None, True
        while more:
            [page] = await store.receipt_pages(app, [PageRequest(q, 1, after)])
            walk += [(e.cursor, e.node) for e in page.edges]
            after = page.edges[-1].cursor if page.edges else None
            more = page.has_next_page
        walks.append(walk)
    keys = [
        (q.scope.msg_uid, e.node.recipient_id)
        for q, p in zip(plain, pages[: len(plain)], strict=True)
        for e in p.edges
    ]
    listed, summaries = await store.receipt_reads(app, [PageRequest(q, 2) for q in plain], scopes)
    return {
        "receipt_pages": [([e.node for e in p.edges], p.has_next_page) for p in pages],
        "receipt_walks": walks,
        "receipt_counts": await store.count_receipts(app, plain + filtered),
        "receipt_summaries": await store.receipt_summaries(app, scopes),
        "receipt_reads": ([[e.node for e in p.edges] for p in listed], summaries),
        "recipient_push_attempts": await store.recipient_push_attempts(app, keys),
    }


def is_empty(v: dict[str, Any]) -> bool:
    """True when a view shows no data at all (PENDING receipts, which a stored
    DIRECT message shows with no event, count as data)."""
    return all(not _holds_data(values) for values in v.values())


def _holds_data(value: Any) -> bool:
    if isinstance(value, list | tuple):
        return any(_holds_data(item) for item in value)
    if isinstance(value, ReceiptCounts):
        return value != ReceiptCounts()
    return value not in (None, 0, False)
