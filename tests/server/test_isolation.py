"""Isolation matrix over HTTP: every query field and argument, nested lists and cursors
made for app A replayed with app B's read key; app B never sees anything of app A.

App B holds its own data under the same user ids and msgUids, so that a missing
app filter anywhere would show A's records among B's. Every A record carries a
marker that none of B's has; each query also runs with A's key, to prove the
marker is reachable through it (the check is not vacuous).
"""

import itertools
from typing import Any

import httpx
import orjson
import pytest

from resolvers.scalars import format_ms
from store.interface import Store
from store.limits import now_ms
from store.records import message_key
from tests.events import HOUR, MINUTE, closed, opened, push, receipt, rejected, sent
from tests.server.http_helpers import Keys, bearer

pytestmark = pytest.mark.usefixtures("execution_path")  # every test, both paths

A_MARK = "ZZA"
"""In every app-A device model, message type, group recipient, push error and reject code."""


def app_a() -> list[dict[str, Any]]:
    a = {"app": "app-a"}
    return [
        opened("u1", "c1", 50 * MINUTE, deviceModel=f"Pixel-{A_MARK}", **a),
        closed("u1", "c1", 5 * MINUTE, **a),
        opened("u1", "c2", 4 * MINUTE, deviceModel=f"iPhone-{A_MARK}", platform="IOS", **a),
        rejected("u1", 3 * MINUTE, code=f"TOKEN_{A_MARK}", app="app-a"),
        sent("u1", "u2", 40 * MINUTE, "M1", message_type=f"{A_MARK}:Custom", **a),
        sent("u1", "g1", 30 * MINUTE, "M2", channel="GROUP", message_type=f"{A_MARK}:Grp", **a),
        sent(
            "u1",
            "u3",
            20 * MINUTE,
            None,
            result="BLOCKED_BY_BLOCKLIST",
            message_type=f"{A_MARK}:Blocked",
            **a,
        ),
        sent("u1", "u2", 10 * MINUTE, "M4", source="IOS", message_type=f"{A_MARK}:Ios", **a),
        sent("u1", "o1", 9 * MINUTE, "M5", channel="OPEN", message_type=f"{A_MARK}:Open", **a),
        sent(
            "u1",
            "s1",
            8 * MINUTE,
            "M6",
            channel="SYSTEM",
            source="SERVER_API",
            message_type=f"{A_MARK}:Sys",
            **a,
        ),
        receipt("delivered", "M1", "u2", 39 * MINUTE, **a),
        # r0 is also B's M2 recipient: A's push to it must not show on B's receipt
        receipt("offline", "M2", "r0", 29 * MINUTE, **a),
        push("M2", "r0", 28 * MINUTE, success=False, errorCode=f"ERR_{A_MARK}", **a),
        *[receipt("offline", "M2", f"r{n}{A_MARK}", 29 * MINUTE, **a) for n in range(3)],
        *[
            push("M2", f"r{n}{A_MARK}", 28 * MINUTE, success=False, errorCode=f"ERR_{A_MARK}", **a)
            for n in range(3)
        ],
    ]


def app_b() -> list[dict[str, Any]]:
    """Same users and msgUids, no marker; fewer of everything."""
    b = {"app": "app-b"}
    return [
        opened("u1", "c9", 45 * MINUTE, deviceModel="Pixel-B", **b),
        sent("u1", "u2", 35 * MINUTE, "M1", **b),
        sent("u1", "g1", 25 * MINUTE, "M2", channel="GROUP", **b),
        receipt("not_delivered", "M2", "r0", 24 * MINUTE, **b),
    ]


SINCE = format_ms(now_ms() - 2 * HOUR)
CONN_FIELDS = """id connectionId userId status connectedAt disconnectedAt disconnectReason
  rejectCode rejectDescription sdkVersion platform deviceModel osVersion ip"""
MSG_FIELDS = """id msgUid senderId targetId channelType messageType builtinType source sentAt
  result muteScope prompt statusSettled
  receiptSummary { total delivered notDelivered offline pending pushSucceeded pushFailed }
  receipts { totalCount pageInfo { endCursor } edges { cursor node {
    recipientId status statusAt pushSkipped history { status at }
    pushAttempts { provider sentAt success errorCode errorDescription } } } }"""
USER = (
    "query ($since: DateTime, $until: DateTime, $first: Int, $after: String) {"
    ' user(id: "u1") { id connections(since: $since, until: $until, first: $first, after: $after)'
    " { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { "
    + CONN_FIELDS
    + " sentMessages { totalCount pageInfo { endCursor } nodes { "
    + MSG_FIELDS
    + " } } } } } } }"
)
SENT = (
    "query ($filter: SentMessageFilter!, $first: Int, $after: String) {"
    " sentMessages(filter: $filter, first: $first, after: $after) {"
    " totalCount pageInfo { hasNextPage endCursor } nodes { " + MSG_FIELDS + " } } }"
)
MESSAGE = "query ($m: String!) { message(msgUid: $m) { " + MSG_FIELDS + " } }"
NODE = (
    "query ($id: ID!) { node(id: $id) { id"
    " ... on ConnectionLog { " + CONN_FIELDS + " sentMessages { nodes { msgUid } } }"
    " ... on SentMessage { " + MSG_FIELDS + " } } }"
)
NESTED_PAGE = (
    "query ($id: ID!, $after: String) { node(id: $id) { ... on ConnectionLog {"
    " sentMessages(first: 1, after: $after) { nodes { " + MSG_FIELDS + " } } } } }"
)
RECEIPT_PAGE = (
    "query ($m: String!, $after: String) { message(msgUid: $m) {"
    " receipts(first: 1, after: $after) { nodes { recipientId pushAttempts { errorCode } } } } }"
)
RECEIPT_FILTERS = (
    "query ($m: String!) { message(msgUid: $m) {"
    ' byRecipient: receipts(recipientId: "r1ZZA") {'
    " nodes { recipientId pushAttempts { errorCode } } }"
    " byStatus: receipts(status: OFFLINE) { totalCount nodes { recipientId } } } }"
)

FILTERS: list[dict[str, Any]] = [
    {},
    {"msgUid": "M1"},
    {"msgUid": "M2", "channelType": "GROUP"},
    {"targetId": "u2"},
    *({"channelType": c} for c in ("DIRECT", "GROUP", "OPEN", "SYSTEM")),
    {"messageType": {"custom": f"{A_MARK}:Custom"}},
    {"messageType": {"builtin": "TEXT"}},
    *({"source": s} for s in ("ANDROID", "IOS", "SERVER_API")),
    {"channelType": "SYSTEM", "source": "SERVER_API"},
    {"timeZone": "Asia/Shanghai"},
    {"until": format_ms(now_ms())},
]


async def post(client: httpx.AsyncClient, key: str, query: str, variables: dict) -> str:
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables}, headers=bearer(key)
    )
    assert response.status_code == 200, response.text
    body = response.json()
    codes = {e.get("extensions", {}).get("code") for e in body.get("errors", [])}
    assert codes <= {"BAD_USER_INPUT"}, body  # a foreign cursor may be refused, nothing else
    return response.text


async def _load(client: httpx.AsyncClient, keys: Keys) -> dict[str, Any]:
    """Ingests ``app_a()`` and ``app_b()``; returns what ``matrix`` replays: the node
    ids, the cursors and connection c1's id made for app A."""
    for events in (app_a(), app_b()):
        response = await client.post(
            "/v1/events",
            content=b"\n".join(orjson.dumps(e) for e in events),
            headers={**bearer(keys.ingest_all), "Content-Type": "application/x-ndjson"},
        )
        assert response.json()["rejected"] == [], response.json()
    # ids and cursors made for app A, read with A's key
    user = orjson.loads(await post(client, keys.read_a, USER, {"since": SINCE, "first": 1}))
    conns = user["data"]["user"]["connections"]
    messages = []
    for channel in ("DIRECT", "GROUP", "OPEN", "SYSTEM"):
        page = orjson.loads(
            await post(
                client,
                keys.read_a,
                SENT,
                {"filter": {"senderId": "u1", "since": SINCE, "channelType": channel}},
            )
        )
        messages += page["data"]["sentMessages"]["nodes"]
    node_ids = [m["id"] for m in messages]
    full = orjson.loads(await post(client, keys.read_a, USER, {"since": SINCE}))
    node_ids += [e["node"]["id"] for e in full["data"]["user"]["connections"]["edges"]]
    sent_page = orjson.loads(
        await post(
            client, keys.read_a, SENT, {"filter": {"senderId": "u1", "since": SINCE}, "first": 1}
        )
    )
    m2 = next(m for m in messages if m["msgUid"] == "M2")
    cursors = {
        "connections": conns["pageInfo"]["endCursor"],
        "sentMessages": sent_page["data"]["sentMessages"]["pageInfo"]["endCursor"],
        "receipts": m2["receipts"]["edges"][0]["cursor"],
        "nested": next(
            e["node"]["sentMessages"]["pageInfo"]["endCursor"]
            for e in full["data"]["user"]["connections"]["edges"]
            if e["node"]["sentMessages"]["pageInfo"]["endCursor"]
        ),
    }
    assert all(cursors.values()) and len(node_ids) == 9  # 6 messages, 3 connection logs
    c1 = next(
        e["node"]["id"]
        for e in full["data"]["user"]["connections"]["edges"]
        if e["node"]["connectionId"] == "c1"
    )
    return {"cursors": cursors, "node_ids": node_ids, "c1": c1}


def matrix(loaded: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    cursors = loaded["cursors"]
    cases: list[tuple[str, str, dict[str, Any]]] = [
        ("user", USER, {"since": SINCE}),
        ("user default window", USER, {}),
        ("user until", USER, {"since": SINCE, "until": format_ms(now_ms())}),
        ("user paged", USER, {"since": SINCE, "first": 1}),
        ("user A cursor", USER, {"since": SINCE, "first": 1, "after": cursors["connections"]}),
    ]
    for n, f in enumerate(FILTERS):
        since = {} if "msgUid" in f else {"since": SINCE}
        cases.append(
            (f"sentMessages filter {n}", SENT, {"filter": {"senderId": "u1", **since, **f}})
        )
    cases.append(
        (
            "sentMessages A cursor",
            SENT,
            {
                "filter": {"senderId": "u1", "since": SINCE},
                "first": 1,
                "after": cursors["sentMessages"],
            },
        )
    )
    cases += [(f"message {m}", MESSAGE, {"m": m}) for m in ("M1", "M2", "M4", "M5", "M6")]
    cases += [(f"node {n}", NODE, {"id": i}) for n, i in enumerate(loaded["node_ids"])]
    cases += [
        ("nested A cursor", NESTED_PAGE, {"id": loaded["c1"], "after": cursors["nested"]}),
        ("receipts A cursor", RECEIPT_PAGE, {"m": "M2", "after": cursors["receipts"]}),
        ("receipts page", RECEIPT_PAGE, {"m": "M2"}),
        ("receipt filters", RECEIPT_FILTERS, {"m": "M2"}),
    ]
    return cases


async def test_app_b_sees_nothing_of_app_a(client: httpx.AsyncClient, keys: Keys) -> None:
    loaded = await _load(client, keys)
    cases = matrix(loaded)
    assert len(cases) >= 40
    reached = 0
    for name, query, variables in cases:
        as_b = await post(client, keys.read_b, query, variables)
        assert A_MARK not in as_b, f"{name}: app B saw app A's data: {as_b[:500]}"
        as_a = await post(client, keys.read_a, query, variables)
        reached += A_MARK in as_a
    assert reached >= len(cases) - 8  # the check can see A's data where A's key may


async def test_app_b_still_sees_its_own_data_and_only_its_counts(
    client: httpx.AsyncClient, keys: Keys
) -> None:
    await _load(client, keys)
    user = orjson.loads(await post(client, keys.read_b, USER, {"since": SINCE}))
    conns = user["data"]["user"]["connections"]
    assert conns["totalCount"] == 1 and conns["edges"][0]["node"]["deviceModel"] == "Pixel-B"
    for channel in ("DIRECT", "GROUP", "OPEN", "SYSTEM"):
        f = {"senderId": "u1", "since": SINCE, "channelType": channel}
        page = orjson.loads(await post(client, keys.read_b, SENT, {"filter": f}))
        assert page["data"]["sentMessages"]["totalCount"] == (channel in ("DIRECT", "GROUP"))
    m1 = orjson.loads(await post(client, keys.read_b, MESSAGE, {"m": "M1"}))["data"]["message"]
    assert [r["node"]["status"] for r in m1["receipts"]["edges"]] == ["PENDING"]
    m2 = orjson.loads(await post(client, keys.read_b, MESSAGE, {"m": "M2"}))["data"]["message"]
    assert m2["receiptSummary"]["total"] == 1 and m2["receiptSummary"]["notDelivered"] == 1


async def test_node_ids_of_app_a_are_null_for_app_b(client: httpx.AsyncClient, keys: Keys) -> None:
    """Ids carry natural keys: B's own M1 and M2 answer B's records; the others are null."""
    loaded = await _load(client, keys)
    nulls = 0
    for node_id in loaded["node_ids"]:
        body = orjson.loads(await post(client, keys.read_b, NODE, {"id": node_id}))
        node = body["data"]["node"]
        if node is None:
            nulls += 1
        else:
            assert node["msgUid"] in ("M1", "M2") and A_MARK not in orjson.dumps(node).decode()
    assert nulls == len(loaded["node_ids"]) - 2


@pytest.mark.parametrize("kind", ["ingest_a", "ingest_b"])
async def test_an_app_scoped_ingest_key_cannot_write_another_app(
    client: httpx.AsyncClient, keys: Keys, store: Store, kind: str
) -> None:
    own, other = ("app-a", "app-b") if kind == "ingest_a" else ("app-b", "app-a")
    counter = itertools.count()
    events = [
        sent("w1", "u2", MINUTE, f"W{next(counter)}", app=app)
        for app in (own, other, other.upper(), f" {other}", own)
    ]
    response = await client.post(
        "/v1/events",
        content=b"\n".join(orjson.dumps(e) for e in events),
        headers={**bearer(getattr(keys, kind)), "Content-Type": "application/x-ndjson"},
    )
    body = response.json()
    assert body["accepted"] == 2
    assert [r["index"] for r in body["rejected"]] == [1, 2, 3]
    assert all("appKey" in r["error"] for r in body["rejected"])
    for app in (other, other.upper(), f" {other}"):
        keys_ = [message_key(f"W{n}", "") for n in (1, 2, 3)]
        assert await store.messages_by_key(app, keys_) == [None, None, None]
    found = await store.messages_by_key(own, [message_key("W0", ""), message_key("W4", "")])
    assert all(m is not None for m in found)
