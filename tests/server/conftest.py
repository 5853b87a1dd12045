"""A real store behind the app, and keys for two apps.

``store`` runs each test on every backend of the store conformance suite: SQLite
in a temp dir (the file of ``store_url``), MongoDB on mongomock, and a real
MongoDB when ``TRACKING_TEST_MONGODB_URI`` is set. A module that needs the SQLite
file itself pins it with ``pytestmark = pytest.mark.parametrize("backend_name", ["sqlite"])``.
"""

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from server.app import create_app
from server.auth import create_key
from server.config import Settings
from store.interface import Store
from store.model import KeyRole
from tests.server.http_helpers import Keys, bearer, every_type, ndjson
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


@pytest.fixture
async def fuzz_client(store: Store, keys: Keys) -> AsyncIterator[httpx.AsyncClient]:
    """An app without rate limits over a store holding app-a's data of every event type."""
    app = create_app(store, settings=Settings(rate_limit_per_s=0))
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.post(
            "/v1/events", content=ndjson(every_type()), headers=bearer(keys.ingest_a)
        )
        assert response.json()["accepted"] == len(every_type())
        yield client


@pytest.fixture
async def client(store: Store) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(store))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client
