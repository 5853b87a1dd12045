from tests.events import DAY, HOUR, MINUTE, closed, opened, rejected, sent
from tests.resolvers.conftest import Graph

CONNECTIONS = """
query ($user: ID!, $since: DateTime, $until: DateTime, $first: Int, $after: String) {
  user(id: $user) {
    id
    connections(since: $since, until: $until, first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { cursor node { connectionId } }
      nodes {
        id connectionId userId status connectedAt disconnectedAt disconnectReason
        rejectCode rejectDescription sdkVersion platform deviceModel osVersion ip
      }
    }
  }
}
"""


async def test_user_without_data_has_empty_lists(graph: Graph) -> None:
    data = await graph.data(CONNECTIONS, {"user": "nobody"})
    assert data["user"]["id"] == "nobody"
    assert data["user"]["connections"]["nodes"] == []
    assert data["user"]["connections"]["totalCount"] == 0


async def test_statuses_fields_and_newest_first(graph: Graph) -> None:
    await graph.ingest(
        opened("u1", "c-old", 3 * HOUR),
        closed("u1", "c-old", 2 * HOUR, reason="NETWORK_ERROR"),
        rejected("u1", 90 * MINUTE),
        opened("u1", "c-now", HOUR, platform="IOS", osVersion="17.4", ip="2001:db8::5"),
    )
    conns = (await graph.data(CONNECTIONS, {"user": "u1"}))["user"]["connections"]
    nodes = conns["nodes"]
    assert [n["status"] for n in nodes] == ["ONLINE", "REJECTED", "CLOSED"]
    online, refused, done = nodes
    assert online["connectionId"] == "c-now"
    assert online["platform"] == "IOS" and online["osVersion"] == "17.4"
    assert online["ip"] == "2001:db8::5" and online["disconnectedAt"] is None
    assert refused["connectionId"] is None and refused["rejectCode"] == "TOKEN_INVALID"
    assert refused["rejectDescription"] == "token expired or invalid"
    assert done["disconnectReason"] == "NETWORK_ERROR"
    assert done["connectedAt"] < done["disconnectedAt"]
    assert done["connectedAt"].endswith("+00:00") and len(done["connectedAt"]) == 29
    assert conns["totalCount"] == 3
    assert len({n["id"] for n in nodes}) == 3


async def test_window_lists_connections_open_at_any_time_in_it(graph: Graph) -> None:
    await graph.ingest(
        opened("u1", "before", 10 * HOUR),
        closed("u1", "before", 9 * HOUR),
        opened("u1", "across", 8 * HOUR),
        closed("u1", "across", 5 * HOUR),
        opened("u1", "still-open", 7 * HOUR),
        opened("u1", "after", 2 * HOUR),
    )
    from resolvers.scalars import format_ms
    from store.limits import now_ms

    now = now_ms()
    variables = {
        "user": "u1",
        "since": format_ms(now - 6 * HOUR),
        "until": format_ms(now - 3 * HOUR),
    }
    nodes = (await graph.data(CONNECTIONS, variables))["user"]["connections"]["nodes"]
    assert [n["connectionId"] for n in nodes] == ["still-open", "across"]


async def test_close_before_open_is_shown_once_the_open_arrives(graph: Graph) -> None:
    await graph.ingest(closed("u1", "c1", HOUR, reason="KICKED_BY_OTHER_DEVICE"))
    assert (await graph.data(CONNECTIONS, {"user": "u1"}))["user"]["connections"]["nodes"] == []
    await graph.ingest(opened("u1", "c1", 2 * HOUR))
    nodes = (await graph.data(CONNECTIONS, {"user": "u1"}))["user"]["connections"]["nodes"]
    assert [(n["status"], n["disconnectReason"]) for n in nodes] == [
        ("CLOSED", "KICKED_BY_OTHER_DEVICE")
    ]


async def test_paging_walks_every_connection_once(graph: Graph) -> None:
    await graph.ingest(*(opened("u1", f"c{i}", (i + 1) * MINUTE) for i in range(7)))
    seen: list[str] = []
    after = None
    while True:
        page = await graph.data(CONNECTIONS, {"user": "u1", "first": 3, "after": after})
        conns = page["user"]["connections"]
        seen += [e["node"]["connectionId"] for e in conns["edges"]]
        assert conns["totalCount"] == 7
        if not conns["pageInfo"]["hasNextPage"]:
            break
        after = conns["pageInfo"]["endCursor"]
    assert seen == [f"c{i}" for i in range(7)]


async def test_messages_sent_while_the_connection_was_open(graph: Graph) -> None:
    await graph.ingest(
        opened("u1", "c1", 5 * HOUR),
        closed("u1", "c1", 3 * HOUR),
        opened("u1", "c2", HOUR),
        sent("u1", "u2", 6 * HOUR, "m-before"),
        sent("u1", "u2", 4 * HOUR, "m-during", channel="GROUP", source="SERVER_API"),
        sent(
            "u1",
            "room",
            4 * HOUR + MINUTE,
            None,
            channel="OPEN",
            result="MUTED",
            muteScope="OPEN_CHANNEL_PARTICIPANT_MUTED",
        ),
        sent("u1", "u2", 2 * HOUR, "m-between"),
        sent("u1", "u2", 10 * MINUTE, "m-now", channel="SYSTEM"),
        sent("u9", "u2", 10 * MINUTE, "other-sender"),
    )
    data = await graph.data(
        """{ user(id: "u1") { connections { nodes { connectionId
             sentMessages { totalCount nodes { msgUid channelType result } } } } } }"""
    )
    by_conn = {n["connectionId"]: n["sentMessages"] for n in data["user"]["connections"]["nodes"]}
    assert [m["msgUid"] for m in by_conn["c2"]["nodes"]] == ["m-now"]
    assert [m["msgUid"] for m in by_conn["c1"]["nodes"]] == ["m-during", None]
    assert by_conn["c1"]["totalCount"] == 2


async def test_rejected_attempt_has_no_messages(graph: Graph) -> None:
    await graph.ingest(rejected("u1", HOUR), sent("u1", "u2", HOUR, "m1"))
    data = await graph.data(
        '{ user(id: "u1") { connections { nodes { status '
        "sentMessages { totalCount nodes { id } } } } } }"
    )
    [node] = data["user"]["connections"]["nodes"]
    assert node["sentMessages"] == {"totalCount": 0, "nodes": []}


async def test_connections_older_than_retention_never_appear(graph: Graph) -> None:
    await graph.ingest(opened("u1", "recent", 6 * DAY))
    graph.store.retention_days = 5
    nodes = (await graph.data(CONNECTIONS, {"user": "u1"}))["user"]["connections"]["nodes"]
    assert nodes == []
