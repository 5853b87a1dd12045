"""SqliteStore: the embedded backend, an asyncio facade over blocking sqlite3.

Writes go to one dedicated thread holding the only writing connection, so
batches never contend for SQLite's write lock inside this process. Reads run on
a small pool of threads, each with its own connection; in WAL mode they read a
consistent snapshot without waiting for the writer.
"""

import asyncio
import contextlib
import os
import sqlite3
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any, TypeVar

from store.interface import StoreError, StoreUnavailable
from store.limits import DEFAULT_RETENTION_DAYS, horizon_ms, now_ms
from store.records import (
    ApiKey,
    ConnectionLog,
    ConnectionQuery,
    Event,
    ExportPage,
    MessageQuery,
    Page,
    PageRequest,
    PushAttempt,
    Receipt,
    ReceiptCounts,
    ReceiptEventRecord,
    ReceiptQuery,
    ReceiptScope,
    SentMessage,
    WriteResult,
)
from store.sqlite import export, purge, reader, receipts, schema, timeline, writer

R = TypeVar("R")
_READERS = 3


class SqliteStore:
    """The whole ``store.interface.Store`` on one SQLite file."""

    def __init__(self, path: str, retention_days: int = DEFAULT_RETENTION_DAYS) -> None:
        self.path = path
        self.retention_days = retention_days
        self._writer: ThreadPoolExecutor | None = None
        self._readers: ThreadPoolExecutor | None = None
        self._write_conn: sqlite3.Connection | None = None
        self._read_conns: list[sqlite3.Connection] = []
        self._local = threading.local()
        self._lock = threading.Lock()
        self._queue_lock = threading.Lock()
        self._queue: list[tuple[writer.Prepared, asyncio.Future[WriteResult]]] = []
        self._draining = False

    # --- lifecycle -------------------------------------------------------------

    async def open(self) -> None:
        if self._writer is not None:
            return
        self._writer = ThreadPoolExecutor(1, thread_name_prefix="sqlite-writer")
        self._readers = ThreadPoolExecutor(_READERS, thread_name_prefix="sqlite-reader")
        loop = asyncio.get_running_loop()
        try:
            self._write_conn = await loop.run_in_executor(
                self._writer, schema.connect_writer, self.path
            )
        except BaseException:
            await self.close()
            raise

    async def ping(self) -> None:
        try:
            await self._read(lambda conn: conn.execute("SELECT 1").fetchone())
        except (sqlite3.Error, StoreUnavailable) as exc:
            raise StoreUnavailable(f"SQLite store at {self.path} does not answer") from exc

    async def size_bytes(self) -> int | None:
        size = 0
        for path in (self.path, f"{self.path}-wal"):
            with contextlib.suppress(FileNotFoundError):
                size += os.stat(path).st_size
        return size or None

    async def close(self) -> None:
        writer_pool, reader_pool = self._writer, self._readers
        self._writer = self._readers = None
        for pool in (writer_pool, reader_pool):
            if pool is not None:
                await asyncio.to_thread(pool.shutdown, wait=True)
        with self._lock:
            conns, self._read_conns = self._read_conns, []
        if self._write_conn is not None:
            conns.append(self._write_conn)
            self._write_conn = None
        for conn in conns:
            conn.close()

    # --- plumbing ---------------------------------------------------------------

    def _horizon(self) -> int:
        return horizon_ms(self.retention_days)

    async def _write(self, job: Callable[..., R], *args: Any) -> R:
        pool, conn = self._writer, self._write_conn
        if pool is None or conn is None:
            raise StoreUnavailable("the store is not open")
        return await asyncio.get_running_loop().run_in_executor(pool, partial(job, conn, *args))

    def _reader_conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = schema.connect_reader(self.path)
            self._local.conn = conn
            with self._lock:
                self._read_conns.append(conn)
        return conn

    async def _read(self, job: Callable[..., R], *args: Any) -> R:
        pool = self._readers
        if pool is None:
            raise StoreUnavailable("the store is not open")

        def run() -> R:
            return job(self._reader_conn(), *args)

        return await asyncio.get_running_loop().run_in_executor(pool, run)

    # --- writer ------------------------------------------------------------------

    async def write(self, events: Sequence[Event]) -> WriteResult:
        """Batches that arrive while the writer is busy are committed together once
        it is free (a group commit: one transaction, one sync to disk); each call
        still returns only once its own events are durable, with its own counts.

        The batch's rows are made here, on the event loop, while the writer thread
        is in SQLite (``writer.prepare``): it then runs little Python of its own.
        The writer thread takes each next group itself as soon as it is done with
        one (:meth:`_drain`), without waiting for the event loop to come round."""
        pool, conn = self._writer, self._write_conn
        if pool is None or conn is None:
            raise StoreUnavailable("the store is not open")
        loop = asyncio.get_running_loop()
        future: asyncio.Future[WriteResult] = loop.create_future()
        prepared = writer.prepare(events)
        with self._queue_lock:
            self._queue.append((prepared, future))
            idle, self._draining = not self._draining, True
        if idle:
            pool.submit(self._drain, pool, conn, loop)
        return await future

    def _drain(
        self, pool: ThreadPoolExecutor, conn: sqlite3.Connection, loop: asyncio.AbstractEventLoop
    ) -> None:
        """On the writer thread: commit what is queued as one group, settle its
        futures on the event loop, and come back for the next group. One group a
        job, so that the writer's other jobs (purge, keys) take their turn between
        groups."""
        with self._queue_lock:
            group, self._queue = self._queue, []
            if not group:
                self._draining = False
                return
        outcomes: list[WriteResult | BaseException]
        try:
            outcomes = list(_write_group(conn, [p for p, _ in group]))
        except BaseException as exc:  # never leave a caller waiting
            outcomes = [exc] * len(group)
        futures = [f for _, f in group]
        with contextlib.suppress(RuntimeError):  # the loop is closed: nobody waits
            loop.call_soon_threadsafe(_settle_all, futures, outcomes)
        try:
            pool.submit(self._drain, pool, conn, loop)
        except RuntimeError:  # shutting down: finish the queue here
            self._drain(pool, conn, loop)

    async def purge(self) -> int:
        """Delete old records range by range (see ``store.sqlite.purge``); the count
        covers connections, messages, receipt events and push attempts, not the
        dedup bookkeeping nor the stored receipts derived from the events."""
        horizon = self._horizon()
        # The stored receipts forget their old marks before the events go, so that
        # between two steps (or after a purge that stopped) no receipt shows a status
        # whose event is gone (the export takes a lone event from its status key); and
        # again after, for a mark written with an old event while the events were
        # purged (a store of a longer retention on the same file may write one). Event
        # ids go after the events: one sent again while its row is there stays a
        # duplicate.
        await self._purge_keys("receipts", horizon)
        deleted = 0
        for table in purge.ROWID_TABLES:
            bounds = await self._write(purge.rowid_bounds, table)
            if bounds is None:
                continue
            for low in range(bounds[0], bounds[1] + 1, purge.STEP):
                high = low + purge.STEP
                deleted += await self._write(purge.purge_rowid_range, table, low, high, horizon)
        await self._purge_keys("seen_events", horizon)
        await self._purge_keys("receipts", horizon)
        return deleted

    async def _purge_keys(self, table: str, horizon: int) -> None:
        after: tuple[str, ...] | None = ()
        while after is not None:
            after = await self._write(purge.purge_key_range, table, after, horizon)

    # --- reader ------------------------------------------------------------------

    async def connection_pages(
        self, app: str, requests: Sequence[PageRequest[ConnectionQuery]]
    ) -> list[Page[ConnectionLog]]:
        return await self._read(reader.connection_pages, app, requests, self._horizon())

    async def count_connections(self, app: str, queries: Sequence[ConnectionQuery]) -> list[int]:
        return await self._read(reader.count_connections, app, queries, self._horizon())

    async def connections_by_key(
        self, app: str, keys: Sequence[tuple[str, str]]
    ) -> list[ConnectionLog | None]:
        return await self._read(reader.connections_by_key, app, keys, self._horizon())

    async def connections_at(
        self, app: str, keys: Sequence[tuple[str, int]]
    ) -> list[ConnectionLog | None]:
        return await self._read(timeline.connections_at, app, keys, self._horizon())

    async def next_connections(
        self, app: str, keys: Sequence[tuple[str, int]]
    ) -> list[ConnectionLog | None]:
        return await self._read(timeline.next_connections, app, keys, self._horizon())

    async def previous_connections(
        self, app: str, keys: Sequence[tuple[str, int]]
    ) -> list[ConnectionLog | None]:
        return await self._read(timeline.previous_connections, app, keys, self._horizon())

    async def message_pages(
        self, app: str, requests: Sequence[PageRequest[MessageQuery]]
    ) -> list[Page[SentMessage]]:
        return await self._read(reader.message_pages, app, requests, self._horizon())

    async def count_messages(self, app: str, queries: Sequence[MessageQuery]) -> list[int]:
        return await self._read(reader.count_messages, app, queries, self._horizon())

    async def messages_by_key(self, app: str, keys: Sequence[str]) -> list[SentMessage | None]:
        return await self._read(reader.messages_by_key, app, keys, self._horizon())

    async def receipt_events(
        self, app: str, msg_uids: Sequence[str]
    ) -> list[list[ReceiptEventRecord]]:
        return await self._read(receipts.receipt_events, app, msg_uids, self._horizon())

    async def push_attempts(self, app: str, msg_uids: Sequence[str]) -> list[list[PushAttempt]]:
        return await self._read(receipts.push_attempts, app, msg_uids, self._horizon())

    async def receipt_pages(
        self, app: str, requests: Sequence[PageRequest[ReceiptQuery]]
    ) -> list[Page[Receipt]]:
        return await self._read(receipts.receipt_pages, app, requests, self._horizon())

    async def count_receipts(self, app: str, queries: Sequence[ReceiptQuery]) -> list[int]:
        return await self._read(receipts.count_receipts, app, queries, self._horizon())

    async def receipt_summaries(
        self, app: str, scopes: Sequence[ReceiptScope]
    ) -> list[ReceiptCounts]:
        return await self._read(receipts.receipt_summaries, app, scopes, self._horizon())

    async def receipt_reads(
        self,
        app: str,
        pages: Sequence[PageRequest[ReceiptQuery]],
        scopes: Sequence[ReceiptScope],
    ) -> tuple[list[Page[Receipt]], list[ReceiptCounts]]:
        return await self._read(receipts.receipt_reads, app, pages, scopes, self._horizon())

    async def recipient_push_attempts(
        self, app: str, keys: Sequence[tuple[str, str]]
    ) -> list[list[PushAttempt]]:
        return await self._read(receipts.recipient_push_attempts, app, keys, self._horizon())

    async def export_messages(
        self,
        app: str,
        query: MessageQuery,
        first: int,
        after: str | None = None,
        *,
        history: bool = True,
    ) -> ExportPage:
        return await self._read(
            export.export_messages, app, query, first, after, history, self._horizon()
        )

    # --- keys --------------------------------------------------------------------

    async def create_key(self, key: ApiKey) -> None:
        try:
            await self._write(writer.create_key, key)
        except sqlite3.IntegrityError as exc:
            raise StoreError(f"a key with id {key.key_id} or the same secret exists") from exc

    async def list_keys(self) -> list[ApiKey]:
        return await self._read(reader.list_keys)

    async def revoke_key(self, key_id: str) -> bool:
        return await self._write(writer.revoke_key, key_id, now_ms())

    async def key_by_hash(self, secret_hash: str) -> ApiKey | None:
        return await self._read(reader.key_by_hash, secret_hash)


def _write_group(
    conn: sqlite3.Connection, group: list[writer.Prepared]
) -> list[WriteResult | Exception]:
    """Each batch's outcome: the group in one transaction, or when that fails each
    batch alone, so that one bad batch fails only itself."""
    try:
        return list(writer.write_prepared(conn, group))
    except Exception as exc:
        if len(group) == 1:
            return [exc]
    outcomes: list[WriteResult | Exception] = []
    for batch in group:
        try:
            outcomes.append(writer.write_prepared(conn, [batch])[0])
        except Exception as exc:
            outcomes.append(exc)
    return outcomes


def _settle_all(
    futures: list["asyncio.Future[WriteResult]"], outcomes: list[WriteResult | BaseException]
) -> None:
    for future, outcome in zip(futures, outcomes, strict=True):
        _settle(future, outcome)


def _settle(future: "asyncio.Future[WriteResult]", outcome: WriteResult | BaseException) -> None:
    if future.done():  # its caller was cancelled
        return
    if isinstance(outcome, BaseException):
        future.set_exception(outcome)
    else:
        future.set_result(outcome)
