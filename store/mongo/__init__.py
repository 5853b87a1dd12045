"""The MongoDB backend (``mongodb://`` / ``mongodb+srv://``), on ``pymongo.AsyncMongoClient``.

Modules: ``schema`` (collections, indexes, shard keys, TTL), ``documents``
(records <-> documents, cursors), ``writer`` (ingest, purge), ``reader`` (the
queries), ``backend`` (:class:`MongoStore`: lifecycle and API keys).

Collections (shard key in brackets; every unique index starts with it):

* ``seen_events`` [_id hashed] — one document per stored event, ``_id`` =
  (app, eventId) (``documents.event_id``): dedup.
* ``connections`` [app, userId] — one per (app, userId, connKey): open and close
  merged; a rejected attempt is its own document (connKey from its event).
* ``messages`` [app, senderId] — one per (app, senderId, msgKey).
* ``message_keys`` [app, msgKey] — msgKey -> senderId, to route by-key reads.
* ``receipt_events`` [app, msgUid] and ``push_attempts`` [app, msgUid] — one per
  event, ``_id`` = (app, eventId), so that a replay inserts nothing.
* ``api_keys`` — unsharded, a handful of documents.

Each query and the index that serves it. Each targets one shard; a batch of
lookups by ``$in`` goes to the shards that hold those keys only.

==================================  ===================================================
query                               index
==================================  ===================================================
write: which ids are stored         seen_events ``_id_`` (find by ``_id $in``)
write: claim ids after the write    seen_events ``_id_`` (duplicate key = claimed)
write: merge open/close/reject      connections ``app_userId_connKey`` (unique)
write: merge message.sent           messages ``app_senderId_msgKey`` (unique);
                                    message_keys ``app_msgKey`` (unique)
write: receipts, push attempts      ``_id_`` (a replayed event is a duplicate key)
connection_pages, count_connec.     connections ``app_userId_at_connKey``: equality on
                                    app, userId; range on at; sort at, connKey desc
connections_by_key                  connections ``app_userId_connKey``
message_pages, count_messages       messages ``app_senderId_at_msgKey`` (range on at,
                                    sort); filtered by msgUid: ``app_senderId_msgKey``
messages_by_key                     message_keys ``app_msgKey``, then messages
                                    ``app_senderId_msgKey``
receipt_events                      receipt_events ``app_msgUid``
push_attempts                       push_attempts ``app_msgUid``
key_by_hash                         api_keys ``secretHash`` (unique)
list_keys, revoke_key               api_keys ``_id_`` / scan of a tiny collection
purge, TTL monitor                  ``ttl_exp`` on ``exp`` in each data collection
==================================  ===================================================

Retention: each data collection has a TTL index (``expireAfterSeconds`` =
retention days) on ``exp``, the record's event time as a BSON date; every read
also filters on the horizon, since the TTL monitor runs once a minute and may
lag. ``open()`` changes a TTL that differs from ``retention_days`` in place with
``collMod``. See docs/mongodb.md for running it and the sharding commands.
"""

from store.mongo.backend import MongoStore

__all__ = ["MongoStore"]
