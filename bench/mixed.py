"""A mixed load (SPEC §6, issue 15): ingest at a fixed rate while console users query.

On one real server (``bench.server``): a pacer posts ``BATCH``-event NDJSON
batches at ``rate`` events a second (up to ``IN_FLIGHT`` requests open, as a
fleet of IM servers would), while ``clients`` console users each send the
console query of ``user`` back to back. It runs until every batch is answered.
Figures: the console query's p50 and p95 under that load, the ingest rate
achieved (against the rate asked for) and the server's peak RSS.
"""

import asyncio
import statistics
import time
from dataclasses import dataclass

import httpx
import orjson

from bench.console import percentile
from bench.ingest import BATCH, IN_FLIGHT
from bench.server import Server, make_keys
from server.demo import DEMO_APP
from server.graphql import console_query


@dataclass(frozen=True, slots=True)
class MixedFigures:
    console_p50_ms: float
    console_p95_ms: float
    console_queries: int
    ingest_rate: float
    asked_rate: float
    rss_peak_mb: float


async def _run(
    base_url: str,
    keys: tuple[str, str],
    bodies: list[bytes],
    rate: float,
    user: str,
    clients: int,
) -> tuple[list[float], float]:
    read_key, ingest_key = keys
    ingest_headers = {
        "Authorization": f"Bearer {ingest_key}",
        "Content-Type": "application/x-ndjson",
    }
    query = orjson.dumps({"query": console_query(user)})
    read_headers = {"Authorization": f"Bearer {read_key}", "Content-Type": "application/json"}
    latencies: list[float] = []
    done = asyncio.Event()
    open_requests = asyncio.Semaphore(IN_FLIGHT)
    interval = BATCH / rate

    async with httpx.AsyncClient(base_url=base_url, timeout=120) as client:

        async def post(body: bytes) -> None:
            try:
                response = await client.post("/v1/events", content=body, headers=ingest_headers)
                response.raise_for_status()
            finally:
                open_requests.release()

        async def pace() -> float:
            started = time.perf_counter()
            posts = []
            for n, body in enumerate(bodies):
                await asyncio.sleep(max(0.0, started + n * interval - time.perf_counter()))
                await open_requests.acquire()
                posts.append(asyncio.ensure_future(post(body)))
            await asyncio.gather(*posts)
            done.set()
            return sum(body.count(b"\n") for body in bodies) / (time.perf_counter() - started)

        async def console_user() -> None:
            while not done.is_set():
                started = time.perf_counter()
                response = await client.post("/graphql", content=query, headers=read_headers)
                response.raise_for_status()
                if response.json().get("errors"):
                    raise RuntimeError(f"console query failed: {response.json()['errors']}")
                latencies.append((time.perf_counter() - started) * 1000)

        await client.get("/healthz")
        pacing = asyncio.ensure_future(pace())
        await asyncio.gather(pacing, *(console_user() for _ in range(clients)))
    return latencies, pacing.result()


def measure(
    store_url: str, bodies: list[bytes], rate: float, user: str, clients: int = 4
) -> MixedFigures:
    """The mixed load on the store at ``store_url`` (which it adds ``bodies`` to)."""
    keys = make_keys(store_url, DEMO_APP)
    with Server(store_url, quiet=True) as server:
        latencies, achieved = asyncio.run(_run(server.base_url, keys, bodies, rate, user, clients))
        _, rss_peak = server.memory_mb()
    return MixedFigures(
        statistics.median(latencies),
        percentile(latencies, 0.95),
        len(latencies),
        achieved,
        rate,
        rss_peak,
    )
