"""A real SQLite store in a temp dir behind the app, and keys for two apps."""

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from http_helpers import Keys

from server.app import create_app
from server.auth import create_key
from store.factory import open_store
from store.interface import Store
from store.model import KeyRole


@pytest.fixture
def store_url(tmp_path: Path) -> str:
    return "sqlite:///" + str(tmp_path / "data" / "tracking.db")


@pytest.fixture
async def store(store_url: str) -> AsyncIterator[Store]:
    store = open_store(store_url, 7)
    await store.open()
    yield store
    await store.close()


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
async def client(store: Store) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(store))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client
