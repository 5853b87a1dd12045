"""The write path: find what is stored already, write the rest, then claim it.

1. **Look up.** One ``find`` by ``_id`` in ``seen_events`` (``_id`` is the
   event's (app, eventId)) of the batch's distinct ids: those found are
   duplicates, as are repeats inside the batch.
2. **Write.** The new events, per collection, concurrently: connections,
   messages and the message-key lookup as ordered bulk upserts (see
   ``documents``), receipt events and push attempts as ``insert_many(ordered=False)``
   with the event as ``_id``, and their marks merged into the stored receipts
   (``store.receipts``). Every one of these writes is idempotent.
3. **Claim.** One ``insert_many(ordered=False)`` of the new ids into
   ``seen_events``; a duplicate-key error (code 11000) means a concurrent
   request claimed that event first: it counts as a duplicate here (its data,
   written by both, is the same).

An id is claimed only once its data is written, so a batch interrupted anywhere
(crash, lost primary) is safe to retry whole: what was not claimed is written
again, idempotently. Durability comes from the write concern (``w: majority,
j: true`` unless the URI sets one): no call returns before its writes are
acknowledged that way.
"""

import asyncio
from collections.abc import Awaitable, Sequence
from typing import Any

from pymongo import UpdateOne
from pymongo.errors import BulkWriteError

from store.mongo import documents as d
from store.mongo.schema import (
    CONNECTIONS,
    MESSAGE_KEYS,
    MESSAGES,
    PUSHES,
    RECEIPT_EVENTS,
    RECEIPTS,
    SEEN,
)
from store.receipts import Marks, ReceiptKey, fold, fold_marks
from store.records import (
    ConnectionClosed,
    ConnectionOpened,
    ConnectionRejected,
    Event,
    MessageSent,
    PushAttempted,
    ReceiptChanged,
    WriteResult,
)

DUPLICATE_KEY = 11000
EventKey = tuple[str, str]


async def gather_all(*jobs: Awaitable[Any]) -> list[Any]:
    """Await every job, then raise the first failure: none is left running."""
    results = await asyncio.gather(*jobs, return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return results


def duplicate_indexes(err: BulkWriteError) -> list[int]:
    """Indexes of the documents refused as duplicate keys; re-raise any other failure."""
    details = err.details
    errors = details.get("writeErrors", [])
    if details.get("writeConcernErrors") or any(e.get("code") != DUPLICATE_KEY for e in errors):
        raise err
    return [e["index"] for e in errors]


async def _stored(db: Any, keys: Sequence[EventKey]) -> set[EventKey]:
    ids = {d.event_id(app, event): (app, event) for app, event in keys}
    found = db[SEEN].find({"_id": {"$in": list(ids)}}, {"_id": 1})
    return {ids[doc["_id"]] for doc in await found.to_list()}


async def _claim(db: Any, events: Sequence[Event]) -> set[EventKey]:
    """Record the events as stored; return those a concurrent request claimed first."""
    try:
        await db[SEEN].insert_many(
            [d.seen_doc(e.app, e.event_id, e.at) for e in events], ordered=False
        )
    except BulkWriteError as err:
        return {(events[i].app, events[i].event_id) for i in duplicate_indexes(err)}
    return set()


async def _insert_new(collection: Any, docs: list[dict[str, Any]]) -> None:
    """Insert append-only documents; one already there (a retried batch) is skipped."""
    try:
        await collection.insert_many(docs, ordered=False)
    except BulkWriteError as err:
        duplicate_indexes(err)


async def _write_events(db: Any, events: Sequence[Event]) -> None:
    connections: list[UpdateOne] = []
    messages: list[UpdateOne] = []
    message_keys: list[UpdateOne] = []
    receipts: list[dict[str, Any]] = []
    pushes: list[dict[str, Any]] = []
    receipt_events: list[ReceiptChanged | PushAttempted] = []
    for e in events:
        if isinstance(e, ConnectionOpened):
            connections += d.opened_ops(e)
        elif isinstance(e, ConnectionClosed):
            connections += d.closed_ops(e)
        elif isinstance(e, ConnectionRejected):
            connections += d.rejected_ops(e)
        elif isinstance(e, MessageSent):
            messages += d.message_ops(e)
            message_keys += d.message_key_ops(e)
        elif isinstance(e, ReceiptChanged):
            receipts.append(d.receipt_doc(e))
            receipt_events.append(e)
        elif isinstance(e, PushAttempted):
            pushes.append(d.push_doc(e))
            receipt_events.append(e)
        else:
            raise TypeError(f"not a tracking event: {type(e).__name__}")
    # Ordered: an upsert that creates a document runs before the conditional
    # update that fills it (one round trip per collection all the same).
    jobs: list[Awaitable[Any]] = [
        db[name].bulk_write(ops, ordered=True)
        for name, ops in (
            (CONNECTIONS, connections),
            (MESSAGES, messages),
            (MESSAGE_KEYS, message_keys),
        )
        if ops
    ]
    jobs += [
        _insert_new(db[name], docs)
        for name, docs in ((RECEIPT_EVENTS, receipts), (PUSHES, pushes))
        if docs
    ]
    if receipt_events:
        jobs.append(upsert_receipts(db, fold(receipt_events)))
    await gather_all(*jobs)


async def upsert_receipts(db: Any, marks: dict[ReceiptKey, Marks]) -> None:
    """Merge marks into the stored receipts (ordered: each upsert before its ``$set``)."""
    ops = [op for key, m in marks.items() for op in d.receipt_ops(key, m)]
    if ops:
        await db[RECEIPTS].bulk_write(ops, ordered=True)


_FOLD_DOCS = 20_000
"""Events folded into receipts per step of a migration (bounds its memory)."""


async def fold_stored_events(db: Any) -> None:
    """Fold every stored receipt event and push attempt into the receipts
    collection (a migration; idempotent, so an interrupted one can run again)."""
    sources = ((RECEIPT_EVENTS, d.to_status_marks), (PUSHES, d.to_push_marks))
    for name, to_marks in sources:
        batch: list[tuple[ReceiptKey, Marks]] = []
        async for doc in db[name].find({}):
            batch.append(to_marks(doc))
            if len(batch) >= _FOLD_DOCS:
                await upsert_receipts(db, fold_marks(batch))
                batch = []
        if batch:
            await upsert_receipts(db, fold_marks(batch))


async def write_batch(db: Any, events: Sequence[Event]) -> WriteResult:
    first: dict[EventKey, Event] = {}
    for e in events:
        first.setdefault((e.app, e.event_id), e)
    if not first:
        return WriteResult(accepted=0, duplicates=0)
    stored = await _stored(db, list(first))
    fresh = [e for key, e in first.items() if key not in stored]
    if fresh:
        await _write_events(db, fresh)
        fresh_count = len(fresh) - len(await _claim(db, fresh))
    else:
        fresh_count = 0
    return WriteResult(accepted=fresh_count, duplicates=len(events) - fresh_count)
