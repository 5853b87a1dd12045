"""Receipt events and push attempts: order within a message, batches in input order."""

import pytest

from store.interface import Store
from store.limits import now_ms
from store.model import PushProvider, PushSkipReason, ReceiptStatus
from store.records import PushAttempt, ReceiptEventRecord
from tests.store import wire
from tests.store.mongo_stores import volume


async def test_receipt_events_by_recipient_time_and_status_rank(store: Store) -> None:
    now = now_ms()
    await wire.ingest(store, wire.events("receipts", now), now)
    [m2] = await store.receipt_events("app-a", ["m2"])
    t = wire.at("-89m", now)
    assert m2 == [
        ReceiptEventRecord("carol", ReceiptStatus.NOT_DELIVERED, t),
        ReceiptEventRecord("carol", ReceiptStatus.DELIVERED, wire.at("-80m", now)),
        # a tie on time: OFFLINE ranks below DELIVERED, whatever the arrival order
        ReceiptEventRecord("dave", ReceiptStatus.OFFLINE, t, PushSkipReason.DO_NOT_DISTURB),
        ReceiptEventRecord("dave", ReceiptStatus.DELIVERED, t),
    ]


async def test_push_attempts_by_recipient_and_time(store: Store) -> None:
    now = now_ms()
    await wire.ingest(store, wire.events("receipts", now), now)
    m1, m2 = await store.push_attempts("app-a", ["m1", "m2"])
    assert m1 == [
        PushAttempt("bob", PushProvider.HUAWEI, wire.at("-2h+2s", now), True),
        PushAttempt(
            "bob",
            PushProvider.FCM,
            wire.at("-2h+3s", now),
            False,
            "UNREGISTERED",
            "the token is no longer valid",
        ),
    ]
    assert [(p.recipient_id, p.provider) for p in m2] == [
        ("carol", PushProvider.XIAOMI),
        ("erin", PushProvider.APNS),
    ]
    assert m2[1].error_code == "BadDeviceToken"


async def test_batches_answer_in_input_order(store: Store) -> None:
    now = now_ms()
    await wire.ingest(store, wire.events("receipts", now), now)
    uids = ["m2", "missing", "m1", "m9", "m2"]
    events = await store.receipt_events("app-a", uids)
    assert [[(e.recipient_id, e.status.value) for e in x] for x in events] == [
        [
            ("carol", "NOT_DELIVERED"),
            ("carol", "DELIVERED"),
            ("dave", "OFFLINE"),
            ("dave", "DELIVERED"),
        ],
        [],
        [("bob", "OFFLINE"), ("bob", "DELIVERED")],
        [("bob", "DELIVERED")],  # stored although its message.sent has not arrived
        [
            ("carol", "NOT_DELIVERED"),
            ("carol", "DELIVERED"),
            ("dave", "OFFLINE"),
            ("dave", "DELIVERED"),
        ],
    ]
    pushes = await store.push_attempts("app-a", uids)
    assert [len(x) for x in pushes] == [2, 0, 2, 0, 2]
    assert await store.receipt_events("app-a", []) == []
    assert await store.push_attempts("app-a", []) == []


async def test_many_messages_in_one_call(store: Store, request: pytest.FixtureRequest) -> None:
    n = volume(request, 1200, on_slow_mongo=300)
    now = now_ms()
    raw = []
    for i in range(n):
        base = {"appKey": "app-a", "at": wire.at("-1h", now), "msgUid": f"uid-{i}"}
        raw.append(base | {"eventId": f"d-{i}", "type": "message.delivered", "recipientId": "r"})
        if i % 2:
            extra = {"provider": "FCM", "success": True, "recipientId": "r"}
            raw.append(base | {"eventId": f"p-{i}", "type": "push.attempted", **extra})
    await wire.ingest(store, raw, now)
    uids = [f"uid-{i}" for i in reversed(range(n + 100))]
    events = await store.receipt_events("app-a", uids)
    assert [len(x) for x in events] == [int(i < n) for i in reversed(range(n + 100))]
    pushes = await store.push_attempts("app-a", uids)
    assert [len(x) for x in pushes] == [int(i < n and i % 2 == 1) for i in reversed(range(n + 100))]
