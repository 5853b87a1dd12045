"""What only the SQLite backend promises: its file, its settings, crash safety, purge by range."""

import asyncio
import contextlib
import json
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from store.factory import open_store
from store.interface import StoreUnavailable
from store.limits import DAY_MS, now_ms
from store.mongo import MongoStore
from store.receipts import fold, receipt_scope
from store.records import (
    MessageQuery,
    PageRequest,
    PushAttempted,
    ReceiptChanged,
    ReceiptQuery,
    WriteResult,
)
from store.sqlite import SqliteStore, documents, purge, schema, writer
from tests.store import views, wire

ROOT = Path(__file__).parents[2]


def test_factory_sqlite_paths() -> None:
    relative = open_store("sqlite:///data/tracking.db")
    assert isinstance(relative, SqliteStore)
    assert relative.path == "data/tracking.db"
    absolute = open_store("sqlite:////var/lib/tracking.db", retention_days=3)
    assert isinstance(absolute, SqliteStore)
    assert (absolute.path, absolute.retention_days) == ("/var/lib/tracking.db", 3)


def test_factory_mongodb() -> None:
    for url in ("mongodb://localhost:27017/tracking", "mongodb+srv://cluster.example.net/db"):
        store = open_store(url, retention_days=5)
        assert isinstance(store, MongoStore)
        assert store.retention_days == 5


@pytest.mark.parametrize(
    "url", ["postgres://localhost/db", "sqlite://", "sqlite://host/file.db", "tracking.db"]
)
def test_factory_refuses(url: str) -> None:
    with pytest.raises(ValueError, match="sqlite"):
        open_store(url)


async def test_creates_the_folder_and_uses_wal_with_full_sync(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "tracking.db"
    store = SqliteStore(str(path))
    await store.open()
    try:
        await store.ping()
        assert path.exists()
        conn = sqlite3.connect(path)
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        conn.close()
        writer_sync = await store._write(lambda c: c.execute("PRAGMA synchronous").fetchone())
        assert writer_sync == (2,)  # FULL
    finally:
        await store.close()


async def test_size_is_the_database_file_and_its_write_ahead_log(tmp_path: Path) -> None:
    path = tmp_path / "tracking.db"
    store = SqliteStore(str(path))
    await store.open()
    try:
        now = now_ms()
        await wire.ingest(store, wire.events("messages", now), now)
        wal = path.with_name("tracking.db-wal")
        assert wal.stat().st_size > 0, "the write is still in the log, not checkpointed"
        assert await store.size_bytes() == path.stat().st_size + wal.stat().st_size
    finally:
        await store.close()


async def test_closed_store_is_unavailable(tmp_path: Path) -> None:
    store = SqliteStore(str(tmp_path / "t.db"))
    with pytest.raises(StoreUnavailable):
        await store.ping()
    await store.open()
    await store.close()
    with pytest.raises(StoreUnavailable):
        await store.ping()
    with pytest.raises(StoreUnavailable):
        await store.write([])


_KILLED_WRITER = """
import asyncio, json, os, signal, sys
from server.events import parse_event
from store.sqlite import SqliteStore

async def main() -> None:
    store = SqliteStore(sys.argv[1])
    await store.open()
    raw = json.loads(sys.stdin.read())
    now = int(sys.argv[2])
    result = await store.write([parse_event(e, now=now, retention_days=7) for e in raw])
    print(result.accepted, flush=True)
    os.kill(os.getpid(), signal.SIGKILL)  # no close, no checkpoint

asyncio.run(main())
"""


async def test_acknowledged_batch_survives_sigkill(tmp_path: Path) -> None:
    now = now_ms()
    path = str(tmp_path / "tracking.db")
    raw = [e for name in ("connections", "messages", "receipts") for e in wire.events(name, now)]
    proc = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-c", textwrap.dedent(_KILLED_WRITER), path, str(now)],
        input=json.dumps(raw),
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert proc.returncode == -9, proc.stderr
    assert proc.stdout.strip() == str(len(raw))

    store = SqliteStore(path)
    await store.open()
    try:
        reference = SqliteStore(str(tmp_path / "reference.db"))
        await reference.open()
        await wire.ingest(reference, raw, now)
        assert await views.view(store, "app-a", now) == await views.view(reference, "app-a", now)
        await reference.close()
    finally:
        await store.close()


async def test_purge_by_ranges_forgets_old_event_ids(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(purge, "STEP", 2)
    now = now_ms()
    path = str(tmp_path / "tracking.db")
    week, short = SqliteStore(path, 7), SqliteStore(path, 2)
    await week.open()
    await short.open()
    try:
        for name in ("connections", "messages", "receipts"):
            await wire.ingest(week, wire.events(name, now), now)
        expected = await views.view(short, "app-a", now)
        assert await short.purge() == 3
        assert await views.view(week, "app-a", now) == expected
        conn = sqlite3.connect(path)
        ages = [at for (at,) in conn.execute("SELECT at FROM seen_events")]
        conn.close()
        assert len(ages) == 30 - 5  # c1 open/close, c6 open/close, m0
        assert min(ages) >= now - 2 * DAY_MS
    finally:
        await week.close()
        await short.close()


class _PurgeStopped(Exception):
    pass


def _stopped_after(store: SqliteStore, steps: int) -> Callable[..., Awaitable[Any]]:
    """``store``'s writer, refusing every job after the first ``steps``."""
    write, calls = store._write, 0

    async def stopping(job: Callable[..., Any], *args: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls > steps:
            raise _PurgeStopped
        return await write(job, *args)

    return stopping


def _late_histories() -> list[dict[str, Any]]:
    """Three GROUP messages sent 23 h ago to bob: his only status event 25 h ago;
    one 26 h ago and one an hour ago; only one, 2 h ago."""
    sent = {
        "type": "message.sent", "appKey": "app-a", "senderId": "alice", "targetId": "grp",
        "channelType": "GROUP", "messageType": "NX:TxtMsg", "source": "ANDROID",
        "result": "SENT", "at": "-23h",
    }  # fmt: skip
    raw: list[dict[str, Any]] = []
    for n, times in enumerate([["-25h"], ["-26h", "-1h"], ["-2h"]]):
        uid = f"g{n}"
        raw.append({**sent, "eventId": f"{uid}-sent", "msgUid": uid})
        for i, at in enumerate(times):
            kind = ("message.offline", "message.delivered")[i]
            event = {"eventId": f"{uid}-{i}", "type": kind, "appKey": "app-a", "at": at}
            raw.append({**event, "msgUid": uid, "recipientId": "bob"})
    return raw


@contextlib.asynccontextmanager
async def _week_and_day(path: str, now: int) -> AsyncIterator[tuple[SqliteStore, SqliteStore]]:
    """A store of 7 days and one of 1 day on one new file holding :func:`_late_histories`."""
    week, day = SqliteStore(path, 7), SqliteStore(path, 1)
    await week.open()
    await day.open()
    try:
        await wire.ingest(week, wire.events_of(_late_histories(), now), now)
        yield week, day
    finally:
        await week.close()
        await day.close()


async def test_a_purge_stopped_after_any_step_leaves_the_export_as_receipt_pages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reader with a longer retention, while a shorter one's purge is between two
    of its transactions (or after it stopped): each receipt the export lists has
    the history receipt_pages gives it (the export takes a lone event from the
    receipt's status key, which must not outlive its event)."""
    monkeypatch.setattr(purge, "STEP", 2)
    now = now_ms()
    for steps in range(100):
        async with _week_and_day(str(tmp_path / f"tracking-{steps}.db"), now) as (week, short):
            monkeypatch.setattr(short, "_write", _stopped_after(short, steps))
            try:
                await short.purge()
                finished = True
            except _PurgeStopped:
                finished = False
            await _assert_export_is_receipt_pages(week, now, steps)
        if finished:
            break
    assert finished and steps > 3  # the purge took several transactions, each stopped after


def _writing_before(
    store: SqliteStore, step: int, write: Callable[[], Awaitable[Any]]
) -> tuple[Callable[..., Awaitable[Any]], list[bool]]:
    """``store``'s writer, running ``write`` once, before its job number ``step``;
    and a flag set once it ran."""
    job_write, calls, wrote = store._write, 0, [False]

    async def writing(job: Callable[..., Any], *args: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == step:
            await write()
            wrote[0] = True
        return await job_write(job, *args)

    return writing, wrote


async def _assert_export_is_receipt_pages(store: SqliteStore, now: int, step: int) -> None:
    """Each receipt the export lists has the status and history receipt_pages gives."""
    window = MessageQuery(None, now - 7 * DAY_MS, now + 60_000)
    for message in (await store.export_messages("app-a", window, 100)).messages:
        scope = receipt_scope(message.message)
        assert scope is not None
        [page] = await store.receipt_pages("app-a", [PageRequest(ReceiptQuery(scope), 10)])
        listed = [
            (e.node.recipient_id, e.node.status, tuple((h.status, h.at) for h in e.node.history))
            for e in page.edges
        ]
        exported = [(r.recipient_id, r.status, r.history) for r in message.receipts]
        assert exported == listed, step


async def test_an_old_event_written_during_a_purge_leaves_the_export_as_receipt_pages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A store of a longer retention writes an event older than the purging store's
    horizon before any one of the purge's steps: once the purge is done, the
    receipt and its history agree (both gone, or both there)."""
    monkeypatch.setattr(purge, "STEP", 2)
    now = now_ms()
    late = {"eventId": "late", "type": "message.offline", "appKey": "app-a", "at": "-25h"}
    late |= {"msgUid": "g2", "recipientId": "carol"}
    for step in range(1, 100):
        async with _week_and_day(str(tmp_path / f"tracking-{step}.db"), now) as (week, short):

            async def write_late(week: SqliteStore = week) -> None:
                await wire.ingest(week, wire.events_of([late], now), now)

            writing, wrote = _writing_before(short, step, write_late)
            monkeypatch.setattr(short, "_write", writing)
            await short.purge()
            await _assert_export_is_receipt_pages(week, now, step)
        if not wrote[0]:  # the purge had fewer steps: each was preceded by the write
            break
    assert step > 4


@pytest.mark.parametrize("keys", [1, 349, 500, 1200])
def test_the_events_of_a_page_are_read_by_their_index_whatever_the_key_count(
    tmp_path: Path, keys: int
) -> None:
    """SQLite's planner (no statistics) once built an automatic index over all of
    receipt_events for a page of a few hundred receipts: seconds on a 1M store."""
    from store.sqlite import receipts, schema

    path = str(tmp_path / "t.db")
    schema.connect_writer(path).close()
    for conn in (schema.connect_reader(path), sqlite3.connect(path)):
        statements: list[str] = []
        conn.set_trace_callback(statements.append)
        pairs = [(f"m{i % 60}", f"r{i}") for i in range(keys)]
        receipts.recipient_push_attempts(conn, "app", pairs, 0)
        receipts._histories(conn, "app", pairs, 0)
        reads = [s for s in statements if "JOIN" in s]
        assert len(reads) >= 2
        for sql in reads:
            plan = " / ".join(row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql))
            assert "AUTOMATIC" not in plan and "_by_recipient" in plan, plan
        conn.close()


def _demo_events(count: int) -> list[Any]:
    from server.demo import generate_events
    from server.events import parse_event

    now = now_ms()
    raws = []
    for raw in generate_events("demo", now=now, users=12, seed=7):
        raws.append(raw)
        if len(raws) == count:
            break
    return [parse_event(r, now=now, retention_days=7) for r in raws]


def test_prepared_rows_are_the_writers_rows() -> None:
    """The rows ``writer.prepare`` makes on the caller's thread are those the
    writer would make itself: the row makers', and the marks of ``fold``."""
    events = _demo_events(3_000)
    prepared = writer.prepare(events)
    assert prepared.seen == [v for e in events for v in (e.app, e.event_id, e.at)]
    for kind, (_, width, maker) in writer._WRITES.items():
        expected = [v for e in events if type(e) is kind for v in maker(e)]
        assert prepared.rows.get(kind, []) == expected
        assert len(expected) % width == 0
    receipts = [e for e in events if isinstance(e, ReceiptChanged | PushAttempted)]
    assert any(e.push_skipped for e in receipts if isinstance(e, ReceiptChanged))
    marks = [v for key, m in fold(receipts).items() for v in documents.marks_row(key, m)]
    assert prepared.marks == marks


def test_a_prepared_group_with_duplicates_counts_as_written_one_by_one(tmp_path: Path) -> None:
    events = _demo_events(600)
    a, b, c = events[:300], events[200:500], events[450:] + events[450:470]
    conn = schema.connect_writer(str(tmp_path / "one.db"))
    grouped = writer.write_prepared(conn, [writer.prepare(x) for x in (a, b, c)])
    conn.close()
    conn = schema.connect_writer(str(tmp_path / "two.db"))
    alone = [writer.write_prepared(conn, [writer.prepare(x)])[0] for x in (a, b, c)]
    expected = [WriteResult(300, 0), WriteResult(200, 100), WriteResult(100, 70)]
    assert grouped == alone == expected
    conn.close()
