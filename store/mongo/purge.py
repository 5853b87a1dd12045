"""Retention: delete what is older than the horizon now (the TTL monitor's job).

Every data collection also has a TTL index on ``exp`` (see ``schema``), so
this only hurries what MongoDB does by itself once a minute.
"""

from typing import Any

from store.mongo import documents as d
from store.mongo.schema import (
    CONNECTIONS,
    MESSAGE_KEYS,
    MESSAGES,
    PUSHES,
    RECEIPT_EVENTS,
    RECEIPTS,
    SEEN,
    TTL_FIELD,
)
from store.mongo.writer import gather_all

PURGE_COUNTED = (CONNECTIONS, MESSAGES, RECEIPT_EVENTS, PUSHES)
"""Collections whose deletions :func:`purge` reports (not the bookkeeping ones,
nor the stored receipts derived from the events)."""


async def purge(db: Any, horizon: int) -> int:
    """Delete every record whose time is before ``horizon``; count connections,
    messages, receipt events and push attempts. A stored receipt's ``exp`` is its
    latest event's time, so it goes once every event of it is old."""
    cutoff = {TTL_FIELD: {"$lt": d.bson_date(horizon)}}
    names = (*PURGE_COUNTED, MESSAGE_KEYS, SEEN, RECEIPTS)
    results = await gather_all(*(db[name].delete_many(cutoff) for name in names))
    return sum(
        r.deleted_count for name, r in zip(names, results, strict=True) if name in PURGE_COUNTED
    )
