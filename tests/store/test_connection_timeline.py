"""A user's connection timeline around instants: the connection open at each
instant, the next one opened after it and the last one closed before it."""

import random

import pytest

from store.interface import Store
from store.limits import now_ms
from tests.store import wire
from tests.store.conftest import Stores
from tests.store.mongo_stores import volume


def keys_of(logs: list) -> list[str | None]:
    return [None if log is None else log.key for log in logs]


async def test_connection_open_at_each_instant(store: Store) -> None:
    now = now_ms()
    await wire.ingest(store, wire.events("connections", now), now)
    instants = [
        ("alice", "-3d"),  # c1 opens at that very instant
        ("alice", "-3d+1h"),
        ("alice", "-3d+2h"),  # c1 closes then: no longer open
        ("alice", "-5h"),  # only the rejected attempt r1
        ("alice", "-4h-1m"),  # c4: its close arrived, its open did not
        ("alice", "-1h"),  # c3, still online
        ("alice", "-5d-12h"),  # c6
        ("bob", "-30m"),
        ("bob", "-2h"),
        ("carol", "-1h"),
        ("alice", "-1h"),  # repeated keys answer each
    ]
    keys = [(user, wire.at(t, now)) for user, t in instants]
    assert keys_of(await store.connections_at("app-a", keys)) == [
        "c:c1", "c:c1", None, None, None, "c:c3", "c:c6", "c:c5", None, None, "c:c3",
    ]  # fmt: skip
    assert await store.connections_at("app-a", []) == []


async def test_next_and_previous_connections(store: Store) -> None:
    now = now_ms()
    await wire.ingest(store, wire.events("connections", now), now)
    instants = [
        ("alice", "-6d-1h"),
        ("alice", "-3d"),  # strictly after: c1 itself opened then
        ("alice", "-1d+10m"),
        ("alice", "-5h-1m"),  # the rejected attempt r1 is not a connection
        ("alice", "-1h"),
        ("bob", "-2h"),
        ("carol", "-2h"),
    ]
    keys = [(user, wire.at(t, now)) for user, t in instants]
    assert keys_of(await store.next_connections("app-a", keys)) == [
        "c:c6", "c:c2", "c:c3", "c:c3", None, "c:c5", None,
    ]  # fmt: skip
    assert keys_of(await store.previous_connections("app-a", keys)) == [
        None, "c:c6", "c:c1", "c:c2", "c:c2", None, None,
    ]  # fmt: skip
    # closed at exactly the instant counts as closed before it
    [log] = await store.previous_connections("app-a", [("alice", wire.at("-1d+30m", now))])
    assert log is not None and log.key == "c:c2"


async def test_the_latest_opened_wins_and_ties_do_not_depend_on_arrival(store: Store) -> None:
    """Two connections open at once: the latest opened; on a tie, the greater key
    (the earliest opened, the smaller key, for the next), whichever arrived first.
    Each arrival order is written to an app of its own, one event a batch."""
    now = now_ms()

    def opened(app: str, cid: str, at: str) -> dict:
        return {
            "eventId": f"{cid}-open",
            "type": "connection.opened",
            "appKey": app,
            "at": wire.at(at, now),
            "userId": "dana",
            "connectionId": cid,
            "sdkVersion": "5.12.0",
            "platform": "ANDROID",
            "ip": "203.0.113.9",
        }

    times = {"a": "-3h", "b": "-2h", "z": "-1h", "y": "-1h"}
    answers = []
    for order in range(4):
        app = f"app-{order}"
        events = [opened(app, cid, at) for cid, at in times.items()]
        random.Random(order).shuffle(events)
        for event in events:
            await wire.ingest(store, [event], now)
        keys = [("dana", wire.at(t, now)) for t in ("-150m", "-30m", "-2h", "-3h-1m")]
        answers.append(
            (
                keys_of(await store.connections_at(app, keys)),
                keys_of(await store.next_connections(app, keys)),
            )
        )
    assert answers[0] == (["c:a", "c:z", "c:b", None], ["c:b", None, "c:y", "c:a"])
    assert answers.count(answers[0]) == len(answers)


async def test_app_scope(store: Store) -> None:
    now = now_ms()
    await wire.ingest(store, wire.events("connections", now, app="app-b"), now)
    keys = [("alice", wire.at("-1h", now))]
    for read in (store.connections_at, store.next_connections, store.previous_connections):
        assert keys_of(await read("app-a", keys)) == [None]
    assert keys_of(await store.connections_at("app-b", keys)) == ["c:c3"]


async def test_retention_scope(stores: Stores) -> None:
    now = now_ms()
    store = await stores.open()
    await wire.ingest(store, wire.events("connections", now), now)
    short = await stores.open(retention_days=4)
    old = [("alice", wire.at("-5d-12h", now))]
    assert keys_of(await store.connections_at("app-a", old)) == ["c:c6"]
    assert keys_of(await short.connections_at("app-a", old)) == [None]
    assert keys_of(await short.next_connections("app-a", old)) == ["c:c1"]
    assert (
        keys_of(await store.previous_connections("app-a", [("alice", wire.at("-4d", now))]))[0]
        == "c:c6"
    )
    assert keys_of(await short.previous_connections("app-a", [("alice", wire.at("-4d", now))])) == [
        None
    ]


async def test_many_keys_in_one_call(store: Store, request: pytest.FixtureRequest) -> None:
    now = now_ms()
    n = volume(request, 450, on_slow_mongo=150)
    raw = [
        {
            "eventId": f"open-{i}",
            "type": "connection.opened",
            "appKey": "app-a",
            "at": wire.at("-1h", now) + i,
            "userId": f"user-{i}",
            "connectionId": f"conn-{i}",
            "sdkVersion": "5.12.0",
            "platform": "ANDROID",
            "ip": "203.0.113.7",
        }
        for i in range(n)
        if i % 3
    ]
    await wire.ingest(store, raw, now)
    keys = [(f"user-{i}", now - 1) for i in reversed(range(n))]
    expected = [None if i % 3 == 0 else f"c:conn-{i}" for i in reversed(range(n))]
    assert keys_of(await store.connections_at("app-a", keys)) == expected
    before = [(user, wire.at("-2h", now)) for user, _ in keys]
    assert keys_of(await store.next_connections("app-a", before)) == expected
