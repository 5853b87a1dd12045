"""``message``, ``node`` and the app scope of every top-level field."""

from tests.events import HOUR, MINUTE, opened, rejected, sent
from tests.resolvers.conftest import Graph

IDS = """{ user(id: "u1") { connections { nodes { id connectionId
            sentMessages { nodes { id msgUid } } } } } }"""
NODE = """query ($id: ID!) { node(id: $id) { id
          ... on ConnectionLog { connectionId status }
          ... on SentMessage { msgUid result } } }"""


async def _scenario(graph: Graph, app: str) -> None:
    await graph.ingest(
        opened("u1", "c1", HOUR, app=app),
        rejected("u1", 30 * MINUTE, app=app),
        sent("u1", "u2", 10 * MINUTE, "m1", app=app),
        sent("u1", "u2", 5 * MINUTE, None, result="PROFANITY_BLOCKED", app=app),
    )


async def test_node_fetches_every_object_again(graph: Graph) -> None:
    await _scenario(graph, "app-a")
    conns = (await graph.data(IDS))["user"]["connections"]["nodes"]
    ids = [c["id"] for c in conns] + [m["id"] for m in conns[1]["sentMessages"]["nodes"]]
    assert len(ids) == 4
    fetched = [(await graph.data(NODE, {"id": i}))["node"] for i in ids]
    assert [f["id"] for f in fetched] == ids
    assert {f.get("status") for f in fetched[:2]} == {"ONLINE", "REJECTED"}
    assert [f["result"] for f in fetched[2:]] == ["PROFANITY_BLOCKED", "SENT"]


async def test_message_by_uid(graph: Graph) -> None:
    await _scenario(graph, "app-a")
    data = await graph.data('{ message(msgUid: "m1") { msgUid senderId } }')
    assert data["message"] == {"msgUid": "m1", "senderId": "u1"}
    assert (await graph.data('{ message(msgUid: "nope") { msgUid } }'))["message"] is None


async def test_unknown_or_malformed_ids_resolve_to_null(graph: Graph) -> None:
    for bad in ["", "not-base64!", "WyJTZW50TWVzc2FnZSIsInU6bm9wZSJd", "WyJVc2VyIiwieCJd"]:
        assert (await graph.data(NODE, {"id": bad}))["node"] is None


async def test_another_apps_data_is_invisible(graph: Graph) -> None:
    await _scenario(graph, "app-a")
    conns = (await graph.data(IDS))["user"]["connections"]["nodes"]
    ids = [c["id"] for c in conns] + [m["id"] for m in conns[1]["sentMessages"]["nodes"]]

    as_b = await graph.data(IDS, app="app-b")
    assert as_b["user"]["connections"]["nodes"] == []
    for i in ids:
        assert (await graph.data(NODE, {"id": i}, app="app-b"))["node"] is None
    assert (await graph.data('{ message(msgUid: "m1") { msgUid } }', app="app-b"))[
        "message"
    ] is None
    listed = await graph.data(
        '{ sentMessages(filter: {senderId: "u1"}) { totalCount nodes { msgUid } } }', app="app-b"
    )
    assert listed["sentMessages"] == {"totalCount": 0, "nodes": []}
    await _scenario(graph, "app-b")
    both = await graph.data('{ sentMessages(filter: {senderId: "u1"}) { totalCount } }')
    assert both["sentMessages"]["totalCount"] == 2
