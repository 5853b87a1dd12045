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

from resolvers.scalars import format_ms
from server.graphql import console_query
from store.limits import now_ms
from tests.events import HOUR, MINUTE, opened, receipt, sent
from tests.server.http_helpers import Keys, bearer, every_type, ndjson


def _fields(value: Any) -> int:
    """Every field of a response (each key of each object)."""
    if isinstance(value, dict):
        return len(value) + sum(_fields(v) for v in value.values())
    if isinstance(value, list):
        return sum(_fields(v) for v in value)
    return 0


async def _console(
    client: httpx.AsyncClient, keys: Keys, request: dict[str, Any] | None = None
) -> tuple[dict[str, Any], int]:
    calls = 0
    original = ExecutionContext.execute_field

    def counting(self: ExecutionContext, *args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        return original(self, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ExecutionContext, "execute_field", counting)
        response = await client.post(
            "/graphql",
            json=request or {"query": console_query("u1")},
            headers=bearer(keys.read_a),
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


DIAGNOSED = """query ($at: DateTime!, $r: Int!) {
  user(id: "u1") {
    connections(first: 5) {
      nodes {
        sentMessages(first: 5) {
          nodes {
            msgUid statusSettled receiptSummary { total } diagnosis { verdict }
            receipts(first: $r) {
              nodes {
                recipientId
                diagnosis { verdict summary findings { code at text } }
                recipient { id connectionAt(at: $at) { connectionId status } }
              }
            }
          }
        }
      }
    }
  }
}"""


@pytest.mark.parametrize("backend_name", ["sqlite"])
async def test_receipt_fields_with_arguments_and_diagnoses_take_the_inline_path(
    client: httpx.AsyncClient, keys: Keys
) -> None:
    """A receipt's diagnosis and its recipient's ``connectionAt(at:)`` (arguments, an
    ``info``) are resolved inline: graphql-core resolves as many fields for 30
    receipts as for one."""
    events = [opened("u1", "c-send", 2 * HOUR)]
    for r in range(30):
        events.append(opened(f"r{r:02}", f"rc{r}", 2 * HOUR))
    events.append(sent("u1", "grp", HOUR, "G1", channel="GROUP", connectionId="c-send"))
    for r in range(30):
        kind = ("delivered", "not_delivered", "offline")[r % 3]
        events.append(receipt(kind, "G1", f"r{r:02}", HOUR - MINUTE))
    await client.post("/v1/events", content=ndjson(events), headers=bearer(keys.ingest_a))
    at = format_ms(now_ms() - 30 * MINUTE)
    calls = {}
    bodies = {}
    for size in (1, 30):
        bodies[size], calls[size] = await _console(
            client, keys, {"query": DIAGNOSED, "variables": {"at": at, "r": size}}
        )
    receipts = bodies[30]["data"]["user"]["connections"]["nodes"][0]["sentMessages"]["nodes"]
    shown = receipts[0]["receipts"]["nodes"]
    assert len(shown) == 30
    assert {r["recipient"]["connectionAt"]["connectionId"] for r in shown} == {
        f"rc{r}" for r in range(30)
    }
    assert {r["diagnosis"]["verdict"] for r in shown} >= {"DELIVERED", "NOT_FETCHED"}
    assert calls[30] == calls[1], calls
