"""Keyset pages: every item once, stable while new data arrives, foreign cursors refused."""

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from store.interface import InvalidCursor, Store
from store.limits import now_ms
from store.records import ConnectionQuery, MessageQuery, Page, PageRequest
from tests import events
from tests.store import wire

SENDER = "pager"


def _sent(i: int, at: int) -> dict[str, Any]:
    return events.sent(SENDER, "bob", 0, f"uid-{i}", source="IOS", at=at, eventId=f"p-{i}")


def _opened(i: int, at: int) -> dict[str, Any]:
    return events.event(
        "connection.opened",
        at=at,
        event_id=f"o-{i}",
        userId=SENDER,
        connectionId=f"conn-{i}",
        sdkVersion="5.12.0",
        platform="IOS",
        ip="192.0.2.1",
    )


def _times(now: int) -> list[int]:
    """25 items, with ties on time (broken by a stable order)."""
    return [wire.at("-3h", now) + (i // 3) * 60_000 for i in range(25)]


Fetch = Callable[[str | None], Awaitable[Page[Any]]]


async def _walk(fetch: Fetch, between: Callable[[int], Awaitable[None]] | None = None) -> list[str]:
    keys: list[str] = []
    after: str | None = None
    for page_number in range(100):
        page = await fetch(after)
        keys += [edge.node.key for edge in page.edges]
        if not page.has_next_page:
            return keys
        after = page.edges[-1].cursor
        if between is not None:
            await between(page_number)
    raise AssertionError("pagination does not end")


def _message_fetch(store: Store, now: int, first: int) -> Fetch:
    q = MessageQuery(SENDER, wire.at("-1d", now), wire.at("+1m", now))

    async def fetch(after: str | None) -> Page[Any]:
        return (await store.message_pages("app-a", [PageRequest(q, first, after)]))[0]

    return fetch


def _connection_fetch(store: Store, now: int, first: int) -> Fetch:
    q = ConnectionQuery(SENDER, wire.at("-1d", now), wire.at("+1m", now))

    async def fetch(after: str | None) -> Page[Any]:
        return (await store.connection_pages("app-a", [PageRequest(q, first, after)]))[0]

    return fetch


@pytest.mark.parametrize("first", [1, 4, 7, 25, 100])
async def test_walk_messages(store: Store, first: int) -> None:
    now = now_ms()
    await wire.ingest(store, [_sent(i, t) for i, t in enumerate(_times(now))], now)
    one_page = await _message_fetch(store, now, 100)(None)
    expected = [edge.node.key for edge in one_page.edges]
    assert len(expected) == 25
    sent_at = [edge.node.sent_at for edge in one_page.edges]
    assert sent_at == sorted(sent_at, reverse=True)
    assert await _walk(_message_fetch(store, now, first)) == expected


@pytest.mark.parametrize("first", [1, 4, 25])
async def test_walk_connections(store: Store, first: int) -> None:
    now = now_ms()
    await wire.ingest(store, [_opened(i, t) for i, t in enumerate(_times(now))], now)
    one_page = await _connection_fetch(store, now, 100)(None)
    expected = [edge.node.key for edge in one_page.edges]
    assert len(expected) == 25
    connected = [edge.node.connected_at for edge in one_page.edges]
    assert connected == sorted(connected, reverse=True)
    assert await _walk(_connection_fetch(store, now, first)) == expected


async def test_first_zero_and_page_flags(store: Store) -> None:
    now = now_ms()
    await wire.ingest(store, [_sent(i, t) for i, t in enumerate(_times(now)[:3])], now)
    fetch_zero = _message_fetch(store, now, 0)
    page = await fetch_zero(None)
    assert (page.edges, page.has_next_page) == ([], True)
    page = await _message_fetch(store, now, 3)(None)
    assert (len(page.edges), page.has_next_page) == (3, False)


@pytest.mark.parametrize("kind", ["messages", "connections"])
async def test_stable_while_new_data_arrives(store: Store, kind: str) -> None:
    now = now_ms()
    make, fetch_of = (_sent, _message_fetch) if kind == "messages" else (_opened, _connection_fetch)
    times = _times(now)
    await wire.ingest(store, [make(i, t) for i, t in enumerate(times)], now)
    existing = await _walk(fetch_of(store, now, 100))
    counter = iter(range(1000, 2000))

    async def insert(page_number: int) -> None:
        # newer than everything, tied with the page boundary, and older than the cursor
        new_times = [wire.at("-1m", now), times[24 - 3 * page_number], times[0] - 60_000]
        await wire.ingest(store, [make(next(counter), t) for t in new_times], now)

    walked = await _walk(fetch_of(store, now, 3), between=insert)
    assert len(walked) == len(set(walked)), "an item came twice"
    assert set(existing) <= set(walked), "an item was skipped"
    assert [k for k in walked if k in set(existing)] == existing


@pytest.mark.parametrize(
    "cursor",
    ["garbage!", "", "bm90IGEgY3Vyc29y", "YWJj", "////", "Zm9vOjE6Mg", "é"],
)
async def test_invalid_cursor(store: Store, cursor: str) -> None:
    now = now_ms()
    mq = MessageQuery(SENDER, wire.at("-1d", now), now)
    cq = ConnectionQuery(SENDER, wire.at("-1d", now), now)
    with pytest.raises(InvalidCursor):
        await store.message_pages("app-a", [PageRequest(mq, 5, cursor)])
    with pytest.raises(InvalidCursor):
        await store.connection_pages("app-a", [PageRequest(cq, 5, cursor)])


async def test_cursor_of_another_list_is_invalid(store: Store) -> None:
    now = now_ms()
    await wire.ingest(store, [_sent(1, wire.at("-1h", now)), _opened(1, wire.at("-1h", now))], now)
    message_cursor = (await _message_fetch(store, now, 5)(None)).edges[0].cursor
    connection_cursor = (await _connection_fetch(store, now, 5)(None)).edges[0].cursor
    cq = ConnectionQuery(SENDER, wire.at("-1d", now), now)
    mq = MessageQuery(SENDER, wire.at("-1d", now), now)
    with pytest.raises(InvalidCursor):
        await store.connection_pages("app-a", [PageRequest(cq, 5, message_cursor)])
    with pytest.raises(InvalidCursor):
        await store.message_pages("app-a", [PageRequest(mq, 5, connection_cursor)])
