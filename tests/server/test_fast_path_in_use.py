"""The console query is served by the inline execution path, not only correct on it.

Every GraphQL test runs on both paths and compares answers, so a fast path that
silently switched itself off (say, a renamed override) would leave them green.
This test counts the fields graphql-core resolves itself: on the inline path the
console query's plain fields never reach ``execute_field``.
"""

from typing import Any

import httpx
import pytest
from graphql.execution.executor import Executor as ExecutionContext

from server.graphql import console_query
from tests.server.http_helpers import Keys, bearer, every_type, ndjson


def _fields(value: Any) -> int:
    """Every field of a response (each key of each object)."""
    if isinstance(value, dict):
        return len(value) + sum(_fields(v) for v in value.values())
    if isinstance(value, list):
        return sum(_fields(v) for v in value)
    return 0


async def _console(client: httpx.AsyncClient, keys: Keys) -> tuple[dict[str, Any], int]:
    calls = 0
    original = ExecutionContext.execute_field

    def counting(self: ExecutionContext, *args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        return original(self, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ExecutionContext, "execute_field", counting)
        response = await client.post(
            "/graphql", json={"query": console_query("u1")}, headers=bearer(keys.read_a)
        )
    body = response.json()
    assert "errors" not in body, body
    return body, calls


@pytest.mark.parametrize("backend_name", ["sqlite"])
async def test_the_console_query_takes_the_inline_path(
    client: httpx.AsyncClient, keys: Keys, monkeypatch: pytest.MonkeyPatch
) -> None:
    await client.post("/v1/events", content=ndjson(every_type()), headers=bearer(keys.ingest_a))
    monkeypatch.setenv("TRACKING_GRAPHQL_FAST_PATH", "0")
    plain, plain_calls = await _console(client, keys)
    monkeypatch.setenv("TRACKING_GRAPHQL_FAST_PATH", "1")
    fast, fast_calls = await _console(client, keys)
    assert fast == plain
    assert plain_calls >= _fields(plain["data"]) > 40, "the plain path resolves every field"
    assert fast_calls * 4 < plain_calls, (fast_calls, plain_calls)
