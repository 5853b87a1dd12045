"""Edges of the inline execution path found in review: a fragment shared by two
places of a document, results dropped before they were awaited, shapes named by
aliases, and resolvers the inline path would have run for nothing. Each test
runs on both paths (``on_both_paths``) and compares with what GraphQL defines."""

import gc
import warnings
from typing import Any

import pytest

from resolvers.context import build_context
from resolvers.fastpath import compiled
from resolvers.receipts import receipt_request
from resolvers.scalars import format_ms
from resolvers.schema import schema
from store import diagnosis as rules
from store import records
from store.limits import now_ms
from tests.events import HOUR, MINUTE, closed, opened, push, receipt, sent
from tests.resolvers.conftest import Graph


async def _fill(graph: Graph) -> None:
    await graph.ingest(
        opened("u1", "c1", 2 * HOUR),
        closed("u1", "c1", HOUR),
        sent("u1", "u2", 90 * MINUTE, "M1", connectionId="c1"),
        sent("u1", "g1", 80 * MINUTE, "M2", channel="GROUP", connectionId="c1"),
        receipt("offline", "M1", "u2", 89 * MINUTE),
        push("M1", "u2", 88 * MINUTE, success=False, errorCode="UNREGISTERED"),
        receipt("delivered", "M2", "u4", 79 * MINUTE),
        receipt("not_delivered", "M2", "u5", 79 * MINUTE),
    )


@pytest.mark.parametrize("graph", ["sqlite"], indirect=True)
async def test_a_fragment_shared_by_two_places_reads_what_each_place_asks(graph: Graph) -> None:
    """The same fragment node stands alone at ``a`` and merged with more at ``b``:
    what ``b`` asks below its receipts (push attempts, diagnoses) is loaded for
    ``b``, not taken from ``a``."""
    await _fill(graph)
    data = await graph.data(
        """fragment F on SentMessage { receipts { nodes { status } } }
        { a: message(msgUid: "M1") { ...F }
          b: message(msgUid: "M1") {
            ...F receipts { nodes { pushAttempts { provider } diagnosis { verdict } } } } }"""
    )
    assert data["a"]["receipts"]["nodes"] == [{"status": "OFFLINE"}]
    [b] = data["b"]["receipts"]["nodes"]
    assert b == {
        "status": "OFFLINE",
        "pushAttempts": [{"provider": "FCM"}],
        "diagnosis": {"verdict": "PUSH_FAILED"},
    }


@pytest.mark.parametrize("graph", ["sqlite"], indirect=True)
async def test_a_result_still_to_come_is_left_to_graphql_core_without_a_warning(
    graph: Graph,
) -> None:
    """The receipt page is loaded but its push attempts are not: the inline path
    drops the pending result (and every coroutine it holds) and graphql-core
    answers; no coroutine is left never awaited."""
    await _fill(graph)
    context = build_context(graph.store, "app-a")
    message = await context.loaders.messages_by_key.load(records.message_key("M1", ""))
    assert message is not None
    request = receipt_request(message, None, None, None, None)
    assert request is not None
    await context.loaders.receipts.page(request)
    document = '{ message(msgUid: "M1") { receipts { nodes { diagnosis { verdict } } } } }'
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = await schema.execute(document, context_value=context)
        gc.collect()
    assert result.errors is None, result.errors
    assert result.data == {
        "message": {"receipts": {"nodes": [{"diagnosis": {"verdict": "PUSH_FAILED"}}]}}
    }
    assert not [w for w in caught if "never awaited" in str(w.message)], caught


@pytest.mark.parametrize("graph", ["sqlite"], indirect=True)
async def test_aliases_make_no_new_compiled_shapes(graph: Graph) -> None:
    """A shape is how values are read and finished, not what a client names them:
    30 documents with 30 aliases compile no more shapes than one, and the cache of
    shapes is bounded."""
    await _fill(graph)
    before = None
    for i in range(30):
        data = await graph.data(
            f'{{ user(id: "u1") {{ connections {{ nodes {{ a{i}: status }} }} }} }}'
        )
        assert data["user"]["connections"]["nodes"] == [{f"a{i}": "CLOSED"}]
        if i == 0:
            before = compiled._compile.cache_info().currsize
    assert compiled._compile.cache_info().currsize == before
    assert compiled._compile.cache_info().maxsize == compiled.SHAPES_KEPT


@pytest.mark.parametrize("graph", ["sqlite"], indirect=True)
async def test_a_selection_left_to_graphql_core_runs_its_resolver_once(
    graph: Graph, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``receipts { totalCount }`` (an async field) cannot be completed inline: the
    receipts' diagnoses are computed once a receipt, as on the plain path."""
    await _fill(graph)
    calls: list[Any] = []
    original = rules.receipt_diagnosis

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(rules, "receipt_diagnosis", counted)
    since = format_ms(now_ms() - 3 * HOUR)
    data = await graph.data(
        """query ($since: DateTime) {
          sentMessages(filter: {senderId: "u1", channelType: GROUP, since: $since}) {
            nodes { msgUid receipts { totalCount nodes { diagnosis { verdict } } } } } }""",
        {"since": since},
    )
    receipts = [n["receipts"] for n in data["sentMessages"]["nodes"]]
    assert [r["totalCount"] for r in receipts] == [2]
    assert len(calls) == 2  # one a receipt
