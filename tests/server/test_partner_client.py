"""A partner's integration, written the way a partner would with plain httpx: it
pages a list with cursors, runs its queries as persisted queries over GET, watches
the cost and the rate-limit headers, and exports a window."""

from datetime import UTC, datetime
from typing import Any

import httpx
import orjson

from store.limits import now_ms
from tests.server.http_helpers import Keys, bearer, ndjson, wire
from tests.server.test_persisted_queries import ApqClient

PAGE = """query Page($after: String) {
  sentMessages(filter: {senderId: "p1", since: "%s"}, first: 2, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor hasPreviousPage startCursor }
    nodes { msgUid receiptSummary { total delivered } }
  }
}"""


async def test_a_partner_pages_with_apq_watches_cost_and_limits_and_exports(
    client: httpx.AsyncClient, keys: Keys
) -> None:
    start = now_ms() - 3_600_000
    events = [
        wire(100 + i, "message.sent", at=start + i * 1000, senderId="p1", targetId=f"r{i}",
             channelType="DIRECT", messageType="NX:TxtMsg", source="ANDROID", result="SENT",
             msgUid=f"P{i}")
        for i in range(5)
    ]  # fmt: skip
    events += [
        wire(200 + i, "message.delivered", msgUid=f"P{i}", recipientId=f"r{i}") for i in range(5)
    ]
    ingest = await client.post("/v1/events", content=ndjson(events), headers=bearer(keys.ingest_a))
    assert ingest.json()["accepted"] == 10 and "X-RateLimit-Remaining" in ingest.headers

    document = PAGE % f"{_day(start)}T00:00:00Z"
    apq = ApqClient(client, keys.read_a)
    seen: list[str] = []
    after: str | None = None
    remaining: list[int] = []
    while True:
        response = await apq.get_hashed(document, {"after": after})
        body: dict[str, Any] = response.json()
        if any(
            e["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND" for e in body.get("errors", [])
        ):
            body = await apq.query(document, {"after": after})
        else:
            limit = int(response.headers["X-RateLimit-Limit"])
            remaining.append(int(response.headers["X-RateLimit-Remaining"]))
            assert 0 <= remaining[-1] < limit  # this request took a token
            assert int(response.headers["X-RateLimit-Reset"]) >= now_ms() // 1000
        assert "errors" not in body, body
        cost = body["extensions"]["cost"]
        assert cost["estimatedNodes"] <= cost["nodeLimit"]
        page = body["data"]["sentMessages"]
        assert page["totalCount"] == 5
        assert page["pageInfo"]["hasPreviousPage"] is (after is not None)
        seen += [n["msgUid"] for n in page["nodes"]]
        assert all(n["receiptSummary"] == {"total": 1, "delivered": 1} for n in page["nodes"])
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == [f"P{i}" for i in reversed(range(5))]
    assert apq.misses == 1  # the document went once; every later page sent the hash only
    assert len(remaining) == 2  # the pages after the first (which registered the document)

    export = await client.get(
        "/v1/export/sent-messages",
        params={"senderId": "p1", "since": f"{_day(start)}T00:00:00Z"},
        headers=bearer(keys.read_a),
    )
    exported = [orjson.loads(line) for line in export.content.splitlines()]
    assert [m["msgUid"] for m in exported] == seen
    assert all(m["receipts"][0]["status"] == "DELIVERED" for m in exported)


def _day(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%d")
