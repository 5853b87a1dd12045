"""The real server as a subprocess (``python -m server.cli serve``, through
``bench.server.Server``) on 127.0.0.1, over a SQLite file, with keys made straight
in that file; or over a fresh database on the real MongoDB server (``mongo_url``)."""

import sys
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from pymongo import AsyncMongoClient

from bench.server import ROOT, Server
from server.auth import create_key
from store.factory import open_store
from store.interface import Store
from store.model import KeyRole
from tests.store.mongo_stores import MONGODB_URI

START_TIMEOUT_S = 30.0


def start_server(
    store_url: str,
    log: Path,
    env: dict[str, str] | None = None,
    cwd: Path = ROOT,
    *,
    workers: int = 0,
    python: str = sys.executable,
) -> Server:
    """``serve`` on a free port, without rate limits unless ``env`` sets them; with
    ``workers``, in that many worker processes."""
    environment = {"TRACKING_RATE_LIMIT_PER_S": "0", **(env or {})}
    server = Server(store_url, env=environment, log=log, cwd=cwd, workers=workers, python=python)
    return server.start(START_TIMEOUT_S)


@pytest.fixture
def store_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'tracking.db'}"


@pytest.fixture
async def store(store_url: str) -> AsyncIterator[Store]:
    """The same file the server uses, opened in the test process (WAL: both may read)."""
    store = open_store(store_url, 7)
    await store.open()
    yield store
    await store.close()


@pytest.fixture
def servers(store_url: str, tmp_path: Path) -> Iterator[Callable[..., Server]]:
    """Starts servers on the test's store; stops every one it started."""
    started: list[Server] = []

    def start(**env: str) -> Server:
        server = start_server(store_url, tmp_path / "server.log", env)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
async def mongo_url() -> AsyncIterator[str]:
    """The URI of ``TRACKING_TEST_MONGODB_URI``'s server naming a fresh database,
    dropped after the test."""
    assert MONGODB_URI is not None
    database = f"polaris_e2e_{uuid.uuid4().hex[:12]}"
    yield urlunsplit(urlsplit(MONGODB_URI)._replace(path=f"/{database}"))
    client: AsyncMongoClient = AsyncMongoClient(MONGODB_URI)
    try:
        await client.drop_database(database)
    finally:
        await client.close()


async def make_key(store: Store, app: str, role: KeyRole) -> str:
    return (await create_key(store, app, role))[1]
