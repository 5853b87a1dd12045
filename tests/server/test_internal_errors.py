"""An internal failure behind /graphql: a generic error with a request id, the stack logged."""

import logging

import httpx
import pytest

from store.interface import Store
from tests.server.http_helpers import Keys, bearer, every_type, ndjson

SECRET = "sqlite3.OperationalError: disk I/O error at /srv/secret/tracking.db"
QUERY = """{ user(id: "u1") { connections { nodes { connectionId
  sentMessages { nodes { msgUid receipts { totalCount } } } } } } }"""


async def test_a_failing_store_answers_a_generic_error_with_the_request_id(
    client: httpx.AsyncClient,
    keys: Keys,
    store: Store,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await client.post("/v1/events", content=ndjson(every_type()), headers=bearer(keys.ingest_a))

    async def broken(*args: object) -> list:
        raise OSError(SECRET)

    monkeypatch.setattr(store, "message_pages", broken)
    with caplog.at_level(logging.ERROR):
        response = await client.post("/graphql", json={"query": QUERY}, headers=bearer(keys.read_a))
    assert response.status_code == 200
    request_id = response.headers["x-request-id"]
    body = response.json()
    [error] = body["errors"]
    assert error["message"] == "Internal server error"
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id}
    assert error["path"][:3] == ["user", "connections", "nodes"]
    assert error["path"][-1] == "sentMessages"
    for leak in ("secret", "sqlite3", "OSError", "Traceback", 'File "'):
        assert leak not in response.text
    [record] = [r for r in caplog.records if request_id in r.getMessage()]
    assert record.exc_info is not None
    assert SECRET in caplog.text and "Traceback" in caplog.text


async def test_an_unreachable_store_answers_503_and_recovers_by_itself(
    client: httpx.AsyncClient, keys: Keys, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from store.interface import StoreUnavailable

    real = store.key_by_hash

    async def down(*args: object) -> None:
        raise StoreUnavailable("cannot reach the store")

    monkeypatch.setattr(store, "key_by_hash", down)
    for path, key in (("/graphql", keys.read_a), ("/v1/events", keys.ingest_a)):
        response = await client.post(path, json={"query": "{ __typename }"}, headers=bearer(key))
        assert response.status_code == 503, path
        assert response.json()["error"]["code"] == "STORE_UNAVAILABLE"
        assert response.headers["retry-after"] == "5"
    monkeypatch.setattr(store, "key_by_hash", real)
    response = await client.post(
        "/graphql", json={"query": "{ __typename }"}, headers=bearer(keys.read_a)
    )
    assert response.json()["data"] == {"__typename": "Query"}


async def test_a_store_outage_during_write_answers_503_with_retry_after(
    client: httpx.AsyncClient, keys: Keys, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from store.interface import StoreUnavailable

    async def down(*args: object) -> None:
        raise StoreUnavailable("cannot reach the store")

    monkeypatch.setattr(store, "write", down)
    response = await client.post(
        "/v1/events", content=ndjson(every_type()), headers=bearer(keys.ingest_a)
    )
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    body = response.json()
    assert body["error"]["code"] == "STORE_UNAVAILABLE"
    assert body["errors"][0]["extensions"] == {"code": "STORE_UNAVAILABLE"}
