"""Connection logs: windows, statuses, fields, counts and lookups by key."""

from typing import Any

import pytest

from store.interface import Store
from store.limits import now_ms
from store.model import ConnectionStatus, DisconnectReason, Platform
from store.records import ConnectionLog, ConnectionQuery, PageRequest
from tests.store import wire
from tests.store.mongo_stores import volume

CASES = wire.load("connection_queries")


def query(spec: dict[str, Any], now: int) -> ConnectionQuery:
    return ConnectionQuery(
        spec["user_id"], wire.at(spec["since"], now), wire.at(spec["until"], now)
    )


async def all_logs(store: Store, app: str, q: ConnectionQuery) -> list[ConnectionLog]:
    page = (await store.connection_pages(app, [PageRequest(q, 100)]))[0]
    assert not page.has_next_page
    return [edge.node for edge in page.edges]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
async def test_window(store: Store, case: dict[str, Any]) -> None:
    now = now_ms()
    await wire.ingest(store, wire.events("connections", now), now)
    q = query(case["query"], now)
    assert [log.key for log in await all_logs(store, "app-a", q)] == case["expect"]
    assert await store.count_connections("app-a", [q]) == [len(case["expect"])]


async def test_statuses_and_fields(store: Store) -> None:
    now = now_ms()
    await wire.ingest(store, wire.events("connections", now), now)
    logs = {log.key: log for log in await all_logs(store, "app-a", query(CASES[0]["query"], now))}
    assert logs["c:c1"] == ConnectionLog(
        key="c:c1",
        user_id="alice",
        connection_id="c1",
        status=ConnectionStatus.CLOSED,
        connected_at=wire.at("-3d", now),
        sdk_version="5.12.0",
        platform=Platform.ANDROID,
        ip="203.0.113.7",
        device_model="Pixel 8",
        os_version="34",
        disconnected_at=wire.at("-3d+2h", now),
        disconnect_reason=DisconnectReason.LOGOUT,
    )
    assert logs["c:c3"] == ConnectionLog(
        key="c:c3",
        user_id="alice",
        connection_id="c3",
        status=ConnectionStatus.ONLINE,
        connected_at=wire.at("-2h", now),
        sdk_version="5.13.0",
        platform=Platform.WEB,
        ip="198.51.100.20",
    )
    assert logs["e:r1"] == ConnectionLog(
        key="e:r1",
        user_id="alice",
        connection_id=None,
        status=ConnectionStatus.REJECTED,
        connected_at=wire.at("-5h", now),
        sdk_version="5.12.1",
        platform=Platform.IOS,
        ip="2001:db8::1",
        os_version="17.4",
        reject_code="TOKEN_INVALID",
        reject_description="token expired or invalid",
    )


async def test_close_before_open_is_shown_once_the_open_arrives(store: Store) -> None:
    now = now_ms()
    await wire.ingest(store, wire.events("connections", now), now)
    assert await store.connections_by_key("app-a", [("alice", "c:c4")]) == [None]
    late_open = {
        "eventId": "c4-open",
        "type": "connection.opened",
        "appKey": "app-a",
        "at": wire.at("-6h", now),
        "userId": "alice",
        "connectionId": "c4",
        "sdkVersion": "5.12.1",
        "platform": "ANDROID",
        "ip": "203.0.113.7",
    }
    await wire.ingest(store, [late_open], now)
    [log] = await store.connections_by_key("app-a", [("alice", "c:c4")])
    assert log is not None
    assert log.status is ConnectionStatus.CLOSED
    assert (log.connected_at, log.disconnected_at) == (wire.at("-6h", now), wire.at("-4h", now))
    assert log.disconnect_reason is DisconnectReason.KICKED_BY_OTHER_DEVICE
    keys = [x.key for x in await all_logs(store, "app-a", query(CASES[0]["query"], now))]
    assert keys == ["c:c3", "e:r1", "c:c4", "c:c2", "c:c1", "c:c6"]


async def test_by_key_answers_in_input_order(store: Store) -> None:
    now = now_ms()
    await wire.ingest(store, wire.events("connections", now), now)
    keys = [
        ("alice", "c:c2"),
        ("bob", "c:c5"),
        ("alice", "c:nope"),
        ("bob", "c:c2"),
        ("alice", "e:r1"),
        ("alice", "c:c2"),
    ]
    logs = await store.connections_by_key("app-a", keys)
    assert [None if log is None else (log.user_id, log.key) for log in logs] == [
        ("alice", "c:c2"),
        ("bob", "c:c5"),
        None,
        None,
        ("alice", "e:r1"),
        ("alice", "c:c2"),
    ]
    assert await store.connections_by_key("app-a", []) == []


async def test_batches_answer_in_input_order(store: Store) -> None:
    now = now_ms()
    await wire.ingest(store, wire.events("connections", now), now)
    queries = [query(case["query"], now) for case in CASES]
    requests = [PageRequest(q, 100) for q in queries]
    pages = await store.connection_pages("app-a", requests)
    assert [[e.node.key for e in page.edges] for page in pages] == [c["expect"] for c in CASES]
    counts = await store.count_connections("app-a", queries)
    assert counts == [len(c["expect"]) for c in CASES]
    assert await store.connection_pages("app-a", []) == []
    assert await store.count_connections("app-a", []) == []


async def test_many_requests_in_one_call(store: Store, request: pytest.FixtureRequest) -> None:
    """More requests than a backend may put in one statement still answer in order."""
    now = now_ms()
    users = [f"user-{i}" for i in range(volume(request, 450, on_slow_mongo=150))]
    raw = [
        {
            "eventId": f"open-{i}",
            "type": "connection.opened",
            "appKey": "app-a",
            "at": wire.at("-1h", now) + i,
            "userId": user,
            "connectionId": f"conn-{i}",
            "sdkVersion": "5.12.0",
            "platform": "ANDROID",
            "ip": "203.0.113.7",
        }
        for i, user in enumerate(users)
        if i % 3
    ]
    await wire.ingest(store, raw, now)
    queries = [ConnectionQuery(user, wire.at("-7d", now), now) for user in reversed(users)]
    pages = await store.connection_pages("app-a", [PageRequest(q, 5) for q in queries])
    expected = [[] if i % 3 == 0 else [f"c:conn-{i}"] for i in reversed(range(len(users)))]
    assert [[e.node.key for e in page.edges] for page in pages] == expected
    assert await store.count_connections("app-a", queries) == [len(x) for x in expected]
    keys = [(user, f"c:conn-{i}") for i, user in enumerate(users)]
    found = await store.connections_by_key("app-a", keys)
    assert [log is not None for log in found] == [i % 3 != 0 for i in range(len(users))]
