"""``serve --store mongodb://…`` as a subprocess on the real server of
``TRACKING_TEST_MONGODB_URI`` (SecantusDB under ``./tasks test``): events posted
over HTTP come back through the console query."""

from pathlib import Path

import httpx
import orjson
import pytest

from server.graphql import console_query
from store.factory import open_store
from store.model import KeyRole
from tests import events as ev
from tests.e2e.conftest import make_key, start_server
from tests.store.mongo_stores import MONGODB_URI

pytestmark = pytest.mark.skipif(
    not MONGODB_URI, reason="set TRACKING_TEST_MONGODB_URI to run against a real server"
)


async def test_serve_on_mongodb_ingests_and_answers_the_console_query(
    mongo_url: str, tmp_path: Path
) -> None:
    store = open_store(mongo_url, 7)
    await store.open()
    try:
        ingest = await make_key(store, "app-a", KeyRole.INGEST)
        read = await make_key(store, "app-a", KeyRole.READ)
    finally:
        await store.close()
    server = start_server(mongo_url, tmp_path / "server.log")
    try:
        events = [
            ev.closed("alice", "c1", ev.MINUTE),
            ev.opened("alice", "c1", ev.HOUR),
            ev.sent("alice", "bob", 30 * ev.MINUTE, "m1", connectionId="c1"),
            ev.receipt("offline", "m1", "bob", 29 * ev.MINUTE),
            ev.push("m1", "bob", 29 * ev.MINUTE),
            ev.receipt("delivered", "m1", "bob", 28 * ev.MINUTE),
        ]
        body = b"\n".join(orjson.dumps(e) for e in events)
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
            posted = await http.post(
                "/v1/events",
                content=body,
                headers={
                    "Authorization": f"Bearer {ingest}",
                    "Content-Type": "application/x-ndjson",
                },
            )
            assert posted.status_code == 200, posted.text
            assert posted.json()["accepted"] == len(events)
            answer = await http.post(
                "/graphql",
                json={"query": console_query("alice")},
                headers={"Authorization": f"Bearer {read}"},
            )
    finally:
        server.stop()
    assert answer.status_code == 200, answer.text
    result = answer.json()
    assert "errors" not in result, result["errors"]
    connections = result["data"]["user"]["connections"]
    assert connections["totalCount"] == 1
    [log] = connections["nodes"]
    assert (log["connectionId"], log["status"], log["disconnectReason"]) == (
        "c1",
        "CLOSED",
        "LOGOUT",
    )
    [message] = log["sentMessages"]["nodes"]
    assert (message["msgUid"], message["targetId"]) == ("m1", "bob")
    assert message["receiptSummary"]["delivered"] == 1
    assert message["receiptSummary"]["pushSucceeded"] == 1
    [receipt] = message["receipts"]["nodes"]
    assert receipt["status"] == "DELIVERED"
    assert [h["status"] for h in receipt["history"]] == ["OFFLINE", "DELIVERED"]
    assert [a["success"] for a in receipt["pushAttempts"]] == [True]
