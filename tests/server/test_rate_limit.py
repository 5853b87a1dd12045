"""Rate limiting per API key: a token bucket; GraphQL answers RATE_LIMITED, ingest 429."""

import httpx
import pytest

from server.config import Settings
from server.ratelimit import RateLimiter
from store.interface import Store
from tests.server.http_helpers import TIGHT_BURST, Clock, Keys, bearer, every_type, ndjson

QUERY = {"query": '{ user(id: "u1") { id } }'}


def test_bucket_allows_a_burst_then_the_rate() -> None:
    clock = Clock()
    limiter = RateLimiter(rate=2, burst=3, clock=clock)
    assert [limiter.acquire("k") for _ in range(3)] == [0, 0, 0]
    assert limiter.acquire("k") == pytest.approx(0.5)
    assert limiter.acquire("other") == 0  # every key has its own bucket
    clock.now += 0.5
    assert limiter.acquire("k") == 0
    assert limiter.acquire("k") > 0
    clock.now += 100  # refills up to the burst, no further
    assert [limiter.acquire("k") for _ in range(4)][-1] > 0


def test_idle_buckets_are_forgotten() -> None:
    clock = Clock()
    limiter = RateLimiter(rate=10, burst=10, clock=clock)
    for n in range(1000):
        limiter.acquire(f"key-{n}")
    clock.now += 2
    limiter.acquire("fresh")
    assert len(limiter._buckets) == 1


def test_rate_zero_turns_limiting_off() -> None:
    limiter = RateLimiter(rate=0, burst=1)
    assert all(limiter.acquire("k") == 0 for _ in range(10_000))


async def test_graphql_answers_rate_limited(tight: httpx.AsyncClient, keys: Keys) -> None:
    for _ in range(TIGHT_BURST):
        ok = await tight.post("/graphql", json=QUERY, headers=bearer(keys.read_a))
        assert ok.status_code == 200 and "errors" not in ok.json()
    refused = await tight.post("/graphql", json=QUERY, headers=bearer(keys.read_a))
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 10
    body = refused.json()
    assert body["data"] is None
    [error] = body["errors"]
    assert error["extensions"] == {"code": "RATE_LIMITED"}
    other = await tight.post("/graphql", json=QUERY, headers=bearer(keys.read_b))
    assert other.status_code == 200


async def test_ingest_answers_429_with_retry_after(
    tight: httpx.AsyncClient, keys: Keys, store: Store
) -> None:
    events = every_type()
    for n in range(TIGHT_BURST):
        batch = [{**e, "eventId": f"{e['eventId']}-{n}"} for e in events]
        response = await tight.post(
            "/v1/events", content=ndjson(batch), headers=bearer(keys.ingest_a)
        )
        assert response.status_code == 200
    refused = await tight.post(
        "/v1/events", content=ndjson(every_type()), headers=bearer(keys.ingest_a)
    )
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 10
    assert refused.json()["error"]["code"] == "RATE_LIMITED"
    other = await tight.post("/v1/events", content=ndjson(events), headers=bearer(keys.ingest_b))
    assert other.status_code == 200


async def test_defaults_are_generous(client: httpx.AsyncClient, keys: Keys) -> None:
    settings = Settings()
    assert settings.rate_limit_per_s >= 100 and settings.rate_limit_burst >= 500
    for _ in range(50):
        response = await client.post("/graphql", json=QUERY, headers=bearer(keys.read_a))
        assert response.status_code == 200


def test_settings_from_the_environment() -> None:
    env = {"TRACKING_RATE_LIMIT_PER_S": "0.5", "TRACKING_RATE_LIMIT_BURST": "7"}
    settings = Settings.from_env(env)
    assert (settings.rate_limit_per_s, settings.rate_limit_burst) == (0.5, 7)
    assert Settings.from_env({"TRACKING_RATE_LIMIT_PER_S": "0"}).rate_limit_per_s == 0
