"""A user's connection timeline around instants: the connection open at each
instant, the next one opened after it, the last one closed before it
(``store.interface.TrackingReader.connections_at`` and its siblings).

One ``find`` with ``limit(1)`` a distinct key, all awaited together, each an
index range on ``app_userId_at_connKey``. Ties are broken by ``connKey``, so
that the answer does not depend on the order in which events arrived.
"""

from collections.abc import Sequence
from typing import Any

from store.mongo import documents as d
from store.mongo.schema import CONNECTIONS
from store.mongo.writer import gather_all
from store.records import ConnectionLog

Keys = Sequence[tuple[str, int]]
Sort = list[tuple[str, int]]


def _live(app: str, user_id: str, horizon: int, at: dict[str, int]) -> dict[str, Any]:
    """Opened and not a rejected attempt, within retention (a close whose open
    has not arrived has no ``at`` and matches no range on it)."""
    return {"app": app, "userId": user_id, "at": {"$gte": horizon, **at}, "rejected": {"$ne": True}}


async def _first(db: Any, f: dict[str, Any], sort: Sort) -> ConnectionLog | None:
    docs = await db[CONNECTIONS].find(f).sort(sort).limit(1).to_list()
    return d.to_connection(docs[0]) if docs else None


async def _first_of_each(db: Any, keys: Keys, build: Any, sort: Sort) -> list[ConnectionLog | None]:
    unique = list(dict.fromkeys(keys))
    found = await gather_all(*(_first(db, build(user, instant), sort) for user, instant in unique))
    by_key = dict(zip(unique, found, strict=True))
    return [by_key[key] for key in keys]


async def connections_at(db: Any, app: str, keys: Keys, horizon: int) -> list[ConnectionLog | None]:
    def build(user_id: str, at: int) -> dict[str, Any]:
        f = _live(app, user_id, horizon, {"$lte": at})
        f["$or"] = [{"end": None}, {"end": {"$gt": at}}]
        return f

    return await _first_of_each(db, keys, build, [("at", -1), ("connKey", -1)])


async def next_connections(
    db: Any, app: str, keys: Keys, horizon: int
) -> list[ConnectionLog | None]:
    def build(user_id: str, after: int) -> dict[str, Any]:
        return _live(app, user_id, horizon, {"$gt": after})

    return await _first_of_each(db, keys, build, [("at", 1), ("connKey", 1)])


async def previous_connections(
    db: Any, app: str, keys: Keys, horizon: int
) -> list[ConnectionLog | None]:
    def build(user_id: str, before: int) -> dict[str, Any]:
        f = _live(app, user_id, horizon, {"$lte": before})
        f["end"] = {"$ne": None, "$lte": before}
        return f

    return await _first_of_each(db, keys, build, [("end", -1), ("at", -1), ("connKey", -1)])
