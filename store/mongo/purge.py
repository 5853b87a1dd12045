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
from store.receipts import skip_floor, status_floor

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
    await clear_old_marks(db, horizon)
    return sum(
        r.deleted_count for name, r in zip(names, results, strict=True) if name in PURGE_COUNTED
    )


async def clear_old_marks(db: Any, horizon: int) -> None:
    """A stored receipt that stays forgets its marks older than the horizon, as its
    purged events are forgotten, so that a reader with a longer retention sees
    what was kept (as on SQLite). One unindexed pass per mark: purge is a
    background chore, and only receipts with an old mark are written."""
    floors = {
        "statusKey": status_floor(horizon),
        "skipKey": skip_floor(horizon),
        "pushAt": horizon,
        "pushOkAt": horizon,
    }
    await gather_all(
        *(
            db[RECEIPTS].update_many(
                {field: {"$gt": 0, "$lt": floor}},
                {"$set": {field: 0, **({"rank": 0} if field == "statusKey" else {})}},
            )
            for field, floor in floors.items()
        )
    )
