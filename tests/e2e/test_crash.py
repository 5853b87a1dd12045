"""Crash safety (SPEC §4): a 200 means durably stored. The real server is SIGKILLed
while batches are in flight, restarted on the same file, and every acknowledged
event is there; no batch, acknowledged or not, is half-stored."""

import asyncio
import time
from collections.abc import Callable
from typing import Any

import httpx
import orjson

from store.interface import Store
from store.limits import DAY_MS, now_ms
from store.model import ChannelType, KeyRole
from store.records import MessageQuery
from tests.e2e.conftest import Server, make_key

BATCH_MESSAGES = 250
"""Each batch: this many message.sent of one sender, and a message.delivered for each."""
MAX_BATCHES = 400
CLIENTS = 4
KILL_AFTER_ACKS = 24
KILL_DEADLINE_S = 20.0


def batch(n: int) -> bytes:
    at = now_ms() - 1000
    lines: list[dict[str, Any]] = []
    for i in range(BATCH_MESSAGES):
        uid = f"b{n}-m{i}"
        lines.append(
            {
                "eventId": f"b{n}-s{i}",
                "type": "message.sent",
                "appKey": "app-a",
                "at": at,
                "senderId": f"s{n}",
                "targetId": "u2",
                "channelType": "DIRECT",
                "messageType": "NX:TxtMsg",
                "source": "ANDROID",
                "result": "SENT",
                "msgUid": uid,
            }
        )
        lines.append(
            {
                "eventId": f"b{n}-d{i}",
                "type": "message.delivered",
                "appKey": "app-a",
                "at": at + 1,
                "msgUid": uid,
                "recipientId": "u2",
            }
        )
    return b"\n".join(orjson.dumps(line) for line in lines)


async def ingest_until_killed(server: Server, key: str) -> tuple[set[int], set[int]]:
    """Post batches from several clients; SIGKILL the server once enough are
    acknowledged. Returns the acknowledged and the attempted batch numbers."""
    acknowledged: set[int] = set()
    attempted: set[int] = set()
    numbers = iter(range(MAX_BATCHES))
    killed = asyncio.Event()
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/x-ndjson"}

    async def client() -> None:
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
            for n in numbers:
                if killed.is_set():
                    return
                attempted.add(n)
                try:
                    response = await http.post("/v1/events", content=batch(n), headers=headers)
                except httpx.TransportError:
                    return  # the server is gone: this batch is not acknowledged
                assert response.status_code == 200, response.text
                body = response.json()
                assert body["accepted"] == 2 * BATCH_MESSAGES and not body["rejected"], body
                acknowledged.add(n)

    async def killer() -> None:
        started = time.monotonic()
        while len(acknowledged) < KILL_AFTER_ACKS and time.monotonic() - started < KILL_DEADLINE_S:
            await asyncio.sleep(0.005)
        server.kill()  # while the clients still have batches in flight
        killed.set()

    await asyncio.gather(killer(), *(client() for _ in range(CLIENTS)))
    return acknowledged, attempted


async def stored_per_batch(store: Store, numbers: list[int]) -> dict[int, tuple[int, int]]:
    """(messages, delivery events) stored for each batch."""
    now = now_ms()
    queries = [
        MessageQuery(f"s{n}", now - DAY_MS, now + DAY_MS, channel_type=ChannelType.DIRECT)
        for n in numbers
    ]
    messages = await store.count_messages("app-a", queries)
    found = {}
    for n, count in zip(numbers, messages, strict=True):
        uids = [f"b{n}-m{i}" for i in range(BATCH_MESSAGES)]
        receipts = await store.receipt_events("app-a", uids)
        found[n] = (count, sum(len(r) for r in receipts))
    return found


async def test_sigkill_loses_no_acknowledged_event_and_half_stores_nothing(
    servers: Callable[..., Server], store: Store
) -> None:
    key = await make_key(store, "app-a", KeyRole.INGEST)
    read = await make_key(store, "app-a", KeyRole.READ)
    first = servers()
    acknowledged, attempted = await ingest_until_killed(first, key)
    assert first.process.returncode == -9
    in_flight = attempted - acknowledged
    assert len(acknowledged) >= KILL_AFTER_ACKS // 2, "too few batches before the kill"

    second = servers()  # recovers the same file
    found = await stored_per_batch(store, sorted(attempted))
    full = (BATCH_MESSAGES, BATCH_MESSAGES)
    for n, counts in found.items():
        assert counts in ((0, 0), full), f"batch {n} half-stored: {counts}"
        if n in acknowledged:
            assert counts == full, f"acknowledged batch {n} lost: {counts}"
    events_acknowledged = 2 * BATCH_MESSAGES * len(acknowledged)
    events_found = sum(m + d for m, d in found.values())
    print(
        f"\ncrash test: {len(acknowledged)} batches acknowledged ({events_acknowledged} events), "
        f"{len(in_flight)} in flight at SIGKILL; found after restart {events_found} events "
        f"({sum(c == full for c in found.values())} whole batches, 0 partial)"
    )
    assert events_found >= events_acknowledged

    # the restarted server serves the data and takes new batches
    async with httpx.AsyncClient(base_url=second.url, timeout=30) as http:
        n = min(acknowledged)
        query = "query ($s: ID!) { sentMessages(filter: {senderId: $s}) { totalCount } }"
        response = await http.post(
            "/graphql",
            json={"query": query, "variables": {"s": f"s{n}"}},
            headers={"Authorization": f"Bearer {read}"},
        )
        assert response.json()["data"] == {"sentMessages": {"totalCount": BATCH_MESSAGES}}
        again = await http.post(
            "/v1/events",
            content=batch(n),
            headers={"Authorization": f"Bearer {key}", "Content-Type": "application/x-ndjson"},
        )
        assert again.json()["duplicates"] == 2 * BATCH_MESSAGES
