"""The store is asked once per level of the graph, whatever the page sizes."""

from collections import Counter

from bench.console import CountingStore
from resolvers.context import Context
from resolvers.loaders import Loaders
from resolvers.schema import schema
from server.graphql import console_query
from tests.events import MINUTE, closed, opened, push, receipt, sent
from tests.resolvers.conftest import Graph


async def test_store_calls_do_not_grow_with_page_sizes(graph: Graph) -> None:
    events: list[dict] = []
    for c in range(4):
        events.append(opened("u1", f"c{c}", (c + 1) * 20 * MINUTE))
        events.append(closed("u1", f"c{c}", (c + 1) * 20 * MINUTE - 10 * MINUTE))
        for m in range(4):
            uid = f"m{c}-{m}"
            events.append(sent("u1", "grp", (c + 1) * 20 * MINUTE - m - 1, uid, channel="GROUP"))
            for r in range(3):
                events.append(receipt("offline", uid, f"r{r}", MINUTE))
                events.append(
                    push(uid, f"r{r}", MINUTE, success=True)
                    if r == 0
                    else push(uid, f"r{r}", MINUTE, success=False, errorCode="QUOTA_EXCEEDED")
                )
    await graph.ingest(*events)

    async def calls(size: int) -> tuple[Counter[str], dict]:
        counting = CountingStore(graph.store)
        context = Context(counting, "app-a", 7, Loaders.for_app(counting, "app-a"))  # type: ignore[arg-type]
        document = console_query("u1", connections=size, messages=size, receipts=size)
        result = await schema.execute(document, context_value=context)
        assert result.errors is None, result.errors
        return counting.calls, result.data or {}

    small, small_data = await calls(2)
    large, large_data = await calls(40)  # 40 + 40^2 + 40^3 nodes: within the limit
    assert small == large
    assert large == Counter(
        connection_pages=1,
        count_connections=1,
        message_pages=1,
        count_messages=1,
        receipt_reads=1,
        recipient_push_attempts=1,
    )
    conns = large_data["user"]["connections"]["nodes"]
    assert len(conns) == 4 and all(len(c["sentMessages"]["nodes"]) == 4 for c in conns)
    assert len(small_data["user"]["connections"]["nodes"]) == 2
    receipts = conns[0]["sentMessages"]["nodes"][0]["receipts"]["nodes"]
    assert [len(r["pushAttempts"]) for r in receipts] == [1, 1, 1]


async def test_counts_go_together_when_only_some_pages_have_receipts(graph: Graph) -> None:
    """The pages whose messages have receipts load them before they resolve; the
    message counts of every page are still asked for in one store call."""
    await graph.ingest(
        opened("u1", "c-receipts", 50 * MINUTE),
        sent("u1", "u2", 45 * MINUTE, "with-receipt"),
        receipt("delivered", "with-receipt", "u2", 44 * MINUTE),
        closed("u1", "c-receipts", 40 * MINUTE),
        opened("u1", "c-open-channel", 30 * MINUTE),
        sent("u1", "lobby", 25 * MINUTE, "open", channel="OPEN"),
        opened("u1", "c-quiet", 10 * MINUTE),
    )
    counting = CountingStore(graph.store)
    context = Context(counting, "app-a", 7, Loaders.for_app(counting, "app-a"))  # type: ignore[arg-type]
    result = await schema.execute(console_query("u1"), context_value=context)
    assert result.errors is None, result.errors
    assert counting.calls["count_messages"] == 1
    assert counting.calls["receipt_reads"] == 1
    conns = (result.data or {})["user"]["connections"]["nodes"]
    assert [c["sentMessages"]["totalCount"] for c in conns] == [0, 1, 1]
