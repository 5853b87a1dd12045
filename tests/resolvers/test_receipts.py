from tests.events import MINUTE, push, receipt, sent
from tests.resolvers.conftest import Graph

MESSAGE = """
query ($uid: String!, $recipient: ID, $status: ReceiptStatus, $first: Int, $after: String) {
  message(msgUid: $uid) {
    receiptSummary {
      total delivered notDelivered offline pending pushSucceeded pushFailed
    }
    receipts(recipientId: $recipient, status: $status, first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes {
        recipientId status statusAt pushSkipped
        history { status at }
        pushAttempts { provider sentAt success errorCode errorDescription }
      }
    }
  }
}
"""


async def receipts(graph: Graph, uid: str, **args: object) -> dict:
    data = await graph.data(MESSAGE, {"uid": uid, **args})
    return data["message"]


async def test_direct_message_without_receipt_is_pending(graph: Graph) -> None:
    await graph.ingest(sent("u1", "u2", MINUTE, "m1"))
    message = await receipts(graph, "m1")
    assert message["receipts"]["nodes"] == [
        {
            "recipientId": "u2",
            "status": "PENDING",
            "statusAt": None,
            "pushSkipped": None,
            "history": [],
            "pushAttempts": [],
        }
    ]
    assert message["receiptSummary"]["pending"] == 1 and message["receiptSummary"]["total"] == 1


async def test_receipt_before_its_message_counts_once_the_message_arrives(graph: Graph) -> None:
    await graph.ingest(receipt("delivered", "m1", "u2", MINUTE))
    assert (await graph.data('{ message(msgUid: "m1") { msgUid } }'))["message"] is None
    await graph.ingest(sent("u1", "u2", 2 * MINUTE, "m1"))
    [node] = (await receipts(graph, "m1"))["receipts"]["nodes"]
    assert node["status"] == "DELIVERED"


async def test_latest_event_wins_and_ties_rank_delivered_first(graph: Graph) -> None:
    await graph.ingest(
        sent("g-sender", "group-1", 10 * MINUTE, "g1", channel="GROUP"),
        receipt("offline", "g1", "a", 9 * MINUTE, pushSkipped="DO_NOT_DISTURB"),
        receipt("delivered", "g1", "a", 2 * MINUTE),
        receipt("delivered", "g1", "b", 5 * MINUTE),
        receipt("not_delivered", "g1", "b", 5 * MINUTE),
        receipt("offline", "g1", "b", 5 * MINUTE),
        receipt("offline", "g1", "c", 8 * MINUTE),
        push(
            "g1",
            "c",
            8 * MINUTE - 1000,
            provider="APNS",
            success=False,
            errorCode="BadDeviceToken",
            errorDescription="The device token is invalid",
        ),
        push("g1", "c", 7 * MINUTE, provider="APNS", success=True),
        receipt("not_delivered", "g1", "d", 6 * MINUTE),
        receipt("offline", "g1", "e", 6 * MINUTE),
        push("g1", "e", 6 * MINUTE, provider="FCM", success=False, errorCode="UNREGISTERED"),
    )
    message = await receipts(graph, "g1")
    nodes = message["receipts"]["nodes"]
    assert [(n["recipientId"], n["status"]) for n in nodes] == [
        ("a", "DELIVERED"),
        ("b", "DELIVERED"),
        ("c", "OFFLINE"),
        ("d", "NOT_DELIVERED"),
        ("e", "OFFLINE"),
    ]
    a, b, c, _, _ = nodes
    assert [h["status"] for h in a["history"]] == ["OFFLINE", "DELIVERED"]
    assert a["pushSkipped"] == "DO_NOT_DISTURB"
    assert [h["status"] for h in b["history"]] == ["OFFLINE", "NOT_DELIVERED", "DELIVERED"]
    assert [(p["provider"], p["success"], p["errorCode"]) for p in c["pushAttempts"]] == [
        ("APNS", False, "BadDeviceToken"),
        ("APNS", True, None),
    ]
    assert c["pushAttempts"][0]["errorDescription"] == "The device token is invalid"
    assert message["receiptSummary"] == {
        "total": 5,
        "delivered": 2,
        "notDelivered": 1,
        "offline": 2,
        "pending": 0,
        "pushSucceeded": 1,
        "pushFailed": 1,
    }


async def test_no_receipts_for_blocked_open_and_system(graph: Graph) -> None:
    await graph.ingest(
        sent("u1", "room", MINUTE, "open", channel="OPEN"),
        sent("u1", "u2", MINUTE, "system", channel="SYSTEM", source="SERVER_API"),
        receipt("delivered", "open", "x", MINUTE),
        receipt("delivered", "system", "u2", MINUTE),
    )
    for uid in ("open", "system"):
        message = await receipts(graph, uid)
        assert message["receipts"]["nodes"] == [] and message["receiptSummary"]["total"] == 0
    data = await graph.data(
        """{ sentMessages(filter: {senderId: "u1", channelType: DIRECT}) { nodes { msgUid } } }"""
    )
    assert data["sentMessages"]["nodes"] == []
    await graph.ingest(sent("u1", "u2", MINUTE, None, result="BLOCKED_BY_ALLOWLIST"))
    blocked = await graph.data(
        """{ sentMessages(filter: {senderId: "u1"}) { nodes {
             result receipts { totalCount } receiptSummary { total pending } } } }"""
    )
    assert blocked["sentMessages"]["nodes"] == [
        {
            "result": "BLOCKED_BY_ALLOWLIST",
            "receipts": {"totalCount": 0},
            "receiptSummary": {"total": 0, "pending": 0},
        }
    ]


async def test_receipt_paging_and_filters(graph: Graph) -> None:
    recipients = [f"r{i:02}" for i in range(7)]
    await graph.ingest(
        sent("u1", "g", 10 * MINUTE, "g1", channel="GROUP"),
        *(
            receipt("delivered" if i % 2 else "offline", "g1", r, MINUTE)
            for i, r in enumerate(recipients)
        ),
    )
    seen, after = [], None
    while True:
        page = (await receipts(graph, "g1", first=3, after=after))["receipts"]
        seen += [n["recipientId"] for n in page["nodes"]]
        assert page["totalCount"] == 7
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == recipients
    offline = (await receipts(graph, "g1", status="OFFLINE"))["receipts"]
    assert [n["recipientId"] for n in offline["nodes"]] == ["r00", "r02", "r04", "r06"]
    one = (await receipts(graph, "g1", recipient="r03"))["receipts"]
    assert [n["status"] for n in one["nodes"]] == ["DELIVERED"] and one["totalCount"] == 1
