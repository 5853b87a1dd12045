"""The console query (SPEC §6): latency over HTTP, store calls, the GraphQL layer's cost.

* Latency: the real server (``bench.server``) over the cached store, one
  client sending the query again and again (after a warm-up), timed from the
  request to the last byte of the response. The server's peak RSS is read
  from ``/proc`` afterwards.
* Store calls: the query run in this process on a store that counts its
  calls, at two sets of page sizes.
* Overhead: in this process, ``schema.execute`` plus ``orjson.dumps`` of its
  data, against ``bench.direct`` (the same records from the same store, as
  JSON, no GraphQL), alternating the two; their documents must be equal.
"""

import asyncio
import hashlib
import statistics
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import orjson

from bench import direct
from bench.server import Server, make_keys
from resolvers.context import Context
from resolvers.limits import CONNECTIONS_FIRST, MESSAGES_FIRST, RECEIPTS_FIRST
from resolvers.loaders import Loaders
from resolvers.schema import schema
from server.demo import DEMO_APP
from server.graphql import console_query
from store.factory import open_store
from store.interface import Store
from store.limits import now_ms
from store.observed import CountingStore

SMALL_PAGES = {"connections": 5, "messages": 5, "receipts": 10}
DIAGNOSIS = "verdict summary findings { code at text } settled"
"""What the diagnosis case asks of every message's and every receipt's diagnosis."""


def connection_instant(now: int) -> int:
    """The instant of every recipient's ``connectionAt`` in the diagnosis case."""
    return now - 3_600_000


def _console_query(user: str, pages: Mapping[str, int], diagnosis: str = "") -> str:
    return console_query(
        user,
        connections=pages.get("connections", CONNECTIONS_FIRST),
        messages=pages.get("messages", MESSAGES_FIRST),
        receipts=pages.get("receipts", RECEIPTS_FIRST),
        diagnosis=diagnosis,
    )


def diagnosis_query(user: str, now: int, pages: Mapping[str, int] | None = None) -> str:
    """The console query with a diagnosis on every message and receipt, and each
    receipt's recipient with its connection an hour ago (SPEC §7)."""
    instant = connection_instant(now) / 1000
    at = datetime.fromtimestamp(instant, UTC).isoformat(timespec="milliseconds")
    query = _console_query(user, pages or {}, diagnosis=DIAGNOSIS)
    recipient = f'recipient {{ id connectionAt(at: "{at}") {{ connectionId status }} }}'
    return query.replace("recipientId status statusAt", f"recipientId {recipient} status statusAt")


def _document(user: str, now: int, diagnosis: bool, pages: Mapping[str, int] | None = None) -> str:
    pages = pages or {}
    return diagnosis_query(user, now, pages) if diagnosis else _console_query(user, pages)


@dataclass(frozen=True, slots=True)
class Latency:
    p50_ms: float
    p95_ms: float
    response_kb: float
    objects: int
    rss_start_mb: float
    rss_peak_mb: float


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def count_objects(value: Any) -> int:
    """GraphQL objects in a response (every dict)."""
    if isinstance(value, dict):
        return 1 + sum(count_objects(v) for v in value.values())
    if isinstance(value, list):
        return sum(count_objects(v) for v in value)
    return 0


def http_latency(
    store_url: str, user: str, requests: int, warmup: int = 3, *, diagnosis: bool = False
) -> Latency:
    read_key, _ = make_keys(store_url, DEMO_APP)
    body = orjson.dumps({"query": _document(user, now_ms(), diagnosis)})
    headers = {"Authorization": f"Bearer {read_key}", "Content-Type": "application/json"}
    with Server(store_url, quiet=True) as server:
        rss_start, _ = server.memory_mb()
        times: list[float] = []
        with httpx.Client(base_url=server.base_url, timeout=60) as client:
            for i in range(warmup + requests):
                started = time.perf_counter()
                response = client.post("/graphql", content=body, headers=headers)
                elapsed = time.perf_counter() - started
                response.raise_for_status()
                if i == 0:
                    document = response.json()
                    if document.get("errors"):
                        raise RuntimeError(f"console query failed: {document['errors']}")
                    size, objects = len(response.content), count_objects(document["data"])
                if i >= warmup:
                    times.append(elapsed * 1000)
        _, rss_peak = server.memory_mb()
    return Latency(
        percentile(times, 0.5),
        percentile(times, 0.95),
        size / 1024,
        objects,
        rss_start,
        rss_peak,
    )


@dataclass(frozen=True, slots=True)
class PersistedLatency:
    """The console query sent three ways, in turns on one server: p50/p95 of each."""

    document: tuple[float, float]
    hash_post: tuple[float, float]
    hash_get: tuple[float, float]


def persisted_latency(
    store_url: str, user: str, requests: int, warmup: int = 3
) -> PersistedLatency:
    """Automatic persisted queries (SPEC §10): the whole document by POST, against
    its hash alone by POST and by GET (the way a cache would be asked), once the
    server holds the document."""
    read_key, _ = make_keys(store_url, DEMO_APP)
    document = _document(user, now_ms(), diagnosis=False)
    digest = hashlib.sha256(document.encode()).hexdigest()
    extensions = {"persistedQuery": {"version": 1, "sha256Hash": digest}}
    headers = {"Authorization": f"Bearer {read_key}", "Content-Type": "application/json"}
    full = orjson.dumps({"query": document})
    hashed = orjson.dumps({"extensions": extensions})
    params = {"extensions": orjson.dumps(extensions).decode()}
    times: dict[str, list[float]] = {"document": [], "post": [], "get": []}
    with (
        Server(store_url, quiet=True) as server,
        httpx.Client(base_url=server.base_url, timeout=60) as client,
    ):
        register = orjson.dumps({"query": document, "extensions": extensions})
        client.post("/graphql", content=register, headers=headers).raise_for_status()
        for i in range(warmup + requests):
            ways: list[tuple[str, Callable[[], httpx.Response]]] = [
                ("document", lambda: client.post("/graphql", content=full, headers=headers)),
                ("post", lambda: client.post("/graphql", content=hashed, headers=headers)),
                ("get", lambda: client.get("/graphql", params=params, headers=headers)),
            ]
            for way, send in ways:
                started = time.perf_counter()
                response = send()
                elapsed = time.perf_counter() - started
                response.raise_for_status()
                if "errors" in response.json():
                    raise RuntimeError(f"console query ({way}) failed: {response.text[:300]}")
                if i >= warmup:
                    times[way].append(elapsed * 1000)

    def p50_p95(values: list[float]) -> tuple[float, float]:
        return percentile(values, 0.5), percentile(values, 0.95)

    return PersistedLatency(
        p50_p95(times["document"]), p50_p95(times["post"]), p50_p95(times["get"])
    )


def _context(store: Any, now: int) -> Context:
    return Context(store, DEMO_APP, Loaders.for_app(store, DEMO_APP), now)


async def _graphql(
    store: Any, user: str, now: int, pages: dict[str, int] | None = None, diagnosis: bool = False
) -> Any:
    result = await schema.execute(
        _document(user, now, diagnosis, pages), context_value=_context(store, now)
    )
    if result.errors:
        raise RuntimeError(f"console query failed: {result.errors}")
    return result.data


async def store_calls(store: Store, user: str, diagnosis: bool = False) -> tuple[int, int]:
    """Store calls of the console query at the default page sizes and at small ones."""
    totals = []
    for pages in (None, SMALL_PAGES):
        counting = CountingStore(store)
        counting.retention_days = store.retention_days  # type: ignore[attr-defined]
        await _graphql(counting, user, now_ms(), pages, diagnosis)
        totals.append(sum(counting.calls.values()))
    return totals[0], totals[1]


@dataclass(frozen=True, slots=True)
class Overhead:
    graphql_ms: float
    direct_ms: float
    graphql_cpu_ms: float
    direct_cpu_ms: float

    @property
    def ratio(self) -> float:
        return self.graphql_ms / self.direct_ms

    @property
    def cpu_ratio(self) -> float:
        return self.graphql_cpu_ms / self.direct_cpu_ms


async def overhead(store: Store, user: str, runs: int, diagnosis: bool = False) -> Overhead:
    """Median wall and CPU time (this process, every thread: the store's readers
    too) of the GraphQL response and of the direct one, alternated; with
    ``diagnosis``, of the diagnosis case."""
    now = now_ms()
    retention = store.retention_days
    at = connection_instant(now) if diagnosis else None

    async def direct_data() -> dict[str, Any]:
        return await direct.console(
            store, DEMO_APP, user, now=now, retention_days=retention, connection_at=at
        )

    if await _graphql(store, user, now, diagnosis=diagnosis) != await direct_data():
        raise RuntimeError("the direct fetch does not give the GraphQL response's data")
    times: dict[str, list[tuple[float, float]]] = {"graphql": [], "direct": []}
    for _ in range(max(runs, 3) * 3):
        wall, cpu = time.perf_counter(), time.process_time()
        orjson.dumps({"data": await _graphql(store, user, now, diagnosis=diagnosis)})
        times["graphql"].append((time.perf_counter() - wall, time.process_time() - cpu))
        wall, cpu = time.perf_counter(), time.process_time()
        orjson.dumps({"data": await direct_data()})
        times["direct"].append((time.perf_counter() - wall, time.process_time() - cpu))
    medians = {
        name: (
            statistics.median(w for w, _ in pairs) * 1000,
            statistics.median(c for _, c in pairs) * 1000,
        )
        for name, pairs in times.items()
    }
    return Overhead(
        medians["graphql"][0], medians["direct"][0], medians["graphql"][1], medians["direct"][1]
    )


async def in_process(store_url: str, user: str, runs: int) -> tuple[tuple[int, int], Overhead]:
    store = open_store(store_url)
    await store.open()
    try:
        calls = await store_calls(store, user)
        return calls, await overhead(store, user, runs)
    finally:
        await store.close()


async def diagnosis_in_process(
    store_url: str, user: str, runs: int
) -> tuple[tuple[int, int], Overhead]:
    """Store calls of the diagnosis case at the default page sizes and at small
    ones, and its GraphQL overhead."""
    store = open_store(store_url)
    await store.open()
    try:
        calls = await store_calls(store, user, diagnosis=True)
        return calls, await overhead(store, user, runs, diagnosis=True)
    finally:
        await store.close()


def measure_in_process(store_url: str, user: str, runs: int) -> tuple[tuple[int, int], Overhead]:
    return asyncio.run(in_process(store_url, user, runs))
