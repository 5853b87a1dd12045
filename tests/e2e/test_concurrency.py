"""Concurrent ingest and queries against the real server on 127.0.0.1: every query
stays consistent while data arrives.

Writers keep posting new messages (newer and late ones), new connections, new
status events for existing recipients, new recipients, and retries of earlier
batches. Readers meanwhile page through messages, connections and receipts with
cursors, and read receipt summaries. Checks: a page walk never repeats an item
and never skips one that existed before it started; a message never lists a
recipient twice; its summary agrees with its receipt list.
"""

import asyncio
import random
import time
from collections.abc import Callable
from typing import Any

import httpx
import orjson

from resolvers.scalars import format_ms
from store.interface import Store
from store.limits import now_ms
from store.model import KeyRole
from tests import events as wire_events
from tests.e2e.conftest import Server, make_key

SECOND = 1000
MINUTE = 60 * SECOND
RUN_S = 4.0
WRITERS = 2
READERS = 3
INITIAL_MESSAGES = 60
INITIAL_CONNECTIONS = 30
INITIAL_RECIPIENTS = 30


def _event(kind: str, at: int, **fields: Any) -> dict[str, Any]:
    return wire_events.event(kind, at=at, **fields)


def message(uid: str, at: int, channel: str = "DIRECT") -> dict[str, Any]:
    return _event(
        "message.sent",
        at,
        senderId="p",
        targetId="g1" if channel == "GROUP" else "u2",
        channelType=channel,
        messageType="NX:TxtMsg",
        source="ANDROID",
        result="SENT",
        msgUid=uid,
    )


def opened(conn: str, at: int) -> dict[str, Any]:
    return _event(
        "connection.opened",
        at,
        userId="p",
        connectionId=conn,
        sdkVersion="5.12.0",
        platform="ANDROID",
        ip="203.0.113.7",
    )


def status(kind: str, recipient: str, at: int) -> dict[str, Any]:
    return _event(f"message.{kind}", at, msgUid="G", recipientId=recipient)


MESSAGES = """query ($since: DateTime, $after: String) {
  sentMessages(filter: {senderId: "p", since: $since}, first: 7, after: $after) {
    pageInfo { hasNextPage endCursor } nodes { msgUid } } }"""
CONNECTIONS = """query ($since: DateTime, $after: String) {
  user(id: "p") { connections(since: $since, first: 6, after: $after) {
    pageInfo { hasNextPage endCursor } nodes { connectionId } } } }"""
RECEIPTS_PAGE = """query ($after: String) { message(msgUid: "G") {
  receipts(first: 8, after: $after) { pageInfo { hasNextPage endCursor } nodes { recipientId } }
} }"""
RECEIPTS_ALL = """{ message(msgUid: "G") {
  receiptSummary { total delivered notDelivered offline pending }
  receipts(first: 100) { totalCount nodes { recipientId status history { status } } } } }"""


class Client:
    def __init__(self, http: httpx.AsyncClient, ingest: str, read: str) -> None:
        self.http = http
        self.ingest_headers = {"Authorization": f"Bearer {ingest}"}
        self.read_headers = {"Authorization": f"Bearer {read}"}

    async def post(self, events: list[dict[str, Any]]) -> dict[str, Any]:
        response = await self.http.post(
            "/v1/events",
            content=b"\n".join(orjson.dumps(e) for e in events),
            headers={**self.ingest_headers, "Content-Type": "application/x-ndjson"},
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert not body["rejected"], body
        return body

    async def query(self, document: str, variables: dict[str, Any] | None = None) -> Any:
        response = await self.http.post(
            "/graphql",
            json={"query": document, "variables": variables or {}},
            headers=self.read_headers,
        )
        body = response.json()
        assert response.status_code == 200 and "errors" not in body, body
        return body["data"]


async def walk(client: Client, document: str, path: Callable[[Any], Any], key: str, **v: Any):
    """Every item of a paged list, following endCursor to the end."""
    items: list[str] = []
    after = None
    while True:
        page = path(await client.query(document, {**v, "after": after}))
        items += [node[key] for node in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            return items
        after = page["pageInfo"]["endCursor"]


async def test_queries_stay_consistent_while_data_arrives(
    servers: Callable[..., Server], store: Store
) -> None:
    ingest = await make_key(store, "app-a", KeyRole.INGEST)
    read = await make_key(store, "app-a", KeyRole.READ)
    server = servers()
    start = now_ms()
    since = format_ms(start - 50 * MINUTE)
    initial_messages = {f"m{i}" for i in range(INITIAL_MESSAGES)}
    initial_connections = {f"c{i}" for i in range(INITIAL_CONNECTIONS)}
    initial_recipients = {f"r{i:03}" for i in range(INITIAL_RECIPIENTS)}
    setup = [message(uid, start - (i + 1) * SECOND) for i, uid in enumerate(initial_messages)]
    setup += [opened(c, start - (i + 1) * SECOND) for i, c in enumerate(initial_connections)]
    setup.append(message("G", start - MINUTE, channel="GROUP"))
    setup += [status("offline", r, start - 50 * SECOND) for r in initial_recipients]

    stats = {"writes": 0, "walks": 0, "summaries": 0, "new_seen": 0}
    stop_at = time.monotonic() + RUN_S

    async def writer(client: Client, seed: int) -> None:
        rng = random.Random(seed)
        sent: list[list[dict[str, Any]]] = []
        n = 0
        while time.monotonic() < stop_at:
            now = now_ms()
            batch = [
                message(f"new-{seed}-{n}", now),  # newer than every page read so far
                message(f"late-{seed}-{n}", start - rng.randint(5, 40) * MINUTE),  # arrives late
                opened(f"cn-{seed}-{n}", now - rng.randint(0, 40) * MINUTE),
                status(
                    rng.choice(["delivered", "not_delivered"]),
                    rng.choice(sorted(initial_recipients)),
                    now,
                ),
                status("offline", f"r{rng.randint(0, 999):03}", now),  # often a new recipient
            ]
            if sent and rng.random() < 0.3:
                batch += rng.choice(sent)  # a retry: duplicates, and no double counting
            await client.post(batch)
            sent.append(batch[:5])
            stats["writes"] += 1
            n += 1

    async def reader(client: Client) -> None:
        while time.monotonic() < stop_at:
            messages = await walk(
                client, MESSAGES, lambda d: d["sentMessages"], "msgUid", since=since
            )
            assert len(messages) == len(set(messages)), "a message page walk repeated an item"
            assert initial_messages <= set(messages), "a message page walk skipped an item"
            stats["new_seen"] += sum(m.startswith(("new", "late")) for m in messages)

            connections = await walk(
                client,
                CONNECTIONS,
                lambda d: d["user"]["connections"],
                "connectionId",
                since=since,
            )
            assert len(connections) == len(set(connections)), "connections repeated"
            assert initial_connections <= set(connections), "connections skipped"

            recipients = await walk(
                client, RECEIPTS_PAGE, lambda d: d["message"]["receipts"], "recipientId"
            )
            assert len(recipients) == len(set(recipients)), "receipts repeated"
            assert initial_recipients <= set(recipients), "receipts skipped"

            data = (await client.query(RECEIPTS_ALL))["message"]
            nodes = data["receipts"]["nodes"]
            ids = [r["recipientId"] for r in nodes]
            assert len(ids) == len(set(ids)), "a receipt counted twice"
            summary = data["receiptSummary"]
            total = data["receipts"]["totalCount"]
            assert summary["total"] == total
            by_status = summary["delivered"] + summary["notDelivered"] + summary["offline"]
            assert by_status + summary["pending"] == total
            if total <= 100:
                assert len(nodes) == total
                offline = sum(r["status"] == "OFFLINE" for r in nodes)
                assert summary["offline"] == offline
            stats["walks"] += 1
            stats["summaries"] += 1

    limits = httpx.Limits(max_connections=WRITERS + READERS)
    async with httpx.AsyncClient(base_url=server.url, timeout=30, limits=limits) as http:
        first = Client(http, ingest, read)
        await first.post(setup)
        tasks = [writer(Client(http, ingest, read), seed) for seed in range(WRITERS)]
        tasks += [reader(Client(http, ingest, read)) for _ in range(READERS)]
        await asyncio.gather(*tasks)
    print(f"\nconcurrency test: {stats}")
    assert stats["writes"] >= 10 and stats["walks"] >= 3
    assert stats["new_seen"] > 0  # readers did see data arriving
