"""The store is asked once per level of the graph, whatever the page sizes."""

from collections import Counter
from typing import Any

import pytest

from resolvers.context import Context
from resolvers.loaders import Loaders
from resolvers.scalars import format_ms
from resolvers.schema import schema
from server.graphql import console_query
from store.interface import Store
from store.limits import now_ms
from store.observed import CountingStore
from tests.events import MINUTE, closed, opened, push, receipt, sent
from tests.resolvers.conftest import Graph


def recording(store: Store, method: str) -> tuple[CountingStore, list[tuple[Any, ...]]]:
    """A counting store that also keeps the arguments (after the app) of each call of
    its ``method``."""
    calls: list[tuple[Any, ...]] = []
    counting = CountingStore(store)
    called = getattr(store, method)

    async def recorded(app: str, *args: Any) -> Any:
        calls.append(args)
        return await called(app, *args)

    setattr(counting, method, recorded)
    return counting, calls


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

    async def calls(size: int, diagnosis: bool = False) -> tuple[Counter[str], dict]:
        counting = CountingStore(graph.store)
        context = Context(counting, "app-a", Loaders.for_app(counting, "app-a"))
        asked = "verdict summary findings { code at text }" if diagnosis else ""
        sizes = {"connections": size, "messages": size, "receipts": size}
        document = console_query("u1", diagnosis=asked, **sizes)
        result = await schema.execute(document, context_value=context)
        assert result.errors is None, result.errors
        return counting.calls, result.data or {}

    small, small_data = await calls(2)
    large, large_data = await calls(40)  # 40 + 40^2 + 40^3 nodes: within the limit
    assert small == large
    small_diagnosed, _ = await calls(2, diagnosis=True)
    large_diagnosed, diagnosed = await calls(40, diagnosis=True)
    assert (
        small_diagnosed == large_diagnosed == large + Counter(connections_at=1, next_connections=1)
    )
    first = diagnosed["user"]["connections"]["nodes"][0]["sentMessages"]["nodes"][0]
    assert first["diagnosis"]["verdict"] == "NOT_DELIVERED"
    assert [r["diagnosis"]["verdict"] for r in first["receipts"]["nodes"]] == [
        "PUSH_SENT",
        "PUSH_FAILED",
        "PUSH_FAILED",
    ]
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
    context = Context(counting, "app-a", Loaders.for_app(counting, "app-a"))
    result = await schema.execute(console_query("u1"), context_value=context)
    assert result.errors is None, result.errors
    assert counting.calls["count_messages"] == 1
    assert counting.calls["receipt_reads"] == 1
    conns = (result.data or {})["user"]["connections"]["nodes"]
    assert [c["sentMessages"]["totalCount"] for c in conns] == [0, 1, 1]


DIAGNOSED = """query ($at: DateTime!, $since: DateTime!, $m: Int!, $r: Int!) {
  sentMessages(filter: {senderId: "u1", channelType: GROUP, since: $since}, first: $m) {
    nodes {
      msgUid sender { id } connection { connectionId }
      diagnosis { verdict summary findings { code at text } settled }
      receipts(first: $r) {
        nodes {
          recipientId pushAttempts { provider error { code } }
          diagnosis { verdict summary findings { code at text } }
          recipient { id connectionAt(at: $at) { connectionId } }
        }
      }
    }
  }
}"""


@pytest.mark.parametrize("graph", ["sqlite"], indirect=True)  # mongomock: a scan a find
async def test_diagnoses_and_recipients_cost_the_same_calls_whatever_the_page_sizes(
    graph: Graph,
) -> None:
    """20 messages x 50 receipts, each with its diagnosis and the recipient's
    connection at an instant: the same handful of store calls as 2 x 3."""
    events: list[dict] = [opened("u1", "c-send", 60 * MINUTE)]
    for r in range(50):
        events.append(opened(f"r{r}", f"rc{r}", 55 * MINUTE))
        events.append(closed(f"r{r}", f"rc{r}", 45 * MINUTE))
        if r % 2:
            events.append(opened(f"r{r}", f"rc{r}-back", 10 * MINUTE))
    for m in range(20):
        uid = f"g{m}"
        events.append(
            sent("u1", "grp", 40 * MINUTE - m, uid, channel="GROUP", connectionId="c-send")
        )
        for r in range(50):
            kind = ("delivered", "not_delivered", "offline")[r % 3]
            events.append(receipt(kind, uid, f"r{r}", 40 * MINUTE - m - 1))
            if kind == "offline":
                ok = r % 2 == 0
                code = None if ok else "QUOTA_EXCEEDED"
                events.append(push(uid, f"r{r}", 39 * MINUTE, success=ok, errorCode=code))
    await graph.ingest(*events)
    at = format_ms(now_ms() - 50 * MINUTE)
    since = format_ms(now_ms() - 2 * 60 * MINUTE)

    async def calls(m: int, r: int) -> tuple[Counter[str], dict]:
        counting = CountingStore(graph.store)
        context = Context(counting, "app-a", Loaders.for_app(counting, "app-a"))
        variables = {"at": at, "since": since, "m": m, "r": r}
        result = await schema.execute(DIAGNOSED, variable_values=variables, context_value=context)
        assert result.errors is None, result.errors
        return counting.calls, result.data or {}

    small, _ = await calls(2, 3)
    large, data = await calls(20, 50)
    assert small == large
    assert large == Counter(
        message_pages=1,
        connections_by_key=1,
        receipt_reads=1,
        recipient_push_attempts=1,
        connections_at=1,  # the recipients at `at` and at each message's send time, together
        next_connections=1,
    )
    nodes = data["sentMessages"]["nodes"]
    assert len(nodes) == 20 and all(len(n["receipts"]["nodes"]) == 50 for n in nodes)
    assert {n["diagnosis"]["verdict"] for n in nodes} == {"PARTIALLY_DELIVERED"}
    verdicts = Counter(r["diagnosis"]["verdict"] for r in nodes[0]["receipts"]["nodes"])
    assert verdicts == Counter(DELIVERED=17, NOT_FETCHED=17, PUSH_SENT=8, PUSH_FAILED=8)
    recipients = [r["recipient"] for r in nodes[0]["receipts"]["nodes"]]
    assert all(r["connectionAt"] == {"connectionId": f"rc{r['id'][1:]}"} for r in recipients)


RECEIPTS_COUNTED = "receipts { totalCount nodes { recipientId } }"
BELOW_QUERY = f"""query ($since: DateTime!) {{
  sentMessages(filter: {{senderId: "u1", channelType: GROUP, since: $since}}) {{
    nodes {{ {RECEIPTS_COUNTED} }}
  }}
}}"""
BELOW_CONNECTIONS = f"""{{
  user(id: "u1") {{
    connections {{ nodes {{ sentMessages {{ nodes {{ {RECEIPTS_COUNTED} }} }} }} }}
  }}
}}"""


@pytest.mark.parametrize("document", [BELOW_QUERY, BELOW_CONNECTIONS])
async def test_a_receipts_page_and_its_total_count_are_one_read(
    graph: Graph, document: str
) -> None:
    """Below either list of messages, the page and its totalCount come from the same
    store read (one snapshot: they agree while receipts arrive)."""
    await graph.ingest(
        opened("u1", "c1", 90 * MINUTE),
        sent("u1", "grp", 80 * MINUTE, "g1", channel="GROUP"),
        receipt("delivered", "g1", "u4", 79 * MINUTE),
        receipt("not_delivered", "g1", "u5", 79 * MINUTE),
    )
    counting = CountingStore(graph.store)
    context = Context(counting, "app-a", Loaders.for_app(counting, "app-a"))
    variables = {"since": format_ms(now_ms() - 3 * 60 * MINUTE)}
    result = await schema.execute(document, variable_values=variables, context_value=context)
    assert result.errors is None, result.errors
    assert counting.calls["receipt_reads"] == 1
    data = result.data or {}
    messages = (
        data["sentMessages"]
        if "sentMessages" in data
        else (data["user"]["connections"]["nodes"][0]["sentMessages"])
    )
    [message] = messages["nodes"]
    assert message["receipts"] == {
        "totalCount": 2,
        "nodes": [{"recipientId": "u4"}, {"recipientId": "u5"}],
    }


ONLY_THE_MESSAGES_DIAGNOSED = """query ($since: DateTime!, $at: DateTime!) {
  sentMessages(filter: {senderId: "u1", channelType: GROUP, since: $since}) {
    nodes {
      diagnosis { verdict }
      sender { connectionAt(at: $at) { connectionId } }
      receipts { nodes { recipientId } }
    }
  }
}"""


async def test_the_receipts_prefetch_loads_what_the_receipts_ask_for(graph: Graph) -> None:
    """A message's own diagnosis and its sender's connectionAt need nothing of each
    receipt: no push attempts, no recipients' connections are read for them."""
    await graph.ingest(
        opened("u1", "c1", 90 * MINUTE),
        sent("u1", "grp", 80 * MINUTE, "g1", channel="GROUP"),
        receipt("offline", "g1", "u4", 79 * MINUTE),
        push("g1", "u4", 79 * MINUTE, success=True),
    )
    counting, calls = recording(graph.store, "connections_at")
    context = Context(counting, "app-a", Loaders.for_app(counting, "app-a"))
    at = now_ms() - 85 * MINUTE
    variables = {"since": format_ms(now_ms() - 3 * 60 * MINUTE), "at": format_ms(at)}
    result = await schema.execute(
        ONLY_THE_MESSAGES_DIAGNOSED, variable_values=variables, context_value=context
    )
    assert result.errors is None, result.errors
    [message] = (result.data or {})["sentMessages"]["nodes"]
    assert message["sender"]["connectionAt"] == {"connectionId": "c1"}
    assert message["receipts"]["nodes"] == [{"recipientId": "u4"}]
    assert message["diagnosis"]["verdict"]
    assert counting.calls["recipient_push_attempts"] == 0
    assert counting.calls["next_connections"] == 0
    assert calls == [([("u1", at)],)]  # the sender's connection at `at`, not the recipient's


SUMMARY_CASES = {
    "receipts' diagnoses only": ("nodes { receipts { nodes { diagnosis { verdict } } } }", False),
    "the message's diagnosis": (
        "nodes { diagnosis { verdict } receipts { nodes { recipientId } } }",
        True,
    ),
    "its summary, in a fragment on edges": (
        "edges { node { ...M receipts { nodes { recipientId } } } }",
        True,
    ),
}


@pytest.mark.parametrize("case", SUMMARY_CASES, ids=list(SUMMARY_CASES))
async def test_summaries_are_read_with_the_pages_when_a_message_asks_for_them(
    graph: Graph, case: str
) -> None:
    """A message's summary (its receiptSummary, its diagnosis) comes in the level's one
    read; a receipt's diagnosis needs none."""
    selection, summarized = SUMMARY_CASES[case]
    await graph.ingest(
        opened("u1", "c1", 90 * MINUTE),
        sent("u1", "grp", 80 * MINUTE, "g1", channel="GROUP"),
        receipt("delivered", "g1", "u4", 79 * MINUTE),
    )
    counting, calls = recording(graph.store, "receipt_reads")
    context = Context(counting, "app-a", Loaders.for_app(counting, "app-a"))
    document = (
        'query ($since: DateTime!) { sentMessages(filter: {senderId: "u1", channelType: GROUP,'
        f" since: $since}}) {{ {selection} }} }}"
    )
    if "...M" in selection:
        document += " fragment M on SentMessage { receiptSummary { total } }"
    variables = {"since": format_ms(now_ms() - 3 * 60 * MINUTE)}
    result = await schema.execute(document, variable_values=variables, context_value=context)
    assert result.errors is None, result.errors
    [(_, scopes)] = calls  # one read for the level
    assert [s.msg_uid for s in scopes] == (["g1"] if summarized else [])


NESTED_RECEIPTS = """query ($since: DateTime!) {
  sentMessages(filter: {senderId: "u1", channelType: GROUP, since: $since}) {
    nodes {
      receipts(first: 2) { nodes { recipientId } }
      sender {
        connections { nodes { sentMessages { nodes { receipts(first: 1) { nodes { status } } } } } }
      }
    }
  }
}"""


async def test_a_level_prefetches_its_own_receipts_fields_only(graph: Graph) -> None:
    """The receipts asked further down (below the sender's connections) are that
    level's to read: the first level reads one page a message, of its own size."""
    await graph.ingest(
        opened("u1", "c1", 90 * MINUTE),
        sent("u1", "grp", 80 * MINUTE, "g1", channel="GROUP"),
        sent("u1", "grp", 70 * MINUTE, "g2", channel="GROUP"),
        receipt("delivered", "g1", "u4", 79 * MINUTE),
        receipt("delivered", "g2", "u4", 69 * MINUTE),
    )
    counting, calls = recording(graph.store, "receipt_reads")
    context = Context(counting, "app-a", Loaders.for_app(counting, "app-a"))
    variables = {"since": format_ms(now_ms() - 3 * 60 * MINUTE)}
    result = await schema.execute(NESTED_RECEIPTS, variable_values=variables, context_value=context)
    assert result.errors is None, result.errors
    (first_level, _), *_ = calls
    assert sorted((p.query.scope.msg_uid, p.first) for p in first_level) == [("g1", 2), ("g2", 2)]
    [outer, _] = (result.data or {})["sentMessages"]["nodes"]
    assert outer["receipts"]["nodes"] == [{"recipientId": "u4"}]
    inner = outer["sender"]["connections"]["nodes"][0]["sentMessages"]["nodes"]
    assert [m["receipts"]["nodes"] for m in inner] == [[{"status": "DELIVERED"}]] * 2


NESTED_INSTANTS = """query ($since: DateTime!, $near: DateTime!, $far: DateTime!) {
  sentMessages(filter: {senderId: "u1", channelType: GROUP, since: $since}, first: 5) {
    nodes {
      receipts(first: 5) {
        nodes {
          recipient {
            connectionAt(at: $near) { connectionId }
            connections(first: 5) { nodes { sentMessages(first: 5) { nodes {
              receipts(first: 5) { nodes { recipient { connectionAt(at: $far) { connectionId } } } }
            } } } }
          }
        }
      }
    }
  }
}"""


async def test_a_level_prefetches_the_instants_of_its_own_recipients(graph: Graph) -> None:
    """The connectionAt of recipients further down (of the recipients' own messages) is
    that level's to read: the first level asks for its recipients at its instant."""
    await graph.ingest(
        opened("u1", "c1", 90 * MINUTE),
        opened("u4", "c4", 85 * MINUTE),
        sent("u1", "grp", 80 * MINUTE, "g1", channel="GROUP"),
        receipt("delivered", "g1", "u4", 79 * MINUTE),
        sent("u4", "grp", 78 * MINUTE, "g2", channel="GROUP", connectionId="c4"),
        receipt("delivered", "g2", "u1", 77 * MINUTE),
    )
    counting, calls = recording(graph.store, "connections_at")
    context = Context(counting, "app-a", Loaders.for_app(counting, "app-a"))
    near, far = now_ms() - 60 * MINUTE, now_ms() - 82 * MINUTE
    variables = {
        "since": format_ms(now_ms() - 3 * 60 * MINUTE),
        "near": format_ms(near),
        "far": format_ms(far),
    }
    result = await schema.execute(NESTED_INSTANTS, variable_values=variables, context_value=context)
    assert result.errors is None, result.errors
    assert sorted(calls[0][0]) == [("u4", near)]
    [message] = (result.data or {})["sentMessages"]["nodes"]
    [bob] = message["receipts"]["nodes"]
    assert bob["recipient"]["connectionAt"] == {"connectionId": "c4"}
    [inner] = bob["recipient"]["connections"]["nodes"][0]["sentMessages"]["nodes"]
    [back] = inner["receipts"]["nodes"]
    assert back["recipient"]["connectionAt"] == {"connectionId": "c1"}


NESTED_PUSHES = """query ($since: DateTime!) {
  sentMessages(filter: {senderId: "u1", channelType: GROUP, since: $since}, first: 5) {
    nodes {
      receipts(first: 5) {
        nodes {
          recipientId
          recipient { connections(first: 5) { nodes { sentMessages(first: 5) { nodes {
            receipts(first: 5) { nodes { pushAttempts { provider } } }
          } } } } }
        }
      }
    }
  }
}"""


async def test_receipts_read_the_push_attempts_they_show(graph: Graph) -> None:
    """Push attempts asked of the receipts further down are read for those only."""
    await graph.ingest(
        opened("u4", "c4", 85 * MINUTE),
        sent("u1", "grp", 80 * MINUTE, "g1", channel="GROUP"),
        receipt("offline", "g1", "u4", 79 * MINUTE),
        push("g1", "u4", 79 * MINUTE, success=True),
        sent("u4", "grp", 78 * MINUTE, "g2", channel="GROUP", connectionId="c4"),
        receipt("offline", "g2", "u1", 77 * MINUTE),
        push("g2", "u1", 77 * MINUTE, success=True),
    )
    counting, calls = recording(graph.store, "recipient_push_attempts")
    context = Context(counting, "app-a", Loaders.for_app(counting, "app-a"))
    variables = {"since": format_ms(now_ms() - 3 * 60 * MINUTE)}
    result = await schema.execute(NESTED_PUSHES, variable_values=variables, context_value=context)
    assert result.errors is None, result.errors
    assert [key for (keys,) in calls for key in keys] == [("g2", "u1")]
    [message] = (result.data or {})["sentMessages"]["nodes"]
    [u4] = message["receipts"]["nodes"]
    [inner] = u4["recipient"]["connections"]["nodes"][0]["sentMessages"]["nodes"]
    assert inner["receipts"]["nodes"] == [{"pushAttempts": [{"provider": "FCM"}]}]
