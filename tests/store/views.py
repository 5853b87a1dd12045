"""Everything the store shows of the fixture data, read through every read method.

Two stores (or two apps) hold the same data exactly when their views are equal.
Cursors are left out: they are opaque and may differ between backends' rows.
"""

from typing import Any

from store.interface import Store
from store.records import ConnectionQuery, MessageQuery, PageRequest
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
    }


def is_empty(v: dict[str, Any]) -> bool:
    """True when a view shows no data at all."""
    return all(
        not any(item for item in values if item not in (None, 0, [])) for values in v.values()
    )
