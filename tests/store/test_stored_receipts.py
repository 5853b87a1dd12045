"""Stored receipts: pages by recipient, filters, cursors, counts, summaries, PENDING,
the page's history and pushes, many messages in one call, order independence."""

import random
from typing import Any

import pytest

from store.interface import Store
from store.limits import DAY_MS, now_ms
from store.model import PushProvider, PushSkipReason, ReceiptStatus
from store.records import PageRequest, ReceiptCounts, ReceiptQuery, ReceiptScope, StatusChange
from tests.store import wire
from tests.store.mongo_stores import volume

M2 = ReceiptScope("m2")
M1_DIRECT = ReceiptScope("m1", pending_target="bob")


def _status(kind: str, uid: str, recipient: str, at: int, n: int, **extra: Any) -> dict[str, Any]:
    return {
        "eventId": f"{uid}-{recipient}-{kind}-{n}",
        "type": f"message.{kind}",
        "appKey": "app-a",
        "at": at,
        "msgUid": uid,
        "recipientId": recipient,
        **extra,
    }


def _push(uid: str, recipient: str, at: int, success: bool, n: int) -> dict[str, Any]:
    return {
        "eventId": f"{uid}-{recipient}-push-{n}",
        "type": "push.attempted",
        "appKey": "app-a",
        "at": at,
        "msgUid": uid,
        "recipientId": recipient,
        "provider": "FCM",
        "success": success,
        **({} if success else {"errorCode": "UNAVAILABLE"}),
    }


async def _page(store: Store, query: ReceiptQuery, first: int, after: str | None = None) -> Any:
    [page] = await store.receipt_pages("app-a", [PageRequest(query, first, after)])
    return [(e.cursor, e.node.status.value) for e in page.edges], page.has_next_page


async def test_a_page_comes_by_recipient_with_its_history(store: Store) -> None:
    now = now_ms()
    await wire.ingest(store, wire.events("receipts", now), now)
    [page] = await store.receipt_pages("app-a", [PageRequest(ReceiptQuery(M2), 50)])
    carol, dave = (e.node for e in page.edges)
    assert (carol.recipient_id, carol.status, carol.status_at) == (
        "carol",
        ReceiptStatus.DELIVERED,
        wire.at("-80m", now),
    )
    assert carol.history == (
        StatusChange(ReceiptStatus.NOT_DELIVERED, wire.at("-89m", now)),
        StatusChange(ReceiptStatus.DELIVERED, wire.at("-80m", now)),
    )
    # a tie on time: DELIVERED outranks OFFLINE; the skip reason of the OFFLINE event stays
    assert (dave.status, dave.push_skipped) == (
        ReceiptStatus.DELIVERED,
        PushSkipReason.DO_NOT_DISTURB,
    )
    assert not page.has_next_page  # erin has push attempts only: no receipt


async def test_cursors_filters_and_counts(store: Store) -> None:
    now = now_ms()
    t = wire.at("-1h", now)
    kinds = ("delivered", "offline", "not_delivered")
    raw = [_status(kinds[i % 3], "g", f"r{i:02d}", t + i, i) for i in range(10)]
    await wire.ingest(store, raw, now)
    scope = ReceiptScope("g")
    assert await _page(store, ReceiptQuery(scope), 3) == (
        [("r00", "DELIVERED"), ("r01", "OFFLINE"), ("r02", "NOT_DELIVERED")],
        True,
    )
    assert await _page(store, ReceiptQuery(scope), 3, "r08") == ([("r09", "DELIVERED")], False)
    walked, after, more = [], None, True
    while more:
        [page] = await store.receipt_pages("app-a", [PageRequest(ReceiptQuery(scope), 4, after)])
        walked += [e.cursor for e in page.edges]
        after, more = page.edges[-1].cursor, page.has_next_page
    assert walked == [f"r{i:02d}" for i in range(10)]
    offline = ReceiptQuery(scope, status=ReceiptStatus.OFFLINE)
    assert await _page(store, offline, 2) == ([("r01", "OFFLINE"), ("r04", "OFFLINE")], True)
    assert await _page(store, offline, 2, "r04") == ([("r07", "OFFLINE")], False)
    one = ReceiptQuery(scope, recipient_id="r05")
    assert await _page(store, one, 10) == ([("r05", "NOT_DELIVERED")], False)
    none = ReceiptQuery(scope, status=ReceiptStatus.PENDING)
    assert await _page(store, none, 10) == ([], False)
    assert await _page(store, ReceiptQuery(scope), 0) == ([], True)
    queries = [ReceiptQuery(scope), offline, one, none, ReceiptQuery(ReceiptScope("nothing"))]
    assert await store.count_receipts("app-a", queries) == [10, 3, 1, 0, 0]


async def test_pending_target_until_its_first_event(store: Store) -> None:
    now = now_ms()
    await wire.ingest(store, wire.events("messages", now), now)
    m1 = ReceiptQuery(M1_DIRECT)
    pending = ReceiptQuery(M1_DIRECT, status=ReceiptStatus.PENDING)
    assert await _page(store, m1, 10) == ([("bob", "PENDING")], False)
    assert await _page(store, pending, 10) == ([("bob", "PENDING")], False)
    assert await _page(store, m1, 10, "bob") == ([], False)
    assert await _page(store, ReceiptQuery(M1_DIRECT, recipient_id="zed"), 10) == ([], False)
    assert await store.count_receipts("app-a", [m1, pending]) == [1, 1]
    [counts] = await store.receipt_summaries("app-a", [M1_DIRECT])
    assert counts == ReceiptCounts(total=1, pending=1)
    # a push attempt alone does not end PENDING; a status event does
    await wire.ingest(store, [_push("m1", "bob", wire.at("-2h+1s", now), True, 0)], now)
    assert await _page(store, m1, 10) == ([("bob", "PENDING")], False)
    await wire.ingest(store, wire.events("receipts", now), now)
    assert await _page(store, m1, 10) == ([("bob", "DELIVERED")], False)
    assert await _page(store, pending, 10) == ([], False)
    assert await store.count_receipts("app-a", [m1, pending]) == [1, 0]


async def test_summaries_are_counted_by_the_store(store: Store) -> None:
    now = now_ms()
    await wire.ingest(store, wire.events("messages", now) + wire.events("receipts", now), now)
    scopes = [M2, M1_DIRECT, ReceiptScope("m0", "bob"), ReceiptScope("nothing"), M2]
    m2, m1, m0, nothing, again = await store.receipt_summaries("app-a", scopes)
    # m2: carol and dave delivered; carol's push succeeded, erin's (no receipt) failed
    assert m2 == again == ReceiptCounts(total=2, delivered=2, push_succeeded=1, push_failed=1)
    # m1: bob delivered after a failed and a successful push: one recipient, succeeded
    assert m1 == ReceiptCounts(total=1, delivered=1, push_succeeded=1)
    assert m0 == ReceiptCounts(total=1, pending=1)
    assert nothing == ReceiptCounts()
    pages, counts = await store.receipt_reads(
        "app-a", [PageRequest(ReceiptQuery(M2), 1)], [M2, M1_DIRECT]
    )
    assert [[e.cursor for e in p.edges] for p in pages] == [["carol"]]
    assert counts == [m2, m1]
    assert await store.receipt_summaries("app-a", []) == []
    assert await store.receipt_reads("app-a", [], []) == ([], [])


async def test_push_attempts_of_the_page_only(store: Store) -> None:
    now = now_ms()
    await wire.ingest(store, wire.events("receipts", now), now)
    keys = [("m2", "erin"), ("m1", "bob"), ("m2", "nobody"), ("m2", "erin")]
    erin, bob, nobody, erin_again = await store.recipient_push_attempts("app-a", keys)
    assert [(p.provider, p.success, p.error_code) for p in erin] == [
        (PushProvider.APNS, False, "BadDeviceToken")
    ]
    assert erin_again == erin
    assert [p.provider for p in bob] == [PushProvider.HUAWEI, PushProvider.FCM]  # oldest first
    assert nobody == []
    assert await store.recipient_push_attempts("app-a", []) == []


async def test_many_messages_in_one_call(store: Store, request: pytest.FixtureRequest) -> None:
    n = volume(request, 300, on_slow_mongo=100)
    now = now_ms()
    t = wire.at("-1h", now)
    raw = [_status("delivered", f"u{i}", f"r{j}", t, j) for i in range(n) for j in range(3)]
    await wire.ingest(store, raw, now)
    requests = [PageRequest(ReceiptQuery(ReceiptScope(f"u{i}")), 2) for i in range(n + 10)]
    pages = await store.receipt_pages("app-a", requests)
    assert [len(p.edges) for p in pages] == [2] * n + [0] * 10
    assert all(p.has_next_page for p in pages[:n])
    counts = await store.receipt_summaries("app-a", [r.query.scope for r in requests])
    assert [c.total for c in counts] == [3] * n + [0] * 10


def _contested(now: int) -> list[dict[str, Any]]:
    """Events of one recipient that tie on time, repeat, and carry rival skip reasons."""
    t = wire.at("-30m", now)
    return [
        _status("offline", "x", "r", t, 0, pushSkipped="NO_PUSH_TOKEN"),
        _status("offline", "x", "r", t, 1, pushSkipped="DO_NOT_DISTURB"),
        _status("offline", "x", "r", t - 5, 2, pushSkipped="PUSH_DISABLED"),
        _status("not_delivered", "x", "r", t, 3),
        _status("delivered", "x", "r", t - 1, 4),
        _push("x", "r", t + 1, False, 5),
        _push("x", "r", t + 2, False, 6),
        _status("delivered", "x", "s", t, 7),
        _push("x", "s", t + 3, True, 8),
    ]


async def test_the_stored_receipt_does_not_depend_on_arrival_order(store: Store) -> None:
    now = now_ms()
    seen = []
    for attempt in range(6):
        events = _contested(now)
        random.Random(attempt).shuffle(events)
        app = f"order-{attempt}"
        for e in events:
            e["appKey"] = app
        for start in range(0, len(events), 2):
            await wire.ingest(store, events[start : start + 2] + events[:1], now)
        [page] = await store.receipt_pages(app, [PageRequest(ReceiptQuery(ReceiptScope("x")), 5)])
        [counts] = await store.receipt_summaries(app, [ReceiptScope("x")])
        seen.append(([e.node for e in page.edges], counts))
    assert all(view == seen[0] for view in seen)
    receipts, counts = seen[0]
    r = receipts[0]
    # NOT_DELIVERED outranks OFFLINE at the same time; of the tied skips, the later reason
    # in PushSkipReason's order wins
    assert (r.status, r.push_skipped) == (
        ReceiptStatus.NOT_DELIVERED,
        PushSkipReason.DO_NOT_DISTURB,
    )
    assert counts == ReceiptCounts(
        total=2, delivered=1, not_delivered=1, push_succeeded=1, push_failed=1
    )


async def test_old_events_leave_the_stored_receipt(stores: Any) -> None:
    now = now_ms()
    week = await stores.open(retention_days=7)
    old, recent = now - 3 * DAY_MS, wire.at("-1h", now)
    await wire.ingest(
        week,
        [
            _status("offline", "y", "r", old, 0, pushSkipped="NO_PUSH_TOKEN"),
            _push("y", "r", old + 1, True, 1),
            _status("delivered", "y", "r", recent, 2),
            _status("delivered", "y", "gone", old, 3),
        ],
        now,
    )
    short = await stores.open(retention_days=2)
    scope = ReceiptScope("y")
    [page] = await short.receipt_pages("app-a", [PageRequest(ReceiptQuery(scope), 5)])
    [r] = [e.node for e in page.edges]
    assert (r.recipient_id, r.status, r.push_skipped) == ("r", ReceiptStatus.DELIVERED, None)
    assert r.history == (StatusChange(ReceiptStatus.DELIVERED, recent),)
    assert await short.receipt_summaries("app-a", [scope]) == [ReceiptCounts(total=1, delivered=1)]
    [full] = await week.receipt_summaries("app-a", [scope])
    assert full == ReceiptCounts(total=2, delivered=2, push_succeeded=1)
    await short.purge()
    assert await week.receipt_summaries("app-a", [scope]) == [ReceiptCounts(total=1, delivered=1)]
