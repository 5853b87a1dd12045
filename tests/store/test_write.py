"""Writes: idempotent, and the stored view does not depend on arrival order."""

import random
from typing import Any

from store.interface import Store
from store.limits import now_ms
from store.model import ConnectionStatus
from tests.store import views, wire

FIXTURES = ("connections", "messages", "receipts")


def all_events(now: int, app: str = "app-a") -> list[dict[str, Any]]:
    return [e for name in FIXTURES for e in wire.events(name, now, app)]


async def test_batch_written_twice_is_all_duplicates(store: Store) -> None:
    now = now_ms()
    batch = all_events(now)
    first = await wire.ingest(store, batch, now)
    assert (first.accepted, first.duplicates) == (len(batch), 0)
    before = await views.view(store, "app-a", now)
    again = await wire.ingest(store, batch, now)
    assert (again.accepted, again.duplicates) == (0, len(batch))
    assert await views.view(store, "app-a", now) == before


async def test_repeat_inside_a_batch_is_a_duplicate(store: Store) -> None:
    now = now_ms()
    batch = wire.events("connections", now)
    result = await wire.ingest(store, [batch[0], batch[1], batch[0], batch[0]], now)
    assert (result.accepted, result.duplicates) == (2, 2)
    [log] = await store.connections_by_key("app-a", [("alice", "c:c1")])
    assert log is not None
    assert log.status is ConnectionStatus.CLOSED


async def test_event_id_reused_with_another_type_is_a_duplicate(store: Store) -> None:
    now = now_ms()
    opened, closed = wire.events("connections", now)[:2]
    closed["eventId"] = opened["eventId"]
    assert (await wire.ingest(store, [opened], now)).accepted == 1
    result = await wire.ingest(store, [closed], now)
    assert (result.accepted, result.duplicates) == (0, 1)
    [log] = await store.connections_by_key("app-a", [("alice", "c:c1")])
    assert log is not None
    assert (log.status, log.disconnected_at) == (ConnectionStatus.ONLINE, None)
    # the first of a batch wins too
    message = wire.events("messages", now, app="app-b")[0]
    receipt = wire.events("receipts", now, app="app-b")[0] | {"eventId": message["eventId"]}
    result = await wire.ingest(store, [receipt, message], now)
    assert (result.accepted, result.duplicates) == (1, 1)
    assert await store.messages_by_key("app-b", ["u:m0"]) == [None]


async def test_same_event_id_in_another_app_is_not_a_duplicate(store: Store) -> None:
    now = now_ms()
    await wire.ingest(store, all_events(now, "app-a"), now)
    result = await wire.ingest(store, all_events(now, "app-b"), now)
    assert (result.accepted, result.duplicates) == (len(all_events(now)), 0)
    assert await views.view(store, "app-b", now) == await views.view(store, "app-a", now)


def _rivals(now: int, app: str) -> list[dict[str, Any]]:
    """Second opens, closes and sends of the same connection / message under other
    event ids: the smallest (at, eventId) must win whatever the order."""
    base = {e["eventId"]: e for e in all_events(now, app)}
    later_open = base["c1-open"] | {"eventId": "a-c1-open", "at": wire.at("-3d+1m", now)}
    later_open["sdkVersion"] = "9.9.9"
    same_time_open = base["c1-open"] | {"eventId": "z-c1-open", "platform": "WEB"}
    later_close = base["c1-close"] | {"eventId": "a-c1-close", "at": wire.at("-3d+3h", now)}
    later_close["reason"] = "UNKNOWN"
    later_sent = base["m1-sent"] | {"eventId": "a-m1-sent", "at": wire.at("-2h+1s", now)}
    later_sent["targetId"] = "mallory"
    same_time_sent = base["m1-sent"] | {"eventId": "z-m1-sent", "source": "WEB"}
    return [later_open, same_time_open, later_close, later_sent, same_time_sent]


async def test_view_does_not_depend_on_arrival_order(store: Store) -> None:
    now = now_ms()
    orders: dict[str, list[dict[str, Any]]] = {}
    events = all_events(now, "order-ref") + _rivals(now, "order-ref")
    for attempt in range(5):
        app = f"order-{attempt}"
        shuffled = all_events(now, app) + _rivals(now, app)
        random.Random(attempt).shuffle(shuffled)
        orders[app] = shuffled
    orders["order-reversed"] = list(reversed(all_events(now, "order-reversed")))
    orders["order-reversed"] = (
        list(reversed(_rivals(now, "order-reversed"))) + orders["order-reversed"]
    )
    await wire.ingest(store, events, now)
    reference = await views.view(store, "order-ref", now)
    for app, shuffled in orders.items():
        # in small batches, so that both batch boundaries and in-batch order vary
        for start in range(0, len(shuffled), 3):
            await wire.ingest(store, shuffled[start : start + 3], now)
        assert await views.view(store, app, now) == reference, app


async def test_rivals_keep_the_earliest_event(store: Store) -> None:
    now = now_ms()
    await wire.ingest(store, list(reversed(_rivals(now, "app-a"))), now)
    await wire.ingest(store, all_events(now), now)
    [c1] = await store.connections_by_key("app-a", [("alice", "c:c1")])
    assert c1 is not None
    assert (c1.sdk_version, c1.platform.value) == ("5.12.0", "ANDROID")
    assert c1.disconnected_at == wire.at("-3d+2h", now)
    assert c1.disconnect_reason is not None and c1.disconnect_reason.value == "LOGOUT"
    [m1] = await store.messages_by_key("app-a", ["u:m1"])
    assert m1 is not None
    assert (m1.target_id, m1.source.value) == ("bob", "ANDROID")


async def test_empty_batch(store: Store) -> None:
    result = await store.write([])
    assert (result.accepted, result.duplicates) == (0, 0)
