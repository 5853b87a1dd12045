"""Hostile clients: a key-guessing flood is throttled per address before any key
lookup, and a stalled upload is cut off instead of holding its connection."""

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest

from server.auth import FailedAuthThrottle
from store.interface import Store
from tests.server.conftest import ClientOf
from tests.server.http_helpers import Clock, Keys, bearer, every_type, ndjson

QUERY = {"query": "{ __typename }"}
BAD = bearer("ptk_0000_not-a-key")


def test_an_address_is_blocked_after_its_burst_of_failures_and_freed_by_the_rate() -> None:
    clock = Clock()
    throttle = FailedAuthThrottle(rate=1, burst=3, clock=clock)
    for _ in range(3):
        assert throttle.wait("10.0.0.1") == 0
        throttle.failed("10.0.0.1")
    assert throttle.wait("10.0.0.1") == 0, "the burst itself is allowed"
    throttle.failed("10.0.0.1")
    assert throttle.wait("10.0.0.1") == pytest.approx(1.0)
    assert throttle.wait("10.0.0.2") == 0, "every address has its own budget"
    clock.now += 1.0
    assert throttle.wait("10.0.0.1") == 0


def _shared(app_client: httpx.AsyncClient, address: str) -> httpx.AsyncClient:
    """A second client of the same app, from another address."""
    app = app_client._transport.app  # type: ignore[attr-defined]
    transport = httpx.ASGITransport(app=app, client=(address, 40001))
    return httpx.AsyncClient(transport=transport, base_url="http://test")


@pytest.mark.parametrize("path", ["/graphql", "/v1/events"])
async def test_a_bad_key_flood_gets_429_before_any_lookup(
    throttled: httpx.AsyncClient,
    store: Store,
    keys: Keys,
    path: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    statuses = [(await throttled.post(path, json=QUERY, headers=BAD)).status_code for _ in range(6)]
    assert statuses == [401] * 5 + [429], "the burst, the failure past it, then 429"

    lookups = 0
    real = store.key_by_hash

    async def counting(secret_hash: str) -> object:
        nonlocal lookups
        lookups += 1
        return await real(secret_hash)

    monkeypatch.setattr(store, "key_by_hash", counting)
    refused = await throttled.post(path, json=QUERY, headers=BAD)
    assert refused.status_code == 429 and lookups == 0
    assert int(refused.headers["retry-after"]) >= 1
    assert refused.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert "failed authentications" in refused.json()["errors"][0]["message"]

    async with _shared(throttled, "203.0.113.9") as other:
        key = keys.read_a if path == "/graphql" else keys.ingest_a
        body = {"json": QUERY} if path == "/graphql" else {"content": ndjson(every_type())}
        ok = await other.post(path, headers=bearer(key), **body)  # type: ignore[arg-type]
        assert ok.status_code == 200, "another address is not throttled"


async def test_good_keys_never_spend_the_failure_budget(throttled: httpx.AsyncClient, keys: Keys):
    for _ in range(10):
        ok = await throttled.post("/graphql", json=QUERY, headers=bearer(keys.read_a))
        assert ok.status_code == 200


@pytest.mark.parametrize("path", ["/graphql", "/v1/events"])
async def test_a_stalled_upload_gets_408(client_of: ClientOf, keys: Keys, path: str) -> None:
    async def stalled() -> AsyncIterator[bytes]:
        yield b'{"query": "{ __typ'
        await asyncio.sleep(30)
        yield b'ename }"}'

    key = keys.read_a if path == "/graphql" else keys.ingest_a
    client = await client_of(body_timeout_s=0.2)
    response = await asyncio.wait_for(
        client.post(path, content=stalled(), headers=bearer(key)), timeout=10
    )
    assert response.status_code == 408
    assert response.json()["errors"][0]["extensions"]["code"] == "REQUEST_TIMEOUT"
