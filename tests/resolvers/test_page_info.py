"""``PageInfo`` on every connection type (SPEC §5): forward paging, so
``hasPreviousPage`` is true exactly when ``after`` was given; ``startCursor`` and
``endCursor`` are the first and last edge's cursors, null on an empty page."""

from typing import Any

import pytest

from resolvers.scalars import format_ms
from store.limits import now_ms
from tests.events import HOUR, MINUTE, opened, receipt, rejected, sent
from tests.resolvers.conftest import Graph

PAGE = "pageInfo { hasNextPage endCursor hasPreviousPage startCursor } edges { cursor }"

LISTS: dict[str, tuple[str, list[str]]] = {
    "User.connections": (
        f'{{ user(id: "u1") {{ connections(first: $first, after: $after) {{ {PAGE} }} }} }}',
        ["user", "connections"],
    ),
    "Query.sentMessages": (
        '{ sentMessages(filter: {senderId: "u1", since: $since}, first: $first, after: $after)'
        f" {{ {PAGE} }} }}",
        ["sentMessages"],
    ),
    "ConnectionLog.sentMessages": (
        '{ user(id: "u1") { connections(first: 1) { nodes { '
        f"sentMessages(first: $first, after: $after) {{ {PAGE} }} }} }} }} }}",
        ["user", "connections", "nodes", 0, "sentMessages"],
    ),
    "SentMessage.receipts": (
        f'{{ message(msgUid: "g1") {{ receipts(first: $first, after: $after) {{ {PAGE} }} }} }}',
        ["message", "receipts"],
    ),
}


def _document(body: str) -> str:
    since = ", $since: DateTime" if "$since" in body else ""
    return f"query ($first: Int, $after: String{since}) {body}"


def _at(data: Any, path: list[Any]) -> dict[str, Any]:
    for step in path:
        data = data[step]
    return data  # type: ignore[no-any-return]


async def _fill(graph: Graph) -> None:
    await graph.ingest(
        opened("u1", "c1", 30 * MINUTE),
        opened("u1", "c2", 20 * MINUTE),
        opened("u1", "c3", 10 * MINUTE),
        sent("u1", "u2", 15 * MINUTE, "d-before"),
        *(sent("u1", "u2", (9 - i) * MINUTE, f"d{i}") for i in range(2)),
        sent("u1", "grp", 5 * MINUTE, "g1", channel="GROUP"),
        *(receipt("delivered", "g1", f"m{i}", 4 * MINUTE) for i in range(3)),
    )


@pytest.mark.parametrize("name", sorted(LISTS))
async def test_page_info_walks_forward(graph: Graph, name: str) -> None:
    await _fill(graph)
    body, path = LISTS[name]
    document = _document(body)
    base: dict[str, Any] = {"first": 2}
    if "$since" in body:  # not midnight today: the test may run just after midnight
        base["since"] = format_ms(now_ms() - HOUR)
    first = _at(await graph.data(document, base), path)
    info, edges = first["pageInfo"], first["edges"]
    assert len(edges) == 2
    assert info == {
        "hasNextPage": True,
        "endCursor": edges[-1]["cursor"],
        "hasPreviousPage": False,
        "startCursor": edges[0]["cursor"],
    }
    rest = _at(await graph.data(document, {**base, "after": info["endCursor"]}), path)
    assert len(rest["edges"]) == 1
    assert rest["pageInfo"] == {
        "hasNextPage": False,
        "endCursor": rest["edges"][0]["cursor"],
        "hasPreviousPage": True,
        "startCursor": rest["edges"][0]["cursor"],
    }
    assert rest["edges"][0]["cursor"] not in {e["cursor"] for e in edges}
    past_end = _at(
        await graph.data(document, {**base, "after": rest["pageInfo"]["endCursor"]}), path
    )
    assert past_end["edges"] == []
    assert past_end["pageInfo"] == {
        "hasNextPage": False,
        "endCursor": None,
        "hasPreviousPage": True,
        "startCursor": None,
    }


async def test_lists_without_a_store_page_follow_the_same_rule(graph: Graph) -> None:
    """A rejected attempt has no messages and an OPEN message no receipts: still, after
    given means hasPreviousPage."""
    await graph.ingest(
        rejected("u9", 3 * MINUTE),
        sent("u9", "room", 2 * MINUTE, "o1", channel="OPEN"),
        sent("u9", "u8", 2 * MINUTE, "d9"),
    )
    cursors = await graph.data(
        """{ sentMessages(filter: {senderId: "u9"}) { pageInfo { endCursor } }
             message(msgUid: "d9") { receipts { pageInfo { endCursor } } } }"""
    )
    message_cursor = cursors["sentMessages"]["pageInfo"]["endCursor"]
    receipt_cursor = cursors["message"]["receipts"]["pageInfo"]["endCursor"]
    assert message_cursor and receipt_cursor
    data = await graph.data(
        """query ($messages: String, $receipts: String) {
          user(id: "u9") { connections { nodes { status
            sentMessages(after: $messages) { pageInfo { hasPreviousPage startCursor } } } } }
          message(msgUid: "o1") {
            receipts(after: $receipts) { pageInfo { hasPreviousPage startCursor } } }
          none: message(msgUid: "o1") {
            receipts { pageInfo { hasPreviousPage startCursor } } }
        }""",
        {"messages": message_cursor, "receipts": receipt_cursor},
    )
    refused = data["user"]["connections"]["nodes"][0]
    assert refused["status"] == "REJECTED"
    assert refused["sentMessages"]["pageInfo"] == {"hasPreviousPage": True, "startCursor": None}
    assert data["message"]["receipts"]["pageInfo"] == {"hasPreviousPage": True, "startCursor": None}
    assert data["none"]["receipts"]["pageInfo"] == {"hasPreviousPage": False, "startCursor": None}
