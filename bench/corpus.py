"""Stores of N demo events, built once and cached for the query benchmarks.

A store is filled from ``server.demo.generate_events`` (the realistic mix),
validated by the ingest parser (``server.events.parse_event``) and written
straight through ``store.write`` in batches of ``BUILD_BATCH`` events: the HTTP
layer is left out of the build because the ingest benchmark measures it on its
own. Each store has a JSON file beside it saying when it was built, from what,
and which user is the busiest (the one the console query asks for).

Demo data lives in the 7 days before its build, so a store older than
``max_age_h`` is rebuilt: past it, the oldest day has left the retention window.
"""

import asyncio
import json
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from server.demo import DEMO_APP, generate_events
from server.events import parse_event
from store.factory import open_store
from store.limits import now_ms
from store.records import Event

BUILD_BATCH = 20_000
EVENTS_PER_USER = 800
"""Fewer than the demo generator makes for one user over a week (1,000 to 2,000, fewer
the more users there are): the build asks for enough users and stops at the count."""
SEED = 7_000_001


@dataclass(frozen=True, slots=True)
class Corpus:
    events: int
    store_url: str
    built_at: int
    build_seconds: float
    users: int
    busy_user: str
    busy_user_messages: int

    @property
    def age_h(self) -> float:
        return (now_ms() - self.built_at) / 3_600_000


def store_url(base: str, cache: Path, events: int) -> str:
    """Where the store of ``events`` events lives: a file in the cache, or a database
    named after its size on the MongoDB server of ``base``."""
    if base.startswith("sqlite"):
        return f"sqlite:///{(cache / f'sqlite-{events}.db').resolve()}"
    scheme, rest = base.split("://", 1)
    host, _, query = rest.partition("/")
    query = query.partition("?")[2]
    return f"{scheme}://{host}/polaris_bench_{events}" + (f"?{query}" if query else "")


def _meta_path(cache: Path, url: str, events: int) -> Path:
    kind = "sqlite" if url.startswith("sqlite") else "mongodb"
    return cache / f"{kind}-{events}.json"


def load(cache: Path, url: str, events: int, max_age_h: float) -> Corpus | None:
    path = _meta_path(cache, url, events)
    if not path.exists():
        return None
    corpus = Corpus(**json.loads(path.read_text()))
    if corpus.store_url != url or corpus.events != events or corpus.age_h > max_age_h:
        return None
    if url.startswith("sqlite") and not Path(url[len("sqlite:///") :]).exists():
        return None
    return corpus


def ensure(base: str, cache: Path, events: int, max_age_h: float = 24.0) -> Corpus:
    """The cached store of ``events`` events, built first when missing or stale."""
    cache.mkdir(parents=True, exist_ok=True)
    url = store_url(base, cache, events)
    corpus = load(cache, url, events, max_age_h)
    if corpus is not None:
        _say(f"using the cached {events:,}-event store {url} (built {corpus.age_h:.1f} h ago)")
        return corpus
    corpus = asyncio.run(_build(url, events))
    _meta_path(cache, url, events).write_text(json.dumps(asdict(corpus), indent=2))
    return corpus


async def _build(url: str, events: int) -> Corpus:
    if url.startswith("sqlite"):
        path = Path(url[len("sqlite:///") :])
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    else:
        await _drop_mongo(url)
    store = open_store(url)
    await store.open()
    users = max(12, round(events / EVENTS_PER_USER))
    _say(f"building a {events:,}-event store ({users:,} demo users) at {url}")
    senders: Counter[str] = Counter()
    started = time.perf_counter()
    now = now_ms()
    written = 0
    pending: asyncio.Task[Any] | None = None
    batch: list[Event] = []
    last_report = started
    try:
        for raw in generate_events(DEMO_APP, now=now, users=users, seed=SEED):
            if raw["type"] == "message.sent" and raw.get("connectionId"):
                senders[raw["senderId"]] += 1  # what the console shows under connections
            batch.append(parse_event(raw, now=now, retention_days=store.retention_days))
            if len(batch) == BUILD_BATCH or written + len(batch) == events:
                if pending is not None:
                    await pending  # write batch n while batch n + 1 is generated
                pending = asyncio.ensure_future(store.write(batch))
                written += len(batch)
                batch = []
                if time.perf_counter() - last_report > 5 or written == events:
                    last_report = time.perf_counter()
                    _progress(written, events, last_report - started)
                if written == events:
                    break
        if batch:
            if pending is not None:
                await pending
            pending = asyncio.ensure_future(store.write(batch))
            written += len(batch)
        if pending is not None:
            await pending
    finally:
        await store.close()
    seconds = time.perf_counter() - started
    _say(f"built {written:,} events in {seconds:.0f} s ({written / seconds:,.0f} events/s)")
    busy, count = senders.most_common(1)[0]
    return Corpus(written, url, now, round(seconds, 1), users, busy, count)


async def _drop_mongo(url: str) -> None:
    from pymongo import AsyncMongoClient

    from store.mongo.backend import database_name

    client: AsyncMongoClient[Any] = AsyncMongoClient(url)
    try:
        await client.drop_database(database_name(url))
    finally:
        await client.close()


def _progress(done: int, total: int, seconds: float) -> None:
    rate = done / seconds if seconds else 0.0
    eta = (total - done) / rate if rate else 0.0
    _say(f"  {done:>12,} / {total:,} ({done / total:4.0%})  {rate:,.0f} events/s  ETA {eta:4.0f} s")


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)
