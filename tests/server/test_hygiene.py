"""HTTP hygiene: CORS, GraphiQL and introspection switches, the GraphQL body limit,
no batching, request ids, generic 500s."""

import logging
from collections.abc import AsyncIterator

import httpx
import pytest

from server.app import create_app
from server.config import ConfigError, Settings
from server.graphql import MAX_BODY_BYTES
from store.interface import Store
from tests.server.http_helpers import Keys, bearer, every_type, ndjson

CONSOLE = "https://console.example.com"
INTROSPECTION = {"query": "{ __schema { queryType { name } } }"}
TYPENAME = {"query": '{ __typename user(id: "u1") { id } }'}


def client_for(store: Store, settings: Settings) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=create_app(store, settings=settings))
    return httpx.AsyncClient(transport=transport, base_url="http://test")


def preflight(origin: str) -> dict[str, str]:
    return {
        "Origin": origin,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type",
    }


async def test_cors_is_off_by_default(client: httpx.AsyncClient, keys: Keys) -> None:
    response = await client.options("/graphql", headers=preflight(CONSOLE))
    assert "access-control-allow-origin" not in response.headers
    response = await client.post(
        "/graphql", json=TYPENAME, headers={**bearer(keys.read_a), "Origin": CONSOLE}
    )
    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers


async def test_cors_allows_only_the_listed_origins(store: Store, keys: Keys) -> None:
    settings = Settings.from_env({"TRACKING_CORS_ORIGINS": f"{CONSOLE}, https://b.example"})
    async with client_for(store, settings) as client:
        allowed = await client.options("/graphql", headers=preflight(CONSOLE))
        assert allowed.status_code == 200
        assert allowed.headers["access-control-allow-origin"] == CONSOLE
        assert "authorization" in allowed.headers["access-control-allow-headers"].lower()
        refused = await client.options("/graphql", headers=preflight("https://evil.example"))
        assert "access-control-allow-origin" not in refused.headers
        simple = await client.post(
            "/graphql", json=TYPENAME, headers={**bearer(keys.read_a), "Origin": CONSOLE}
        )
        assert simple.headers["access-control-allow-origin"] == CONSOLE


def test_cors_origins_must_be_origins() -> None:
    with pytest.raises(ConfigError, match="TRACKING_CORS_ORIGINS"):
        Settings.from_env({"TRACKING_CORS_ORIGINS": "console.example.com"})


async def test_graphiql_and_introspection_are_on_by_default(
    client: httpx.AsyncClient, keys: Keys
) -> None:
    page = await client.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "<html" in page.text.lower()
    response = await client.post("/graphql", json=INTROSPECTION, headers=bearer(keys.read_a))
    assert response.json()["data"]["__schema"]["queryType"]["name"] == "Query"


async def test_production_turns_graphiql_and_introspection_off(store: Store, keys: Keys) -> None:
    settings = Settings.from_env({"TRACKING_PRODUCTION": "1"})
    assert (settings.graphiql, settings.introspection) == (False, False)
    async with client_for(store, settings) as client:
        page = await client.get("/graphql", headers={"Accept": "text/html"})
        assert page.status_code == 401 and "<html" not in page.text.lower()
        response = await client.post("/graphql", json=INTROSPECTION, headers=bearer(keys.read_a))
        body = response.json()
        assert body["data"] is None
        assert "introspection" in body["errors"][0]["message"].lower()
        ok = await client.post("/graphql", json=TYPENAME, headers=bearer(keys.read_a))
        assert ok.json()["data"] == {"__typename": "Query", "user": {"id": "u1"}}


def test_each_switch_can_be_set_on_its_own() -> None:
    settings = Settings.from_env({"TRACKING_PRODUCTION": "1", "TRACKING_GRAPHIQL": "1"})
    assert (settings.graphiql, settings.introspection) == (True, False)
    settings = Settings.from_env({"TRACKING_INTROSPECTION": "off"})
    assert (settings.graphiql, settings.introspection) == (True, False)
    with pytest.raises(ConfigError, match="TRACKING_GRAPHIQL"):
        Settings.from_env({"TRACKING_GRAPHIQL": "maybe"})


async def test_graphql_body_limit(client: httpx.AsyncClient, keys: Keys) -> None:
    padding = "x" * MAX_BODY_BYTES
    response = await client.post(
        "/graphql",
        json={"query": "{ __typename }", "variables": {"pad": padding}},
        headers=bearer(keys.read_a),
    )
    assert response.status_code == 413


async def test_graphql_body_limit_is_enforced_while_streaming(
    client: httpx.AsyncClient, keys: Keys
) -> None:
    sent = 0

    async def chunks() -> AsyncIterator[bytes]:
        nonlocal sent
        for _ in range(64):
            sent += 256 * 1024
            yield b" " * 256 * 1024

    response = await client.post(
        "/graphql",
        content=chunks(),
        headers={**bearer(keys.read_a), "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert sent <= MAX_BODY_BYTES + 512 * 1024


async def test_a_body_within_the_limit_still_reaches_graphql(
    client: httpx.AsyncClient, keys: Keys
) -> None:
    response = await client.post(
        "/graphql",
        json={
            "query": "query ($p: ID!) { user(id: $p) { __typename } }",
            "variables": {"p": "x" * 100_000},
        },
        headers=bearer(keys.read_a),
    )
    assert response.json()["data"] == {"user": {"__typename": "User"}}


async def test_batched_operations_are_refused(client: httpx.AsyncClient, keys: Keys) -> None:
    response = await client.post("/graphql", json=[TYPENAME, TYPENAME], headers=bearer(keys.read_a))
    assert response.status_code == 400


async def test_every_response_carries_a_request_id(client: httpx.AsyncClient, keys: Keys) -> None:
    first = await client.get("/healthz")
    second = await client.post("/graphql", json=TYPENAME, headers=bearer(keys.read_a))
    ids = {first.headers["x-request-id"], second.headers["x-request-id"]}
    assert len(ids) == 2
    given = await client.get("/healthz", headers={"X-Request-Id": "trace-42"})
    assert given.headers["x-request-id"] == "trace-42"
    forged = await client.get("/healthz", headers={"X-Request-Id": "<script>" * 20})
    assert forged.headers["x-request-id"] != "<script>" * 20


async def test_an_unhandled_exception_is_a_generic_json_500(
    store: Store, keys: Keys, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(events: object) -> None:
        raise RuntimeError("disk /secret/volume is on fire")

    monkeypatch.setattr(store, "write", broken)
    transport = httpx.ASGITransport(app=create_app(store), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        with caplog.at_level(logging.ERROR):
            response = await client.post(
                "/v1/events", content=ndjson(every_type()), headers=bearer(keys.ingest_a)
            )
    assert response.status_code == 500
    request_id = response.headers["x-request-id"]
    error = {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id}
    assert response.json() == {
        "error": {"message": "Internal server error", **error},
        "errors": [{"message": "Internal server error", "extensions": error}],
    }
    assert "secret" not in response.text
    logged = [r for r in caplog.records if request_id in r.getMessage()]
    assert logged and logged[0].exc_info is not None
    assert "disk /secret/volume is on fire" in caplog.text


async def test_there_are_no_subscriptions_over_websocket(store: Store) -> None:
    """No subscriptions exist: a WebSocket handshake on /graphql is closed, never accepted."""
    app = create_app(store)
    scope = {
        "type": "websocket",
        "path": "/graphql",
        "raw_path": b"/graphql",
        "root_path": "",
        "scheme": "ws",
        "query_string": b"",
        "headers": [(b"sec-websocket-protocol", b"graphql-transport-ws")],
        "subprotocols": ["graphql-transport-ws"],
        "client": ("127.0.0.1", 5000),
        "server": ("test", 80),
    }
    inbox = [{"type": "websocket.connect"}]
    sent: list[dict] = []

    async def receive() -> dict:
        return inbox.pop(0) if inbox else {"type": "websocket.disconnect", "code": 1000}

    async def send(message: dict) -> None:
        sent.append(message)

    await app(scope, receive, send)
    assert [m["type"] for m in sent] == ["websocket.close"]
