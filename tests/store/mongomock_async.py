"""A thin async face over mongomock, shaped like ``pymongo.AsyncMongoClient``.

Each coroutine calls the mongomock method of the same name and returns what it
returns; cursors are wrapped so that ``to_list()`` and ``async for`` work. Nothing
here changes what a query means: where mongomock cannot run something a real
server runs (``collMod``, ``$unionWith``, sessions, ``explain``), it raises as
mongomock does, and the test that needs it is skipped under mongomock with the
reason and runs against a real server (``TRACKING_TEST_MONGODB_URI``).
"""

from collections.abc import Callable, Iterator
from typing import Any

import mongomock
from mongomock.collection import BulkOperationBuilder
from mongomock.results import BulkWriteResult


class AsyncCursor:
    """``find()``'s cursor: chainable like pymongo's, read with ``to_list``/``async for``."""

    def __init__(self, cursor: Any) -> None:
        self._cursor = cursor

    def sort(self, *args: Any, **kwargs: Any) -> "AsyncCursor":
        self._cursor.sort(*args, **kwargs)
        return self

    def limit(self, limit: int) -> "AsyncCursor":
        self._cursor.limit(limit)
        return self

    def skip(self, skip: int) -> "AsyncCursor":
        self._cursor.skip(skip)
        return self

    async def to_list(self, length: int | None = None) -> list[dict[str, Any]]:
        if length is None:
            return list(self._cursor)
        return [doc for _, doc in zip(range(length), self._cursor, strict=False)]

    def __aiter__(self) -> "AsyncCursor":
        return self

    async def __anext__(self) -> dict[str, Any]:
        try:
            return next(self._cursor)
        except StopIteration:
            raise StopAsyncIteration from None

    async def close(self) -> None:
        self._cursor.close()


class AsyncCommandCursor(AsyncCursor):
    """``aggregate()``/``list_indexes()``'s cursor over an iterator."""

    def __init__(self, items: Iterator[dict[str, Any]]) -> None:
        super().__init__(iter(items))

    async def close(self) -> None:
        return None


class _BulkBuilder:
    """Hands PyMongo's write models to mongomock's bulk builder.

    PyMongo >= 4.10 passes ``sort=`` to ``add_update``/``add_replace``, a keyword
    mongomock 4.3 predates; ``sort=None`` (no sort) is dropped, a real sort is refused.
    """

    def __init__(self, bulk: BulkOperationBuilder) -> None:
        self._bulk = bulk

    def __getattr__(self, name: str) -> Callable[..., Any]:
        add = getattr(self._bulk, name)

        def call(*args: Any, sort: Any = None, **kwargs: Any) -> Any:
            if sort is not None:
                raise NotImplementedError("mongomock cannot sort an update of a bulk write")
            return add(*args, **kwargs)

        return call


class AsyncCollection:
    def __init__(self, collection: mongomock.Collection) -> None:
        self._collection = collection

    @property
    def name(self) -> str:
        return self._collection.name

    def find(self, *args: Any, **kwargs: Any) -> AsyncCursor:
        return AsyncCursor(self._collection.find(*args, **kwargs))

    async def aggregate(self, pipeline: list[dict[str, Any]], **kwargs: Any) -> AsyncCommandCursor:
        return AsyncCommandCursor(self._collection.aggregate(pipeline, **kwargs))

    async def list_indexes(self) -> AsyncCommandCursor:
        return AsyncCommandCursor(self._collection.list_indexes())

    async def find_one(self, *args: Any, **kwargs: Any) -> Any:
        return self._collection.find_one(*args, **kwargs)

    async def count_documents(self, *args: Any, **kwargs: Any) -> int:
        return self._collection.count_documents(*args, **kwargs)

    async def distinct(self, *args: Any, **kwargs: Any) -> list[Any]:
        return self._collection.distinct(*args, **kwargs)

    async def insert_one(self, *args: Any, **kwargs: Any) -> Any:
        return self._collection.insert_one(*args, **kwargs)

    async def insert_many(self, *args: Any, **kwargs: Any) -> Any:
        return self._collection.insert_many(*args, **kwargs)

    async def update_one(self, *args: Any, **kwargs: Any) -> Any:
        return self._collection.update_one(*args, **kwargs)

    async def update_many(self, *args: Any, **kwargs: Any) -> Any:
        return self._collection.update_many(*args, **kwargs)

    async def delete_many(self, *args: Any, **kwargs: Any) -> Any:
        return self._collection.delete_many(*args, **kwargs)

    async def bulk_write(self, requests: list[Any], ordered: bool = True) -> BulkWriteResult:
        # What mongomock's own Collection.bulk_write does, through _BulkBuilder.
        bulk = BulkOperationBuilder(self._collection, ordered=ordered)
        for request in requests:
            request._add_to_bulk(_BulkBuilder(bulk))
        return BulkWriteResult(bulk.execute(), True)

    async def create_indexes(self, *args: Any, **kwargs: Any) -> list[str]:
        return self._collection.create_indexes(*args, **kwargs)

    async def index_information(self) -> dict[str, Any]:
        return self._collection.index_information()

    async def drop_index(self, name: str) -> None:
        self._collection.drop_index(name)

    async def drop(self) -> None:
        self._collection.drop()


class AsyncDatabase:
    def __init__(self, database: mongomock.Database) -> None:
        self._database = database

    @property
    def name(self) -> str:
        return self._database.name

    def get_collection(self, name: str, **kwargs: Any) -> AsyncCollection:
        return AsyncCollection(self._database.get_collection(name, **kwargs))

    def __getitem__(self, name: str) -> AsyncCollection:
        return self.get_collection(name)

    async def command(self, command: Any, **kwargs: Any) -> dict[str, Any]:
        return self._database.command(command, **kwargs)

    async def list_collection_names(self) -> list[str]:
        return self._database.list_collection_names()

    async def drop_collection(self, name: str) -> None:
        self._database.drop_collection(name)


class AsyncMongoMockClient:
    """What ``MongoStore(..., client=AsyncMongoMockClient())`` talks to in tests."""

    def __init__(self, client: mongomock.MongoClient | None = None) -> None:
        self._client = client if client is not None else mongomock.MongoClient()

    def get_database(self, name: str, **kwargs: Any) -> AsyncDatabase:
        return AsyncDatabase(self._client.get_database(name, **kwargs))

    def __getitem__(self, name: str) -> AsyncDatabase:
        return self.get_database(name)

    async def drop_database(self, name: str) -> None:
        self._client.drop_database(name)

    async def close(self) -> None:
        self._client.close()
