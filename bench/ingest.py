"""Ingest throughput: ``POST /v1/events`` against the raw SQLite limit.

* Through HTTP: the real server (``bench.server``) on a store, batches of
  ``BATCH`` demo events as NDJSON, posted by an httpx client keeping ``in_flight``
  requests open (as a fleet of IM servers would: a response waits for its batch
  to be durable, so one connection alone leaves the server idle between
  commits). The clock runs from the first request to the last response; bodies
  are encoded beforehand.
* The raw limit: the rows the SQLite store writes for the same events (data
  rows and their dedup keys), inserted straight with ``executemany`` into a
  fresh file with the store's own tables, indexes and settings
  (``store.sqlite.schema.connect_writer``: WAL, ``synchronous=FULL``), one
  transaction a batch. No JSON, no validation, no upsert, no HTTP: what the
  database itself can take.
"""

import asyncio
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx
import orjson

from bench.server import Server, make_keys
from server.demo import generate_events
from server.events import parse_event
from store.limits import now_ms
from store.records import (
    ConnectionClosed,
    ConnectionOpened,
    ConnectionRejected,
    Event,
    MessageSent,
    PushAttempted,
    ReceiptChanged,
)
from store.sqlite import documents, schema

BATCH = 1_000
IN_FLIGHT = 16
"""Requests kept open at once: a fleet of IM servers posting; each waits for its commit."""
APP = "demo"


def wire_events(count: int, seed: int, users: int | None = None) -> list[dict[str, Any]]:
    """``count`` demo events (a fresh seed gives fresh event ids)."""
    events = []
    users = users or max(12, count // 2_000)
    for raw in generate_events(APP, now=now_ms(), users=users, seed=seed):
        events.append(raw)
        if len(events) == count:
            break
    return events


def ndjson_batches(events: Sequence[dict[str, Any]]) -> list[bytes]:
    return [
        b"\n".join(orjson.dumps(e) for e in events[i : i + BATCH]) + b"\n"
        for i in range(0, len(events), BATCH)
    ]


async def _post_all(base_url: str, key: str, bodies: list[bytes], in_flight: int) -> float:
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/x-ndjson"}
    queue = list(reversed(bodies))
    accepted = 0

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal accepted
        while queue:
            body = queue.pop()
            response = await client.post("/v1/events", content=body, headers=headers)
            response.raise_for_status()
            result = response.json()
            if result["rejected"]:
                raise RuntimeError(f"demo events rejected: {result['rejected'][:3]}")
            accepted += result["accepted"] + result["duplicates"]

    limits = httpx.Limits(max_connections=in_flight)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=60) as client:
        await client.get("/healthz")  # open a connection before the clock starts
        started = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(in_flight)))
        seconds = time.perf_counter() - started
    return accepted / seconds


def http_rate(store_url: str, bodies: list[bytes], in_flight: int = IN_FLIGHT) -> float:
    """Events a second through POST /v1/events into the store at ``store_url``."""
    _, ingest_key = make_keys(store_url, APP)
    with Server(store_url, quiet=True) as server:
        return asyncio.run(_post_all(server.base_url, ingest_key, bodies, in_flight))


def fresh_http_rate(bodies: list[bytes], in_flight: int = IN_FLIGHT) -> float:
    """Like :func:`http_rate`, into an empty SQLite store in a temporary folder."""
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as folder:
        return http_rate(f"sqlite:///{Path(folder) / 'tracking.db'}", bodies, in_flight)


# --- the raw limit -----------------------------------------------------------------

_RAW: dict[type, tuple[str, Any]] = {
    ConnectionOpened: (
        "INSERT INTO connections (app, user_id, conn_key, connection_id, opened_at, open_event,"
        " sdk_version, platform, ip, device_model, os_version) VALUES (?,?,?,?,?,?,?,?,?,?,?)"
        " ON CONFLICT (app, user_id, conn_key) DO UPDATE SET opened_at = excluded.opened_at,"
        " open_event = excluded.open_event, sdk_version = excluded.sdk_version,"
        " platform = excluded.platform, ip = excluded.ip, device_model = excluded.device_model,"
        " os_version = excluded.os_version",
        documents.opened_row,
    ),
    ConnectionClosed: (
        "INSERT INTO connections (app, user_id, conn_key, connection_id, closed_at, close_event,"
        " reason) VALUES (?,?,?,?,?,?,?) ON CONFLICT (app, user_id, conn_key) DO UPDATE SET"
        " closed_at = excluded.closed_at, close_event = excluded.close_event,"
        " reason = excluded.reason",
        documents.closed_row,
    ),
    ConnectionRejected: (
        "INSERT INTO connections (app, user_id, conn_key, opened_at, open_event, sdk_version,"
        " platform, ip, device_model, os_version, closed_at, reject_code, reject_description)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
        documents.rejected_row,
    ),
    MessageSent: (
        "INSERT INTO messages (app, msg_key, event_id, msg_uid, sender_id, target_id,"
        " channel_type, message_type, source, sent_at, result, mute_scope, connection_id)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
        documents.message_row,
    ),
    ReceiptChanged: (
        "INSERT INTO receipt_events (app, msg_uid, recipient_id, status, at, push_skipped)"
        " VALUES (?,?,?,?,?,?)",
        documents.receipt_row,
    ),
    PushAttempted: (
        "INSERT INTO push_attempts (app, msg_uid, recipient_id, provider, at, success,"
        " error_code, error_description) VALUES (?,?,?,?,?,?,?,?)",
        documents.push_row,
    ),
}
_SEEN = "INSERT INTO seen_events (app, event_id, at) VALUES (?,?,?)"


def _raw_batches(events: Sequence[dict[str, Any]]) -> list[list[tuple[str, list[Any]]]]:
    """Each batch as (statement, rows) pairs, the rows made before the clock starts."""
    now = now_ms()
    parsed: list[Event] = [parse_event(e, now=now, retention_days=7) for e in events]
    batches = []
    for start in range(0, len(parsed), BATCH):
        chunk = parsed[start : start + BATCH]
        by_type: dict[type, list[Any]] = {}
        for e in chunk:
            by_type.setdefault(type(e), []).append(_RAW[type(e)][1](e))
        statements = [(_SEEN, [(e.app, e.event_id, e.at) for e in chunk])]
        statements += [(_RAW[kind][0], rows) for kind, rows in by_type.items()]
        batches.append(statements)
    return batches


def raw_rate(events: Sequence[dict[str, Any]]) -> float:
    """Events a second written straight into a fresh SQLite file (see the module doc)."""
    batches = _raw_batches(events)
    with tempfile.TemporaryDirectory(prefix="bench-raw-") as folder:
        conn = schema.connect_writer(str(Path(folder) / "raw.db"))
        try:
            started = time.perf_counter()
            for statements in batches:
                conn.execute("BEGIN IMMEDIATE")
                for sql, rows in statements:
                    conn.executemany(sql, rows)
                conn.execute("COMMIT")
            seconds = time.perf_counter() - started
        finally:
            conn.close()
    return len(events) / seconds
