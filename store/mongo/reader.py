"""The read path. Every filter carries the app and the retention horizon.

A batch method is one store call: paged lists run one ``find`` per request,
all awaited together (each served by its own index range and routed to one
shard); lookups by key run one ``find`` with ``$in`` for the batch (receipts: see
``store.mongo.receipts``).
``$unionWith`` would make a page batch one command, but mongomock cannot run it
and it gives up per-request index sorts and limits inside the union on older
servers, so it is not used.
"""

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from store.mongo import documents as d
from store.mongo.schema import CONNECTIONS, MESSAGE_KEYS, MESSAGES
from store.mongo.writer import gather_all
from store.records import (
    ConnectionLog,
    ConnectionQuery,
    Edge,
    MessageQuery,
    Page,
    PageRequest,
    SentMessage,
    message_key,
)

T = TypeVar("T")
Q = TypeVar("Q")
Filter = dict[str, Any]


def at_least(ms: int) -> Filter:
    """``at >= ms`` on the page indexes' descending ``at``, written ``$gt: ms - 1``:
    the times are integer milliseconds, so the documents and the index bounds are
    those of ``$gte`` on MongoDB, and SecantusDB (0.7.0b3, the test server) drops
    the boundary of a ``$gte`` on a descending key followed by another key
    (``tests/store/test_secantus.py``)."""
    return {"$gt": ms - 1}


def connection_filter(app: str, q: ConnectionQuery, horizon: int) -> Filter:
    """Logs of the user open at any time in [since, until): opened before
    ``until`` and not closed before ``since``. A close whose open has not arrived
    has no ``at`` and matches no range on it."""
    return {
        "app": app,
        "userId": q.user_id,
        "at": {**at_least(horizon), "$lt": q.until},
        "$or": [{"end": None}, {"end": {"$gte": q.since}}],
    }


def message_filter(app: str, q: MessageQuery, horizon: int) -> Filter:
    f: Filter = {"app": app, "at": {**at_least(max(q.since, horizon)), "$lt": q.until}}
    conditions = (
        ("senderId", q.sender_id),
        ("msgKey", None if q.msg_uid is None else message_key(q.msg_uid, "")),
        ("targetId", q.target_id),
        ("channelType", None if q.channel_type is None else q.channel_type.value),
        ("messageType", q.message_type),
        ("source", None if q.source is None else q.source.value),
    )
    f.update((field, value) for field, value in conditions if value is not None)
    return f


async def _page(
    collection: Any,
    f: Filter,
    after: tuple[int, str] | None,
    first: int,
    kind: str,
    key_field: str,
    to_record: Callable[[d.Doc], T],
) -> Page[T]:
    """Newest first by (at, key): keyset after the cursor, fetching first + 1."""
    if after is not None:
        at, key = after
        f = {**f, "at": {**f["at"], "$lte": at}}
        f["$and"] = [{"$or": [{"at": {"$lt": at}}, {key_field: {"$lt": key}}]}]
    cursor = collection.find(f).sort([("at", -1), (key_field, -1)]).limit(first + 1)
    docs = await cursor.to_list()
    edges = [
        Edge(d.encode_cursor(kind, doc["at"], doc[key_field]), to_record(doc))
        for doc in docs[:first]
    ]
    return Page(edges=edges, has_next_page=len(docs) > first)


async def _pages(
    collection: Any,
    requests: Sequence[PageRequest[Q]],
    build: Callable[[Q], Filter],
    kind: str,
    key_field: str,
    to_record: Callable[[d.Doc], T],
) -> list[Page[T]]:
    afters = [None if r.after is None else d.decode_cursor(kind, r.after) for r in requests]
    jobs: list[Awaitable[Page[T]]] = [
        _page(collection, build(r.query), after, max(r.first, 0), kind, key_field, to_record)
        for r, after in zip(requests, afters, strict=True)
    ]
    return await gather_all(*jobs)


async def connection_pages(
    db: Any, app: str, requests: Sequence[PageRequest[ConnectionQuery]], horizon: int
) -> list[Page[ConnectionLog]]:
    def build(q: ConnectionQuery) -> Filter:
        return connection_filter(app, q, horizon)

    return await _pages(db[CONNECTIONS], requests, build, "c", "connKey", d.to_connection)


async def message_pages(
    db: Any, app: str, requests: Sequence[PageRequest[MessageQuery]], horizon: int
) -> list[Page[SentMessage]]:
    def build(q: MessageQuery) -> Filter:
        return message_filter(app, q, horizon)

    return await _pages(db[MESSAGES], requests, build, "m", "msgKey", d.to_message)


async def count(collection: Any, filters: Sequence[Filter]) -> list[int]:
    return await gather_all(*(collection.count_documents(f) for f in filters))


async def count_connections(
    db: Any, app: str, queries: Sequence[ConnectionQuery], horizon: int
) -> list[int]:
    return await count(db[CONNECTIONS], [connection_filter(app, q, horizon) for q in queries])


async def count_messages(
    db: Any, app: str, queries: Sequence[MessageQuery], horizon: int
) -> list[int]:
    return await count(db[MESSAGES], [message_filter(app, q, horizon) for q in queries])


async def connections_by_key(
    db: Any, app: str, keys: Sequence[tuple[str, str]], horizon: int
) -> list[ConnectionLog | None]:
    if not keys:
        return []
    by_user: dict[str, list[str]] = {}
    for user_id, key in dict.fromkeys(keys):
        by_user.setdefault(user_id, []).append(key)
    arms = [{"userId": user, "connKey": {"$in": ks}} for user, ks in by_user.items()]
    docs = await db[CONNECTIONS].find({"app": app, "at": {"$gte": horizon}, "$or": arms}).to_list()
    found = {(doc["userId"], doc["connKey"]): d.to_connection(doc) for doc in docs}
    return [found.get(key) for key in keys]


async def messages_by_key(
    db: Any, app: str, keys: Sequence[str], horizon: int
) -> list[SentMessage | None]:
    """Two targeted reads: the key lookup gives each message's sender, the
    sender routes the read of the message to its shard."""
    if not keys:
        return []
    unique = list(dict.fromkeys(keys))
    lookup = db[MESSAGE_KEYS].find(
        {"app": app, "msgKey": {"$in": unique}}, {"msgKey": 1, "senderId": 1}
    )
    by_sender: dict[str, list[str]] = {}
    for doc in await lookup.to_list():
        by_sender.setdefault(doc["senderId"], []).append(doc["msgKey"])
    found: dict[str, SentMessage] = {}
    if by_sender:
        arms = [{"senderId": sender, "msgKey": {"$in": ks}} for sender, ks in by_sender.items()]
        f = {"app": app, "at": {"$gte": horizon}, "$or": arms}
        for doc in await db[MESSAGES].find(f).to_list():
            found[doc["msgKey"]] = d.to_message(doc)
    return [found.get(key) for key in keys]
