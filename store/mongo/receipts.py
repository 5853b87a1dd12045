"""The receipt reads: stored receipts paged, counted and summed, and the events
of the receipts on a page.

A page is one ``find`` per request on ``receipts`` ``app_msgUid_recipientId``
(equality on app and msgUid, range and sort on recipientId, limit first + 1),
all awaited together; a summary batch is one aggregation; the PENDING targets
of a batch, the history and the push attempts of a page one ``find`` each.
Nothing reads more than O(first) documents a page, nor loads a message's
receipts into Python.
"""

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from store.catalogue import STATUS_RANK
from store.model import ReceiptStatus
from store.mongo import documents as d
from store.mongo.schema import PUSHES, RECEIPT_EVENTS, RECEIPTS
from store.mongo.writer import gather_all
from store.receipts import (
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

T = TypeVar("T")
Filter = dict[str, Any]
Key = tuple[str, str]
"""(msgUid, recipientId)."""


def receipt_filter(app: str, q: ReceiptQuery, horizon: int, after: str | None = None) -> Filter:
    f: Filter = {
        "app": app,
        "msgUid": q.scope.msg_uid,
        "statusKey": {"$gte": status_floor(horizon)},
    }
    recipient: Filter = {}
    if q.recipient_id is not None:
        recipient["$eq"] = q.recipient_id
    if after is not None:
        recipient["$gt"] = after
    if recipient:
        f["recipientId"] = recipient
    if q.status is not None:
        f["rank"] = rank(q.status)
    return f


def _by_keys(app: str, keys: Sequence[Key]) -> Filter:
    """Documents of the (msgUid, recipientId) pairs: one ``$in`` per message."""
    by_uid: dict[str, list[str]] = {}
    for uid, recipient in dict.fromkeys(keys):
        by_uid.setdefault(uid, []).append(recipient)
    arms = [{"msgUid": uid, "recipientId": {"$in": rs}} for uid, rs in by_uid.items()]
    return {"app": app, "$or": arms}


async def _with_status(db: Any, app: str, keys: Sequence[Key], horizon: int) -> set[Key]:
    """The PENDING targets among ``keys`` that have a visible status (then not PENDING)."""
    if not keys:
        return set()
    f = {**_by_keys(app, keys), "statusKey": {"$gte": status_floor(horizon)}}
    docs = await db[RECEIPTS].find(f, {"msgUid": 1, "recipientId": 1}).to_list()
    return {(doc["msgUid"], doc["recipientId"]) for doc in docs}


def _pending_key(q: ReceiptQuery) -> Key:
    return q.scope.msg_uid, q.scope.pending_target or ""


async def _page_docs(db: Any, app: str, r: PageRequest[ReceiptQuery], horizon: int) -> list[d.Doc]:
    if not stored_listed(r.query):
        return []
    f = receipt_filter(app, r.query, horizon, r.after)
    cursor = db[RECEIPTS].find(f).sort([("recipientId", 1)]).limit(max(r.first, 0) + 1)
    docs: list[d.Doc] = await cursor.to_list()
    return docs


async def receipt_pages(
    db: Any, app: str, requests: Sequence[PageRequest[ReceiptQuery]], horizon: int
) -> list[Page[Receipt]]:
    pendings = [_pending_key(r.query) for r in requests if pending_listed(r.query, r.after)]
    found, seen = await gather_all(
        gather_all(*(_page_docs(db, app, r, horizon) for r in requests)),
        _with_status(db, app, pendings, horizon),
    )
    rows: list[list[tuple[str, int, int]]] = []
    for r, docs in zip(requests, found, strict=True):
        mine = [(doc["recipientId"], doc["statusKey"], doc["skipKey"]) for doc in docs]
        if pending_listed(r.query, r.after) and _pending_key(r.query) not in seen:
            mine.append((_pending_key(r.query)[1], 0, 0))
        mine.sort()
        rows.append(mine)
    keys = [
        (r.query.scope.msg_uid, row[0])
        for r, mine in zip(requests, rows, strict=True)
        for row in mine[: max(r.first, 0)]
        if row[1]
    ]
    histories = await _histories(db, app, keys, horizon)
    pages: list[Page[Receipt]] = []
    for r, mine in zip(requests, rows, strict=True):
        uid, first = r.query.scope.msg_uid, max(r.first, 0)
        edges = [
            Edge(rid, stored_receipt(uid, rid, key, skip, horizon, histories.get((uid, rid), ())))
            for rid, key, skip in mine[:first]
        ]
        pages.append(Page(edges=edges, has_next_page=len(mine) > first))
    return pages


async def count_receipts(
    db: Any, app: str, queries: Sequence[ReceiptQuery], horizon: int
) -> list[int]:
    async def stored(q: ReceiptQuery) -> int:
        if not stored_listed(q):
            return 0
        n: int = await db[RECEIPTS].count_documents(receipt_filter(app, q, horizon))
        return n

    pendings = [_pending_key(q) for q in queries if pending_listed(q)]
    counts, seen = await gather_all(
        gather_all(*(stored(q) for q in queries)), _with_status(db, app, pendings, horizon)
    )
    return [
        n + int(pending_listed(q) and _pending_key(q) not in seen)
        for q, n in zip(queries, counts, strict=True)
    ]


def _summary_pipeline(app: str, msg_uids: list[str], horizon: int) -> list[Filter]:
    visible_rank = {"$cond": [{"$gte": ["$statusKey", status_floor(horizon)]}, "$rank", 0]}
    pushed_ok = {"$gte": ["$pushOkAt", horizon]}
    pushed_failed = {"$and": [{"$gte": ["$pushAt", horizon]}, {"$lt": ["$pushOkAt", horizon]}]}
    return [
        {"$match": {"app": app, "msgUid": {"$in": msg_uids}}},
        {
            "$group": {
                "_id": {"msgUid": "$msgUid", "rank": visible_rank},
                "n": {"$sum": 1},
                "ok": {"$sum": {"$cond": [pushed_ok, 1, 0]}},
                "failed": {"$sum": {"$cond": [pushed_failed, 1, 0]}},
            }
        },
    ]


async def receipt_summaries(
    db: Any, app: str, scopes: Sequence[ReceiptScope], horizon: int
) -> list[ReceiptCounts]:
    if not scopes:
        return []
    uids = list(dict.fromkeys(s.msg_uid for s in scopes))
    targets = [(s.msg_uid, s.pending_target) for s in scopes if s.pending_target is not None]
    cursor, seen = await gather_all(
        db[RECEIPTS].aggregate(_summary_pipeline(app, uids, horizon)),
        _with_status(db, app, targets, horizon),
    )
    by_rank: dict[str, dict[int, int]] = {}
    pushes: dict[str, list[int]] = {}
    for group in await cursor.to_list():
        uid, r = group["_id"]["msgUid"], group["_id"]["rank"] or 0
        if r:
            by_rank.setdefault(uid, {})[r] = group["n"]
        totals = pushes.setdefault(uid, [0, 0])
        totals[0] += group["ok"]
        totals[1] += group["failed"]
    summaries = []
    for s in scopes:
        pending = s.pending_target is not None and (s.msg_uid, s.pending_target) not in seen
        ok, failed = pushes.get(s.msg_uid, [0, 0])
        summaries.append(receipt_counts(by_rank.get(s.msg_uid, {}), pending, ok, failed))
    return summaries


async def _events_by_key(
    collection: Any, app: str, keys: Sequence[Key], horizon: int, order: Callable[[d.Doc], Any]
) -> dict[Key, list[d.Doc]]:
    if not keys:
        return {}
    f = {**_by_keys(app, keys), "at": {"$gte": horizon}}
    found: dict[Key, list[d.Doc]] = {}
    for doc in await collection.find(f).to_list():
        found.setdefault((doc["msgUid"], doc["recipientId"]), []).append(doc)
    for docs in found.values():
        docs.sort(key=order)
    return found


def receipt_order(doc: d.Doc) -> tuple[str, int, int, str]:
    return doc["recipientId"], doc["at"], STATUS_RANK[ReceiptStatus(doc["status"])], doc["_id"]


def push_order(doc: d.Doc) -> tuple[str, int, str]:
    return doc["recipientId"], doc["at"], doc["_id"]


async def _histories(
    db: Any, app: str, keys: Sequence[Key], horizon: int
) -> dict[Key, tuple[StatusChange, ...]]:
    found = await _events_by_key(db[RECEIPT_EVENTS], app, keys, horizon, receipt_order)
    return {
        key: tuple(StatusChange(ReceiptStatus(doc["status"]), doc["at"]) for doc in docs)
        for key, docs in found.items()
    }


async def recipient_push_attempts(
    db: Any, app: str, keys: Sequence[Key], horizon: int
) -> list[list[PushAttempt]]:
    found = await _events_by_key(db[PUSHES], app, keys, horizon, push_order)
    return [[d.to_push_attempt(doc) for doc in found.get(key, ())] for key in keys]


async def _by_message(
    collection: Any,
    app: str,
    msg_uids: Sequence[str],
    horizon: int,
    order: Callable[[d.Doc], Any],
    to_record: Callable[[d.Doc], T],
) -> list[list[T]]:
    if not msg_uids:
        return []
    unique = list(dict.fromkeys(msg_uids))
    f = {"app": app, "msgUid": {"$in": unique}, "at": {"$gte": horizon}}
    found: dict[str, list[d.Doc]] = {}
    for doc in await collection.find(f).to_list():
        found.setdefault(doc["msgUid"], []).append(doc)
    for docs in found.values():
        docs.sort(key=order)
    return [[to_record(doc) for doc in found.get(uid, ())] for uid in msg_uids]


async def receipt_events(
    db: Any, app: str, msg_uids: Sequence[str], horizon: int
) -> list[list[ReceiptEventRecord]]:
    return await _by_message(
        db[RECEIPT_EVENTS], app, msg_uids, horizon, receipt_order, d.to_receipt_event
    )


async def push_attempts(
    db: Any, app: str, msg_uids: Sequence[str], horizon: int
) -> list[list[PushAttempt]]:
    return await _by_message(db[PUSHES], app, msg_uids, horizon, push_order, d.to_push_attempt)
