"""MongoStore: the MongoDB backend on PyMongo's native async API."""

import functools
import logging
from collections.abc import Callable, Coroutine, Sequence
from typing import Any, ParamSpec, TypeVar
from urllib.parse import parse_qsl, unquote, urlsplit

from pymongo import AsyncMongoClient
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import ConnectionFailure, DuplicateKeyError, OperationFailure, PyMongoError
from pymongo.write_concern import WriteConcern

from store.interface import StoreError, StoreUnavailable
from store.limits import DEFAULT_RETENTION_DAYS, horizon_ms, now_ms
from store.mongo import documents, export, purge, reader, receipts, schema, timeline, writer
from store.records import (
    ApiKey,
    ConnectionLog,
    ConnectionQuery,
    Event,
    ExportPage,
    MessageQuery,
    Page,
    PageRequest,
    PushAttempt,
    Receipt,
    ReceiptCounts,
    ReceiptEventRecord,
    ReceiptQuery,
    ReceiptScope,
    SentMessage,
    WriteResult,
)

DEFAULT_DATABASE = "polaris_tracking"
SERVER_SELECTION_TIMEOUT_MS = 3_000
"""Unless the URI says otherwise: how long an operation waits for a reachable
server before failing, so that /readyz answers 503 quickly while MongoDB is down."""

log = logging.getLogger(__name__)
P = ParamSpec("P")
R = TypeVar("R")


def database_name(url: str) -> str:
    """The database named by the URI's path, or the default."""
    return unquote(urlsplit(url).path.lstrip("/")) or DEFAULT_DATABASE


def _uri_options(url: str) -> set[str]:
    return {name.lower() for name, _ in parse_qsl(urlsplit(url).query)}


def _unavailable_on_network_error(
    method: Callable[P, Coroutine[Any, Any, R]],
) -> Callable[P, Coroutine[Any, Any, R]]:
    @functools.wraps(method)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return await method(*args, **kwargs)
        except ConnectionFailure as err:
            raise StoreUnavailable("MongoDB cannot be reached") from err

    return wrapper


class MongoStore:
    """The whole ``store.interface.Store`` on a MongoDB replica set or sharded cluster.

    ``client`` replaces the ``AsyncMongoClient`` the store would create from
    ``url`` (tests pass an async adapter over mongomock); the store then leaves
    its options alone and does not close it. ``database`` overrides the URI's.
    """

    def __init__(
        self,
        url: str,
        retention_days: int = DEFAULT_RETENTION_DAYS,
        *,
        client: AsyncMongoClient[dict[str, Any]] | None = None,
        database: str | None = None,
    ) -> None:
        self.retention_days = retention_days
        self.database = database or database_name(url)
        self._url = url
        self._client = client
        self._owns_client = client is None
        self._db: AsyncDatabase[dict[str, Any]] | None = None
        self._schema_ready = False

    # --- lifecycle ---------------------------------------------------------------

    def _connect(self) -> AsyncDatabase[dict[str, Any]]:
        if not self._owns_client and self._client is not None:
            return self._client.get_database(self.database)
        options: dict[str, Any] = {"appname": "polaris-tracking"}
        if "serverselectiontimeoutms" not in _uri_options(self._url):
            options["serverSelectionTimeoutMS"] = SERVER_SELECTION_TIMEOUT_MS
        self._client = AsyncMongoClient(self._url, **options)
        if self._client.write_concern.document:
            return self._client.get_database(self.database)
        # Acknowledged by a majority and journaled: a 200 survives a crash or a failover.
        return self._client.get_database(
            self.database, write_concern=WriteConcern("majority", j=True)
        )

    async def open(self) -> None:
        """Connect and create the indexes. While MongoDB is unreachable this only
        logs: the service starts, ``ping`` fails (/readyz 503) and the first call
        that reaches the server creates the indexes before anything else runs.
        A server that answers but refuses the schema (a conflicting index, no
        rights) raises ``StoreError``: the service does not start on it."""
        if self._db is None:
            self._db = self._connect()
            self._schema_ready = False
        try:
            await self._ready()
        except StoreUnavailable:
            log.warning("MongoDB is unreachable; the indexes are created once it answers")

    async def ping(self) -> None:
        try:
            db = await self._ready()
            await db.command("ping")
        except PyMongoError as err:
            raise StoreUnavailable("MongoDB does not answer") from err

    async def size_bytes(self) -> int | None:
        try:
            stats = await (await self._ready()).command("dbStats")
        except ConnectionFailure as err:
            raise StoreUnavailable("MongoDB cannot be reached") from err
        except (OperationFailure, NotImplementedError):  # a server without dbStats
            return None
        sizes = [stats.get(name) for name in ("storageSize", "indexSize")]
        return int(sum(s for s in sizes if isinstance(s, int | float))) or None

    async def close(self) -> None:
        client, self._db = self._client, None
        if self._owns_client and client is not None:
            self._client = None
            await client.close()

    async def _ready(self) -> AsyncDatabase[dict[str, Any]]:
        """The database, its indexes made sure of once per opening."""
        db = self._db
        if db is None:
            raise StoreUnavailable("the store is not open")
        if not self._schema_ready:
            try:
                await schema.ensure_schema(db, self.retention_days)
            except ConnectionFailure as err:
                raise StoreUnavailable("MongoDB cannot be reached") from err
            except OperationFailure as err:
                raise StoreError(
                    f"the MongoDB database {self.database}: its collections and indexes"
                    f" could not be created or verified: {err}"
                ) from err
            self._schema_ready = True
        return db

    async def _keys(self) -> AsyncCollection[dict[str, Any]]:
        return (await self._ready())[schema.KEYS]

    def _horizon(self) -> int:
        return horizon_ms(self.retention_days)

    # --- writer --------------------------------------------------------------------

    @_unavailable_on_network_error
    async def write(self, events: Sequence[Event]) -> WriteResult:
        return await writer.write_batch(await self._ready(), events)

    @_unavailable_on_network_error
    async def purge(self) -> int:
        return await purge.purge(await self._ready(), self._horizon())

    # --- reader --------------------------------------------------------------------

    @_unavailable_on_network_error
    async def connection_pages(
        self, app: str, requests: Sequence[PageRequest[ConnectionQuery]]
    ) -> list[Page[ConnectionLog]]:
        return await reader.connection_pages(await self._ready(), app, requests, self._horizon())

    @_unavailable_on_network_error
    async def count_connections(self, app: str, queries: Sequence[ConnectionQuery]) -> list[int]:
        return await reader.count_connections(await self._ready(), app, queries, self._horizon())

    @_unavailable_on_network_error
    async def connections_by_key(
        self, app: str, keys: Sequence[tuple[str, str]]
    ) -> list[ConnectionLog | None]:
        return await reader.connections_by_key(await self._ready(), app, keys, self._horizon())

    @_unavailable_on_network_error
    async def connections_at(
        self, app: str, keys: Sequence[tuple[str, int]]
    ) -> list[ConnectionLog | None]:
        return await timeline.connections_at(await self._ready(), app, keys, self._horizon())

    @_unavailable_on_network_error
    async def next_connections(
        self, app: str, keys: Sequence[tuple[str, int]]
    ) -> list[ConnectionLog | None]:
        return await timeline.next_connections(await self._ready(), app, keys, self._horizon())

    @_unavailable_on_network_error
    async def previous_connections(
        self, app: str, keys: Sequence[tuple[str, int]]
    ) -> list[ConnectionLog | None]:
        return await timeline.previous_connections(await self._ready(), app, keys, self._horizon())

    @_unavailable_on_network_error
    async def message_pages(
        self, app: str, requests: Sequence[PageRequest[MessageQuery]]
    ) -> list[Page[SentMessage]]:
        return await reader.message_pages(await self._ready(), app, requests, self._horizon())

    @_unavailable_on_network_error
    async def count_messages(self, app: str, queries: Sequence[MessageQuery]) -> list[int]:
        return await reader.count_messages(await self._ready(), app, queries, self._horizon())

    @_unavailable_on_network_error
    async def messages_by_key(self, app: str, keys: Sequence[str]) -> list[SentMessage | None]:
        return await reader.messages_by_key(await self._ready(), app, keys, self._horizon())

    @_unavailable_on_network_error
    async def receipt_events(
        self, app: str, msg_uids: Sequence[str]
    ) -> list[list[ReceiptEventRecord]]:
        return await receipts.receipt_events(await self._ready(), app, msg_uids, self._horizon())

    @_unavailable_on_network_error
    async def push_attempts(self, app: str, msg_uids: Sequence[str]) -> list[list[PushAttempt]]:
        return await receipts.push_attempts(await self._ready(), app, msg_uids, self._horizon())

    @_unavailable_on_network_error
    async def receipt_pages(
        self, app: str, requests: Sequence[PageRequest[ReceiptQuery]]
    ) -> list[Page[Receipt]]:
        return await receipts.receipt_pages(await self._ready(), app, requests, self._horizon())

    @_unavailable_on_network_error
    async def count_receipts(self, app: str, queries: Sequence[ReceiptQuery]) -> list[int]:
        return await receipts.count_receipts(await self._ready(), app, queries, self._horizon())

    @_unavailable_on_network_error
    async def receipt_summaries(
        self, app: str, scopes: Sequence[ReceiptScope]
    ) -> list[ReceiptCounts]:
        db = await self._ready()
        return await receipts.receipt_summaries(db, app, scopes, self._horizon())

    @_unavailable_on_network_error
    async def receipt_reads(
        self,
        app: str,
        pages: Sequence[PageRequest[ReceiptQuery]],
        scopes: Sequence[ReceiptScope],
    ) -> tuple[list[Page[Receipt]], list[ReceiptCounts]]:
        """Concurrent reads, not one snapshot (that would take a multi-document
        transaction on every read)."""
        db, h = await self._ready(), self._horizon()
        found_pages, found_counts = await writer.gather_all(
            receipts.receipt_pages(db, app, pages, h),
            receipts.receipt_summaries(db, app, scopes, h),
        )
        return found_pages, found_counts

    @_unavailable_on_network_error
    async def recipient_push_attempts(
        self, app: str, keys: Sequence[tuple[str, str]]
    ) -> list[list[PushAttempt]]:
        db = await self._ready()
        return await receipts.recipient_push_attempts(db, app, keys, self._horizon())

    @_unavailable_on_network_error
    async def export_messages(
        self,
        app: str,
        query: MessageQuery,
        first: int,
        after: str | None = None,
        *,
        history: bool = True,
    ) -> ExportPage:
        db = await self._ready()
        return await export.export_messages(db, app, query, first, after, history, self._horizon())

    # --- keys ----------------------------------------------------------------------

    @_unavailable_on_network_error
    async def create_key(self, key: ApiKey) -> None:
        keys = await self._keys()
        try:
            await keys.insert_one(documents.key_doc(key))
        except DuplicateKeyError as err:
            raise StoreError(f"a key with id {key.key_id} or the same secret exists") from err

    @_unavailable_on_network_error
    async def list_keys(self) -> list[ApiKey]:
        keys = await self._keys()
        cursor = keys.find().sort([("createdAt", 1), ("_id", 1)])
        return [documents.to_api_key(doc) for doc in await cursor.to_list()]

    @_unavailable_on_network_error
    async def revoke_key(self, key_id: str) -> bool:
        keys = await self._keys()
        result = await keys.update_one(
            {"_id": key_id, "revokedAt": None}, {"$set": {"revokedAt": now_ms()}}
        )
        return result.modified_count > 0

    @_unavailable_on_network_error
    async def key_by_hash(self, secret_hash: str) -> ApiKey | None:
        keys = await self._keys()
        doc = await keys.find_one({"secretHash": secret_hash, "revokedAt": None})
        return None if doc is None else documents.to_api_key(doc)
