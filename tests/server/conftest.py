"""A real store behind the app, keys for two apps, clients of the app; the rows of
the SQLite file (``row_counts``), argument values that reach the fuzz client's data
(``fuzz_pools``), the demo's generated traffic (``demo_events``) and a real server
on 127.0.0.1 (``live_server``).

``store`` runs each test on every backend of the store conformance suite: SQLite
in a temp dir (the file of ``store_url``), MongoDB on mongomock, and a real
MongoDB when ``TRACKING_TEST_MONGODB_URI`` is set. A module that needs the SQLite
file itself pins it with ``pytestmark = pytest.mark.parametrize("backend_name", ["sqlite"])``.
"""

import contextlib
import socket
import sqlite3
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
import uvicorn

from server.app import create_app
from server.auth import create_key
from server.cli import main
from server.config import Settings
from server.demo import generate_events
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


REAL_VALUES = {
    "id": ["u1", "u2"],
    "senderId": ["u1"],
    "targetId": ["u2"],
    "msgUid": ["M1"],
    "recipientId": ["u2"],
}
"""Argument values that reach ``fuzz_client``'s stored data (``every_type``)."""


@pytest.fixture
async def fuzz_pools(fuzz_client: httpx.AsyncClient, keys: Keys) -> dict[str, list[str]]:
    """Values by argument name that reach ``fuzz_client``'s stored data: ``REAL_VALUES``
    plus the node ids and cursors read from the store (``after``)."""
    query = """{ user(id: "u1") { connections(first: 5) { edges { cursor node { id
      sentMessages(first: 1) { edges { cursor node {
        id receipts(first: 1) { edges { cursor } } } } } } } } } }"""
    response = await fuzz_client.post(
        "/graphql", json={"query": query}, headers=bearer(keys.read_a)
    )
    text = response.text
    ids = [v for k, v in _strings_in(orjson.loads(text)) if k == "id"]
    cursors = [v for k, v in _strings_in(orjson.loads(text)) if k == "cursor"]
    assert len(ids) >= 3 and len(cursors) >= 4, text
    return {**REAL_VALUES, "id": REAL_VALUES["id"] + ids, "after": cursors}


def _strings_in(value: object) -> list[tuple[str, str]]:
    """Every (key, string value) pair in a JSON value, at any depth."""
    if isinstance(value, dict):
        found = [(k, v) for k, v in value.items() if isinstance(v, str)]
        return found + [p for v in value.values() for p in _strings_in(v)]
    if isinstance(value, list):
        return [p for v in value for p in _strings_in(v)]
    return []


@pytest.fixture
async def tight(client_of: ClientOf) -> httpx.AsyncClient:
    """An app whose keys may make ``TIGHT_BURST`` requests at once, then one every 10 s."""
    return await client_of(rate_limit_per_s=0.1, rate_limit_burst=TIGHT_BURST)


@pytest.fixture
async def throttled(client_of: ClientOf) -> httpx.AsyncClient:
    """An app seen from 198.51.100.7, whose address may fail authentication 4 times at
    once, then once every 100 s."""
    return await client_of(address="198.51.100.7", auth_failures_per_s=0.01, auth_failure_burst=4)


@pytest.fixture
def row_counts(store_url: str) -> Callable[[], dict[str, int]]:
    """Rows of every table of the SQLite file: what "the store is unchanged" means
    (for a module pinned to the "sqlite" backend)."""
    path = store_url.removeprefix("sqlite:///")

    def counts() -> dict[str, int]:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            tables = [
                r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
            ]
            return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}

    return counts


DEMO_NOW = 1_790_000_000_000
"""The instant ``demo_events`` are generated at."""


@pytest.fixture(scope="module")
def demo_events() -> list[dict]:
    """The demo's traffic of app "demo", generated at ``DEMO_NOW``; made once per module."""
    return list(generate_events("demo", now=DEMO_NOW))


def _cli_key(capsys: pytest.CaptureFixture[str], store_url: str, app: str, role: str) -> str:
    create = ["keys", "create", "--app", app, "--role", role, "--store", store_url]
    assert main([*create, "--create-store"]) == 0
    return capsys.readouterr().out.splitlines()[-1]


@pytest.fixture
def live_server(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Iterator[tuple[str, str]]:
    """(URL, read key of app-a) of a real server on 127.0.0.1 (uvicorn in a thread over
    a SQLite file of its own, keys made by the CLI) holding ``every_type``'s events."""
    store_url = f"sqlite:///{tmp_path / 'export.db'}"
    read = _cli_key(capsys, store_url, "app-a", "read")
    ingest = _cli_key(capsys, store_url, "app-a", "ingest")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = create_app(Settings(store_url=store_url))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    response = httpx.post(f"{url}/v1/events", content=ndjson(every_type()), headers=bearer(ingest))
    assert response.json()["accepted"] == 8
    try:
        yield url, read
    finally:
        server.should_exit = True
        thread.join(timeout=20)
