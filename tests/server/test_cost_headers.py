"""Cost and rate-limit signals for partners (SPEC §10): ``extensions.cost`` on every
``/graphql`` response, ``X-RateLimit-*`` on every authenticated response of both
routes, consistent with the key's token bucket."""

import time

import httpx

from resolvers.limits import MAX_ESTIMATED_NODES
from server.graphql import MAX_BODY_BYTES
from server.ratelimit import RATE_LIMIT_HEADERS, RateLimiter
from tests.server.http_helpers import Keys, bearer, every_type, ndjson

NESTED = """query ($n: Int) { user(id: "u1") { connections(first: 10) { nodes {
  sentMessages(first: $n) { nodes { receipts(first: 3) { nodes { status } } } } } } } }"""
"""10 connections + 10 x (n messages + n x 3 receipts)."""


def _cost(response: httpx.Response) -> dict[str, int]:
    return response.json()["extensions"]["cost"]  # type: ignore[no-any-return]


async def _post(client: httpx.AsyncClient, key: str, body: object) -> httpx.Response:
    return await client.post("/graphql", json=body, headers=bearer(key))


async def test_cost_is_the_estimate_with_variables(client: httpx.AsyncClient, keys: Keys) -> None:
    response = await _post(client, keys.read_a, {"query": NESTED, "variables": {"n": 5}})
    assert response.status_code == 200 and "errors" not in response.json()
    assert _cost(response) == {"estimatedNodes": 10 + 10 * (5 + 5 * 3), "nodeLimit": 100_000}
    default = await _post(client, keys.read_a, {"query": NESTED})  # the field's default, 20
    assert _cost(default)["estimatedNodes"] == 10 + 10 * (20 + 20 * 3)
    over = await client.get(
        "/graphql",
        params={"query": NESTED, "variables": '{"n": 100}'},
        headers=bearer(keys.read_a),
    )
    assert _cost(over)["estimatedNodes"] == 10 + 10 * (100 + 100 * 3)


async def test_cost_comes_with_every_kind_of_error(client: httpx.AsyncClient, keys: Keys) -> None:
    huge = (
        '{ user(id: "u1") { connections(first: 100) { nodes { sentMessages(first: 100) '
        "{ nodes { receipts(first: 100) { totalCount } } } } } } }"
    )
    too_complex = await _post(client, keys.read_a, {"query": huge})
    assert too_complex.json()["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    assert _cost(too_complex) == {
        "estimatedNodes": 100 + 100 * (100 + 100 * 100),
        "nodeLimit": MAX_ESTIMATED_NODES,
    }
    page = '{ sentMessages(filter: {senderId: "u1"}, first: 101) { nodes { id } } }'
    bad_input = await _post(client, keys.read_a, {"query": page})
    assert bad_input.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert _cost(bad_input)["estimatedNodes"] == 100  # clamped to the cap
    for body, status in [
        ({"query": "{ nope }"}, 200),  # fails validation
        ({"query": "{ user(id: "}, 200),  # does not parse
        ([{"query": "{ __typename }"}], 400),  # a batch: refused before any document
        ({"query": "{ __typename }", "pad": "x" * (MAX_BODY_BYTES + 1)}, 413),
        ({"query": "query A { __typename } query B { __typename }"}, 200),
    ]:
        response = await _post(client, keys.read_a, body)
        assert response.status_code == status, body
        assert response.json()["errors"], body
        assert _cost(response) == {"estimatedNodes": 0, "nodeLimit": MAX_ESTIMATED_NODES}, body


def _quota(response: httpx.Response) -> tuple[int, int, int]:
    limit, remaining, reset = (int(response.headers[h]) for h in RATE_LIMIT_HEADERS)
    return limit, remaining, reset


async def test_graphql_headers_follow_the_bucket(tight: httpx.AsyncClient, keys: Keys) -> None:
    query = {"query": "{ __typename }"}
    seen = []
    for _ in range(3):
        before = time.time()
        response = await _post(tight, keys.read_a, query)
        assert response.status_code == 200
        limit, remaining, reset = _quota(response)
        seen.append(remaining)
        # full again once the spent tokens are back, one every 10 s
        assert before + (3 - remaining) * 10 - 1 <= reset <= time.time() + (3 - remaining) * 10 + 1
        assert limit == 3
    assert seen == [2, 1, 0]
    refused = await _post(tight, keys.read_a, query)
    assert refused.status_code == 429
    assert _quota(refused)[:2] == (3, 0)
    assert _cost(refused)["nodeLimit"] == MAX_ESTIMATED_NODES
    other = await _post(tight, keys.read_b, query)  # another key, its own bucket
    assert _quota(other)[1] == 2
    for answer in [  # request-level errors of a known key carry them too
        await _post(tight, keys.read_b, [query]),
        await tight.get("/graphql", params={"query": "{ user(id: "}, headers=bearer(keys.read_b)),
    ]:
        assert answer.json()["errors"] and _quota(answer)[0] == 3
    unknown = await _post(tight, "ptk_nobody_x", query)
    assert unknown.status_code == 401
    assert not set(RATE_LIMIT_HEADERS) & set(unknown.headers)


async def test_ingest_headers_follow_the_bucket(tight: httpx.AsyncClient, keys: Keys) -> None:
    remaining = []
    for n in range(3):
        batch = [{**e, "eventId": f"{e['eventId']}-{n}"} for e in every_type()]
        response = await tight.post(
            "/v1/events", content=ndjson(batch), headers=bearer(keys.ingest_a)
        )
        assert response.status_code == 200
        remaining.append(_quota(response)[1])
    assert remaining == [2, 1, 0]
    refused = await tight.post("/v1/events", content=b"[]", headers=bearer(keys.ingest_a))
    assert refused.status_code == 429 and _quota(refused)[:2] == (3, 0)
    bad = await tight.post(
        "/v1/events",
        content=b"{",
        headers={**bearer(keys.ingest_b), "content-type": "application/json"},
    )
    assert bad.status_code >= 400 and _quota(bad)[1] == 2


def test_reset_is_when_the_bucket_is_full_again() -> None:
    now = [0.0]
    limiter = RateLimiter(
        rate=0.5, burst=4, clock=lambda: now[0], wall_clock=lambda: 1000.2 + now[0]
    )
    first = limiter.take("k")
    assert first is not None and (first.remaining, first.reset_epoch_s) == (3, 1003)
    second = limiter.take("k")
    assert second is not None and (second.remaining, second.reset_epoch_s) == (2, 1005)
    now[0] = 4.0
    later = limiter.take("k")  # 4 s later: 2 tokens back, one taken
    assert later is not None and (later.remaining, later.reset_epoch_s) == (3, 1007)
    assert RateLimiter(rate=0, burst=1).take("k") is None  # limiting off: nothing to tell
