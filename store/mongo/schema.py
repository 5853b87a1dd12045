"""Collections, their indexes and shard keys, and the TTL retention kept in step.

Every index but the TTL ones starts with ``app``. A TTL index must be a
single-field index on a date (MongoDB ignores ``expireAfterSeconds`` on compound
indexes), so each data collection has one on ``exp`` (the record's event time as
a BSON date): only the TTL monitor and :meth:`MongoStore.purge` use it.
"""

from collections.abc import Mapping
from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel

from store.interface import SchemaTooNew
from store.limits import DAY_MS

SEEN = "seen_events"
CONNECTIONS = "connections"
MESSAGES = "messages"
MESSAGE_KEYS = "message_keys"
RECEIPT_EVENTS = "receipt_events"
PUSHES = "push_attempts"
RECEIPTS = "receipts"
KEYS = "api_keys"
META = "store_meta"

DATA_COLLECTIONS = (SEEN, CONNECTIONS, MESSAGES, MESSAGE_KEYS, RECEIPT_EVENTS, PUSHES, RECEIPTS)
"""The collections whose documents expire with the retention window."""

TTL_FIELD = "exp"
TTL_INDEX = "ttl_exp"

SHARD_KEYS: dict[str, dict[str, int | str]] = {
    SEEN: {"_id": "hashed"},
    CONNECTIONS: {"app": 1, "userId": 1},
    MESSAGES: {"app": 1, "senderId": 1},
    MESSAGE_KEYS: {"app": 1, "msgKey": 1},
    RECEIPT_EVENTS: {"app": 1, "msgUid": 1},
    PUSHES: {"app": 1, "msgUid": 1},
    RECEIPTS: {"app": 1, "msgUid": 1},
}
"""Shard key per collection; ``api_keys`` stays unsharded. Every unique index
starts with its collection's shard key, as a sharded cluster requires. Where
``_id`` is an event's (app, eventId) (``seen_events``, ``receipt_events``,
``push_attempts``), two documents with one ``_id`` have one shard key value, so
the per-shard ``_id`` index is unique across the cluster too."""

_BY_RECIPIENT = [("app", ASCENDING), ("msgUid", ASCENDING), ("recipientId", ASCENDING)]

INDEXES: dict[str, list[IndexModel]] = {
    SEEN: [],  # the _id index, on (app, eventId), decides dedup
    CONNECTIONS: [
        IndexModel(
            [("app", ASCENDING), ("userId", ASCENDING), ("connKey", ASCENDING)],
            name="app_userId_connKey",
            unique=True,
        ),
        IndexModel(
            [
                ("app", ASCENDING),
                ("userId", ASCENDING),
                ("at", DESCENDING),
                ("connKey", DESCENDING),
            ],
            name="app_userId_at_connKey",
        ),
    ],
    MESSAGES: [
        IndexModel(
            [("app", ASCENDING), ("senderId", ASCENDING), ("msgKey", ASCENDING)],
            name="app_senderId_msgKey",
            unique=True,
        ),
        IndexModel(
            [
                ("app", ASCENDING),
                ("senderId", ASCENDING),
                ("at", DESCENDING),
                ("msgKey", DESCENDING),
            ],
            name="app_senderId_at_msgKey",
        ),
        IndexModel(  # every sender's messages of a window (the export without senderId)
            [("app", ASCENDING), ("at", DESCENDING), ("msgKey", DESCENDING)],
            name="app_at_msgKey",
        ),
    ],
    MESSAGE_KEYS: [
        IndexModel([("app", ASCENDING), ("msgKey", ASCENDING)], name="app_msgKey", unique=True),
    ],
    RECEIPT_EVENTS: [IndexModel(_BY_RECIPIENT, name="app_msgUid_recipientId")],
    PUSHES: [IndexModel(_BY_RECIPIENT, name="app_msgUid_recipientId")],
    RECEIPTS: [IndexModel(_BY_RECIPIENT, name="app_msgUid_recipientId", unique=True)],
    KEYS: [IndexModel([("secretHash", ASCENDING)], name="secretHash", unique=True)],
}


def ttl_seconds(retention_days: int) -> int:
    return retention_days * DAY_MS // 1000


def ttl_index(retention_days: int) -> IndexModel:
    return IndexModel(
        [(TTL_FIELD, ASCENDING)], name=TTL_INDEX, expireAfterSeconds=ttl_seconds(retention_days)
    )


def ttl_needs_update(existing: Mapping[str, Mapping[str, Any]], retention_days: int) -> bool:
    """Whether a collection's TTL index exists with another ``expireAfterSeconds``.

    ``existing`` is the collection's ``index_information()``. Creating the index
    again with another value fails on a real server (IndexOptionsConflict), so
    such an index is changed in place with :func:`set_ttl` instead.
    """
    index = existing.get(TTL_INDEX)
    return index is not None and index.get("expireAfterSeconds") != ttl_seconds(retention_days)


async def set_ttl(db: Any, collection: str, retention_days: int) -> None:
    """Change the TTL of ``collection`` in place with ``collMod``: no index rebuild."""
    await db.command(
        {
            "collMod": collection,
            "index": {"name": TTL_INDEX, "expireAfterSeconds": ttl_seconds(retention_days)},
        }
    )


SCHEMA_VERSION = 2
"""Kept in ``store_meta`` as ``{_id: "schema", version}``. 1: the first release
(it kept no version); 2: stored receipts."""
_OLD_INDEXES = {RECEIPT_EVENTS: "app_msgUid", PUSHES: "app_msgUid"}
"""Indexes of the first release that version 2 replaces."""


async def schema_version(db: Any) -> int:
    """The database's schema version; 0 for an empty database."""
    found = await db[META].find_one({"_id": "schema"})
    if found is not None:
        return int(found["version"])
    for name in (SEEN, KEYS):
        if await db[name].find_one({}, {"_id": 1}) is not None:
            return 1
    return 0


async def ensure_schema(db: Any, retention_days: int) -> None:
    """Create what is missing; bring the TTL indexes to ``retention_days``; migrate
    a database of an earlier release in place; refuse one of a newer release."""
    version = await schema_version(db)
    if version > SCHEMA_VERSION:
        raise SchemaTooNew(
            f"the MongoDB database {db.name} has schema version {version}, newer than"
            f" this release knows ({SCHEMA_VERSION}): open it with a newer release"
        )
    for name, indexes in INDEXES.items():
        collection = db[name]
        wanted = list(indexes)
        if name in DATA_COLLECTIONS:
            if ttl_needs_update(await collection.index_information(), retention_days):
                await set_ttl(db, name, retention_days)
            else:
                wanted.append(ttl_index(retention_days))
        if wanted:
            await collection.create_indexes(wanted)
    if version == SCHEMA_VERSION:
        return
    if version == 1:
        from store.mongo.writer import fold_stored_events

        await fold_stored_events(db)
        for name, index in _OLD_INDEXES.items():
            if index in await db[name].index_information():
                await db[name].drop_index(index)
    await db[META].update_one({"_id": "schema"}, {"$set": {"version": SCHEMA_VERSION}}, upsert=True)
