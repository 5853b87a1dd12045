"""MongoDB stores for tests: on mongomock always, on a real server when
``TRACKING_TEST_MONGODB_URI`` is set (a fresh database per test, dropped after)."""

import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from pymongo import AsyncMongoClient, MongoClient

from store.limits import DEFAULT_RETENTION_DAYS
from store.mongo import MongoStore
from tests.store.mongomock_async import AsyncMongoMockClient

MONGODB_URI = os.environ.get("TRACKING_TEST_MONGODB_URI")


def _secantus_version() -> str | None:
    """The SecantusDB version of the server at ``MONGODB_URI``; None for another
    server (a real MongoDB answers ``buildInfo`` without ``secantusVersion``)."""
    if not MONGODB_URI:
        return None
    with MongoClient(MONGODB_URI, serverSelectionTimeoutMS=10_000) as client:
        version = client.admin.command("buildInfo").get("secantusVersion")
    return None if version is None else str(version)


SECANTUS_VERSION = _secantus_version()
"""Set when the real-server tests run on SecantusDB (``./tasks test`` starts one)."""


FULL_VOLUME = os.environ.get("TRACKING_TEST_FULL_VOLUME") == "1"
"""``TRACKING_TEST_FULL_VOLUME=1``: every volume test at full size on every backend
(the 10,000-event batch took 284 s on SecantusDB 0.7.0b3 on 2 cores, and passed)."""


def volume(request: pytest.FixtureRequest, n: int, on_slow_mongo: int) -> int:
    """How many records a volume test of the conformance suite writes: ``n`` on SQLite
    and a real MongoDB, ``on_slow_mongo`` on mongomock (no indexes: every read a scan)
    and on SecantusDB (upserts that insert take ~7 ms each, a server in Python), so
    that the suite stays within its time budget, unless :data:`FULL_VOLUME`. The
    assertions are the same at either size; SQLite's statement-size boundaries are
    crossed at the full size."""
    backend = request.node.callspec.params["backend"]
    slow = backend == "mongomock" or (backend == "mongodb" and SECANTUS_VERSION is not None)
    return on_slow_mongo if slow and not FULL_VOLUME else n


def xfail_on_secantus(request: pytest.FixtureRequest, reason: str) -> None:
    """Expect this test to fail on SecantusDB, strictly: it fails loudly the day
    the server is fixed. ``reason`` names the server's bug and its reproduction."""
    if SECANTUS_VERSION is not None:
        request.applymarker(
            pytest.mark.xfail(
                strict=True,
                raises=AssertionError,
                reason=f"SecantusDB {SECANTUS_VERSION}: {reason}",
            )
        )


MONGO_KINDS = [
    pytest.param("mongomock", id="mongomock"),
    pytest.param(
        "mongodb",
        id="mongodb",
        marks=pytest.mark.skipif(
            not MONGODB_URI, reason="set TRACKING_TEST_MONGODB_URI to run against a real server"
        ),
    ),
]


class MongomockStore(MongoStore):
    """A MongoStore on mongomock, for the conformance suite: a test that needs
    ``collMod`` (a store opened with another retention on the same data) is
    skipped, since mongomock implements no command but ping."""

    async def open(self) -> None:
        try:
            await super().open()
        except NotImplementedError as err:
            pytest.skip(
                f"mongomock cannot change a TTL index in place (collMod): {err};"
                " runs against a real server (TRACKING_TEST_MONGODB_URI)"
            )


def mongomock_maker(tmp_path: Path) -> Callable[[int], MongoStore]:
    """Conformance backend "mongomock": stores over one in-memory mongomock database."""
    client = AsyncMongoMockClient()
    return lambda retention_days: MongomockStore(
        "mongodb://mongomock/", retention_days, client=client, database="polaris_tracking"
    )


class RealMongoMaker:
    """Conformance backend "mongodb": stores over a fresh database on the server of
    ``TRACKING_TEST_MONGODB_URI``; ``drop()`` removes it after the test."""

    def __init__(self, tmp_path: Path) -> None:
        self.database = f"polaris_test_{uuid.uuid4().hex[:12]}"

    def __call__(self, retention_days: int) -> MongoStore:
        assert MONGODB_URI is not None
        return MongoStore(MONGODB_URI, retention_days, database=self.database)

    def drop(self) -> None:
        with MongoClient(MONGODB_URI) as client:
            client.drop_database(self.database)


class MongoBackend:
    """Opens stores on one database: a mongomock one, or a fresh one on the real server."""

    def __init__(self, kind: str) -> None:
        if kind not in ("mongomock", "mongodb"):
            raise ValueError(kind)
        self.kind = kind
        self.database = f"polaris_test_{uuid.uuid4().hex[:12]}"
        self._mock = AsyncMongoMockClient() if kind == "mongomock" else None
        self._stores: list[MongoStore] = []

    @property
    def is_mongomock(self) -> bool:
        return self._mock is not None

    def skip_on_mongomock(self, reason: str) -> None:
        if self.is_mongomock:
            pytest.skip(
                f"mongomock: {reason}; runs against a real server (TRACKING_TEST_MONGODB_URI)"
            )

    async def open(self, retention_days: int = DEFAULT_RETENTION_DAYS) -> MongoStore:
        url = MONGODB_URI if self._mock is None else "mongodb://mongomock/"
        assert url is not None
        store = MongoStore(url, retention_days, client=self._mock, database=self.database)
        self._stores.append(store)  # closed after the test, even when open() fails
        await store.open()
        return store

    async def indexes(self, collection: str) -> dict[str, Any]:
        """``index_information()`` of a collection, read with a client of the test's own."""
        return await self._ask(collection, lambda c: c.index_information())

    async def schema_version(self) -> int | None:
        """The version ``store_meta`` records; None when it records none."""
        found = await self._ask("store_meta", lambda c: c.find_one({"_id": "schema"}))
        return None if found is None else int(found["version"])

    async def count(self, collection: str) -> int:
        """How many documents a collection holds, expired or not."""
        return await self._ask(collection, lambda c: c.count_documents({}))

    async def explain(
        self, collection: str, query: dict[str, Any], sort: list[tuple[str, int]] | None
    ) -> dict[str, Any]:
        """The server's ``explain()`` of a find (a real server only)."""

        async def explain(c: Any) -> Any:
            cursor = c.find(query)
            if sort:
                cursor = cursor.sort(sort).limit(21)
            return await cursor.explain()

        return await self._ask(collection, explain)

    async def _ask(self, collection: str, question: Callable[[Any], Awaitable[Any]]) -> Any:
        if self._mock is not None:
            return await question(self._mock.get_database(self.database)[collection])
        client: AsyncMongoClient = AsyncMongoClient(MONGODB_URI)
        try:
            return await question(client.get_database(self.database)[collection])
        finally:
            await client.close()

    async def close(self) -> None:
        for store in self._stores:
            await store.close()
        if self._mock is not None:
            await self._mock.close()
            return
        client: AsyncMongoClient = AsyncMongoClient(MONGODB_URI)
        try:
            await client.drop_database(self.database)
        finally:
            await client.close()


@asynccontextmanager
async def mongo_store(
    kind: str, retention_days: int = DEFAULT_RETENTION_DAYS
) -> AsyncIterator[MongoStore]:
    """An opened store of ``kind`` ("mongomock" or "mongodb") on a database of its own."""
    backend = MongoBackend(kind)
    try:
        yield await backend.open(retention_days)
    finally:
        await backend.close()
