"""The store conformance suite runs every test once per backend.

A backend is a function that takes the test's temp dir and returns a maker:
``maker(retention_days)`` builds an unopened store over the backend's one data
location, so a test can open a second store on the same data (another
retention, or a reopen after close). Adding a backend is one entry in BACKENDS.

Beyond the suite: ``mongo``, a MongoDB database of its own (mongomock, and the real
server when there is one), and ``secantus_collection``, a collection on the real
server for the SecantusDB bug reproductions.
"""

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from pymongo import MongoClient

from store.interface import Store
from store.limits import DEFAULT_RETENTION_DAYS
from store.sqlite import SqliteStore
from tests.store.mongo_stores import (
    MONGO_KINDS,
    MONGODB_URI,
    MongoBackend,
    RealMongoMaker,
    mongomock_maker,
)

StoreMaker = Callable[[int], Store]


def _sqlite(tmp_path: Path) -> StoreMaker:
    path = str(sqlite_path(tmp_path))
    return lambda retention_days: SqliteStore(path, retention_days)


BACKENDS: dict[str, Callable[[Path], StoreMaker]] = {
    "sqlite": _sqlite,
    "mongomock": mongomock_maker,
}
if MONGODB_URI:  # a real server: a fresh database per test, dropped after it
    BACKENDS["mongodb"] = RealMongoMaker


def sqlite_path(tmp_path: Path) -> Path:
    """Where the "sqlite" backend keeps its file in a test's temp dir."""
    return tmp_path / "data" / "tracking.db"


@asynccontextmanager
async def opened_store(
    backend_name: str, tmp_path: Path, retention_days: int = DEFAULT_RETENTION_DAYS
) -> AsyncIterator[Store]:
    """An opened store of one backend, for suites beyond this one (resolvers, HTTP):
    closed, and its data dropped where it lives outside ``tmp_path``, afterwards."""
    maker = BACKENDS[backend_name](tmp_path)
    store = maker(retention_days)
    await store.open()
    try:
        yield store
    finally:
        await store.close()
        if hasattr(maker, "drop"):
            maker.drop()


@pytest.fixture(params=sorted(BACKENDS))
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreMaker]:
    maker = BACKENDS[request.param](tmp_path)
    yield maker
    if hasattr(maker, "drop"):  # a maker may clean up data kept outside tmp_path
        maker.drop()


class Stores:
    """Opens stores over the backend's data and closes them all at teardown."""

    def __init__(self, maker: StoreMaker) -> None:
        self._maker = maker
        self._opened: list[Store] = []

    @property
    def deletes_on_its_own(self) -> bool:
        """A real MongoDB server: its TTL monitor deletes what the last retention
        opened let expire, at a moment of its own (about once a minute)."""
        return isinstance(self._maker, RealMongoMaker)

    async def open(self, retention_days: int = DEFAULT_RETENTION_DAYS) -> Store:
        store = self._maker(retention_days)
        await store.open()
        self._opened.append(store)
        return store

    async def close(self, store: Store) -> None:
        self._opened.remove(store)
        await store.close()

    async def close_all(self) -> None:
        while self._opened:
            await self._opened.pop().close()


@pytest.fixture
async def stores(backend: StoreMaker) -> AsyncIterator[Stores]:
    opened = Stores(backend)
    try:
        yield opened
    finally:
        await opened.close_all()


@pytest.fixture
async def store(stores: Stores) -> Store:
    """An opened store with the default retention, closed after the test."""
    return await stores.open()


@pytest.fixture(params=MONGO_KINDS)
async def mongo(request: pytest.FixtureRequest) -> AsyncIterator[MongoBackend]:
    """A MongoDB database of its own, on mongomock and on the real server (when
    ``TRACKING_TEST_MONGODB_URI`` is set): for the tests of what only that backend has."""
    backend = MongoBackend(request.param)
    try:
        yield backend
    finally:
        await backend.close()


SECANTUS_ROWS = [{"a": "x", "at": at, "k": k} for at, k in ((1, "p"), (2, "q"), (3, "r"))]
"""What ``secantus_collection`` holds."""


@pytest.fixture
def secantus_collection() -> Iterator[Any]:
    """Collection ``t`` of database ``secantus_repro`` on the real server, holding
    ``SECANTUS_ROWS`` (PyMongo alone, no project code); dropped after the test."""
    with MongoClient(MONGODB_URI) as client:
        client.drop_database("secantus_repro")
        c = client["secantus_repro"]["t"]
        c.insert_many([dict(row) for row in SECANTUS_ROWS])
        yield c
        client.drop_database("secantus_repro")
