"""A real store behind the app, and keys for two apps.

``store`` runs each test on every backend of the store conformance suite: SQLite
in a temp dir (the file of ``store_url``), MongoDB on mongomock, and a real
MongoDB when ``TRACKING_TEST_MONGODB_URI`` is set. A module that needs the SQLite
file itself pins it with ``pytestmark = pytest.mark.parametrize("backend_name", ["sqlite"])``.
"""

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from server.app import create_app
from server.auth import create_key
from server.config import Settings
from store.interface import Store
from store.model import KeyRole
from tests.server.http_helpers import TIGHT_BURST, Keys, bearer, every_type, ndjson
from tests.store.conftest import BACKENDS, opened_store, sqlite_path


@pytest.fixture
def store_url(tmp_path: Path) -> str:
    return "sqlite:///" + str(sqlite_path(tmp_path))


@pytest.fixture(params=sorted(BACKENDS))
def backend_name(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
async def store(backend_name: str, tmp_path: Path) -> AsyncIterator[Store]:
    async with opened_store(backend_name, tmp_path) as store:
        yield store


@pytest.fixture
async def keys(store: Store) -> Keys:
    async def make(app: str, role: KeyRole) -> str:
        return (await create_key(store, app, role))[1]

    return Keys(
        read_a=await make("app-a", KeyRole.READ),
        read_b=await make("app-b", KeyRole.READ),
        ingest_a=await make("app-a", KeyRole.INGEST),
        ingest_b=await make("app-b", KeyRole.INGEST),
        ingest_all=await make("*", KeyRole.INGEST),
    )


ClientOf = Callable[..., Awaitable[httpx.AsyncClient]]


@pytest.fixture
async def client_of(store: Store) -> AsyncIterator[ClientOf]:
    """``await client_of(**settings)``: a client of a new app over the test's store
    with these ``Settings``; ``address`` is the client's IP, ``raise_app_exceptions``
    as httpx's. Every client made is closed after the test."""
    async with contextlib.AsyncExitStack() as stack:

        async def make(
            *, address: str = "127.0.0.1", raise_app_exceptions: bool = True, **settings: Any
        ) -> httpx.AsyncClient:
            app = create_app(store, settings=Settings(**settings))
            transport = httpx.ASGITransport(
                app=app, raise_app_exceptions=raise_app_exceptions, client=(address, 40000)
            )
            client = httpx.AsyncClient(transport=transport, base_url="http://test")
            return await stack.enter_async_context(client)

        yield make


@pytest.fixture
async def client(client_of: ClientOf) -> httpx.AsyncClient:
    """The app with the default settings."""
    return await client_of()


@pytest.fixture
async def empty_fuzz_client(client_of: ClientOf) -> httpx.AsyncClient:
    """An app without rate limits whose exceptions become 500s, over an empty store."""
    return await client_of(rate_limit_per_s=0, raise_app_exceptions=False)


@pytest.fixture
async def fuzz_client(empty_fuzz_client: httpx.AsyncClient, keys: Keys) -> httpx.AsyncClient:
    """The same over a store holding app-a's data of every event type."""
    response = await empty_fuzz_client.post(
        "/v1/events", content=ndjson(every_type()), headers=bearer(keys.ingest_a)
    )
    assert response.json()["accepted"] == len(every_type())
    return empty_fuzz_client


@pytest.fixture
async def tight(client_of: ClientOf) -> httpx.AsyncClient:
    """An app whose keys may make ``TIGHT_BURST`` requests at once, then one every 10 s."""
    return await client_of(rate_limit_per_s=0.1, rate_limit_burst=TIGHT_BURST)


@pytest.fixture
async def throttled(client_of: ClientOf) -> httpx.AsyncClient:
    """An app seen from 198.51.100.7, whose address may fail authentication 4 times at
    once, then once every 100 s."""
    return await client_of(address="198.51.100.7", auth_failures_per_s=0.01, auth_failure_burst=4)
