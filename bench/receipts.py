"""Receipts at scale (SPEC §6, issue 10): GROUP messages of thousands of recipients.

A fresh SQLite store holds ``messages`` GROUP messages of one sender, each
with ``recipients`` recipients (one status event each, a push attempt for one
recipient in five), written through the ingest parser and ``store.write``.
The real server (``bench.server``) then answers, over HTTP:

* ``receipts(first: 50)`` on every message of the page (one query);
* ``receiptSummary`` on every message of the page (one query);
* the receive-status page (both in one query): p50 and p95 of ``requests``;
* the console query (SPEC §6) of the sender: p50 and p95 of ``requests``;
* ``/healthz`` while four clients send those queries at once (its worst time),

each a median of ``runs`` timings after a warm-up, and the server's peak RSS.
"""

import asyncio
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import orjson

from bench.server import Server, make_keys
from server.events import parse_event
from server.graphql import console_query
from store.factory import open_store
from store.limits import now_ms

APP = "bench-receipts"
SENDER = "group-sender"
CONNECTION = "conn-group-sender"
"""The sender's one connection, open since two hours ago: every message is sent on it,
so that the console query (connections, then what was sent on each) shows them all."""
STATUSES = ("message.delivered", "message.offline", "message.not_delivered")
WRITE_BATCH = 20_000

_MESSAGES = """{{ sentMessages(filter: {{senderId: "{sender}", channelType: GROUP}}, first: {n})
{{ nodes {{ msgUid {fields} }} }} }}"""
PAGE_FIRST = 50
PAGE_FIELDS = (
    f"receipts(first: {PAGE_FIRST}) {{"
    " nodes { recipientId status statusAt history { at } pushAttempts { provider success } } }"
)
"""A page of receipts, without totalCount: a count grows with the group (the summary
query measures counting)."""
SUMMARY_FIELDS = (
    "receiptSummary { total delivered notDelivered offline pending pushSucceeded pushFailed }"
)


@dataclass(frozen=True, slots=True)
class ReceiptFigures:
    page_ms: float
    summary_ms: float
    status_page_p50_ms: float
    status_page_p95_ms: float
    healthz_worst_ms: float
    rss_peak_mb: float
    console_p50_ms: float
    console_p95_ms: float


def wire_events(messages: int, recipients: int, now: int) -> list[dict[str, Any]]:
    connection = {"userId": SENDER, "connectionId": CONNECTION, "platform": "ANDROID"}
    client = {"sdkVersion": "5.12.0", "ip": "192.0.2.1"}
    opened = {"eventId": "sender-opened", "type": "connection.opened", "appKey": APP}
    events: list[dict[str, Any]] = [{**opened, "at": now - 7_200_000, **connection, **client}]
    for m in range(messages):
        uid = f"group-msg-{m:03d}"
        sent_at = now - 3_600_000 + m * 1_000
        events.append(
            {
                "eventId": f"{uid}-sent",
                "type": "message.sent",
                "appKey": APP,
                "at": sent_at,
                "senderId": SENDER,
                "targetId": "big-group",
                "channelType": "GROUP",
                "messageType": "NX:TxtMsg",
                "source": "ANDROID",
                "result": "SENT",
                "msgUid": uid,
                "connectionId": CONNECTION,
            }
        )
        for r in range(recipients):
            recipient = f"member-{r:06d}"
            events.append(
                {
                    "eventId": f"{uid}-{r}",
                    "type": STATUSES[r % len(STATUSES)],
                    "appKey": APP,
                    "at": sent_at + 10 + r % 500,
                    "msgUid": uid,
                    "recipientId": recipient,
                }
            )
            if r % 5 == 0:
                events.append(
                    {
                        "eventId": f"{uid}-{r}-push",
                        "type": "push.attempted",
                        "appKey": APP,
                        "at": sent_at + 600 + r % 500,
                        "msgUid": uid,
                        "recipientId": recipient,
                        "provider": "FCM",
                        "success": r % 10 == 0,
                        **({} if r % 10 == 0 else {"errorCode": "UNAVAILABLE"}),
                    }
                )
    return events


async def _fill(url: str, messages: int, recipients: int) -> None:
    now = now_ms()
    parsed = [
        parse_event(e, now=now, retention_days=7) for e in wire_events(messages, recipients, now)
    ]
    store = open_store(url)
    await store.open()
    try:
        for start in range(0, len(parsed), WRITE_BATCH):
            await store.write(parsed[start : start + WRITE_BATCH])
    finally:
        await store.close()


def _timed(client: httpx.Client, body: bytes, headers: dict[str, str]) -> float:
    started = time.perf_counter()
    response = client.post("/graphql", content=body, headers=headers)
    elapsed = (time.perf_counter() - started) * 1000
    response.raise_for_status()
    document = response.json()
    if document.get("errors"):
        raise RuntimeError(f"receipt query failed: {document['errors']}")
    return elapsed


async def _healthz_under_load(base_url: str, bodies: list[bytes], headers: dict[str, str]) -> float:
    """The worst /healthz time while four clients send the receipt queries."""
    worst = 0.0
    done = asyncio.Event()

    async def client_loop(body: bytes) -> None:
        async with httpx.AsyncClient(base_url=base_url, timeout=120) as client:
            for _ in range(3):
                await client.post("/graphql", content=body, headers=headers)

    async def probe() -> None:
        nonlocal worst
        async with httpx.AsyncClient(base_url=base_url, timeout=120) as client:
            while not done.is_set():
                started = time.perf_counter()
                await client.get("/healthz")
                worst = max(worst, (time.perf_counter() - started) * 1000)
                await asyncio.sleep(0.02)

    prober = asyncio.ensure_future(probe())
    await asyncio.gather(*(client_loop(bodies[i % len(bodies)]) for i in range(4)))
    done.set()
    await prober
    return worst


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def measure(
    messages: int = 20, recipients: int = 5_000, runs: int = 5, requests: int = 20
) -> ReceiptFigures:
    with tempfile.TemporaryDirectory(prefix="bench-receipts-") as folder:
        url = f"sqlite:///{Path(folder) / 'receipts.db'}"
        asyncio.run(_fill(url, messages, recipients))
        read_key, _ = make_keys(url, APP)
        headers = {"Authorization": f"Bearer {read_key}", "Content-Type": "application/json"}
        bodies = [
            orjson.dumps({"query": _MESSAGES.format(sender=SENDER, n=messages, fields=fields)})
            for fields in (PAGE_FIELDS, SUMMARY_FIELDS, f"{PAGE_FIELDS} {SUMMARY_FIELDS}")
        ]
        bodies.append(orjson.dumps({"query": console_query(SENDER)}))
        with Server(url, quiet=True) as server:
            timings: list[list[float]] = [[], [], [], []]
            counts = (runs, runs, requests, requests)
            with httpx.Client(base_url=server.base_url, timeout=120) as client:
                for body, times, count in zip(bodies, timings, counts, strict=True):
                    _timed(client, body, headers)  # warm-up
                    times.extend(_timed(client, body, headers) for _ in range(count))
            worst = asyncio.run(_healthz_under_load(server.base_url, bodies[:2], headers))
            _, rss_peak = server.memory_mb()
    return ReceiptFigures(
        statistics.median(timings[0]),
        statistics.median(timings[1]),
        statistics.median(timings[2]),
        _p95(timings[2]),
        worst,
        rss_peak,
        statistics.median(timings[3]),
        _p95(timings[3]),
    )
