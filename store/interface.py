"""The storage interface every backend implements, with the rules it must keep.

Rules common to every method:

* Every read takes the app and returns only that app's data: no method reads
  across apps.
* Data older than the retention horizon (now - retention days) never comes
  back, whether or not a purge has removed it yet.
* Batch methods answer in the order of their input, one result per item, so
  that a dataloader asks the store once per level of the graph.
* Cursors are opaque strings made by the backend; a cursor the backend did not
  make raises :class:`InvalidCursor`. A cursor stays valid while new data
  arrives: paging with it never repeats or skips an item that existed when the
  first page was read.
"""

from collections.abc import Sequence
from typing import Protocol

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


class StoreError(Exception):
    """Base of the errors a store raises on purpose."""


class InvalidCursor(StoreError, ValueError):
    """An ``after`` cursor that this store did not make."""


class StoreUnavailable(StoreError):
    """The backend cannot be reached."""


class SchemaTooNew(StoreError):
    """The store was written by a newer release, whose schema this one does not know."""


class TrackingWriter(Protocol):
    async def write(self, events: Sequence[Event]) -> WriteResult:
        """Store a batch of validated events.

        Idempotent: an event whose (app, event_id) is already stored, or that
        repeats an earlier event of the same batch, is a duplicate and changes
        nothing. Returns only once every accepted event is durably committed;
        on an exception nothing of the batch is acknowledged (a retry of the
        whole batch is safe). The stored view does not depend on the order in
        which events arrive.
        """
        ...

    async def purge(self) -> int:
        """Delete what is older than the retention horizon; return how many records went."""
        ...


class TrackingReader(Protocol):
    retention_days: int
    """Days of data kept and shown: the one place this is held at run time (reads
    never return anything older, and windows may not start before it)."""

    async def connection_pages(
        self, app: str, requests: Sequence[PageRequest[ConnectionQuery]]
    ) -> list[Page[ConnectionLog]]:
        """Connection logs (opened, closed and rejected attempts) of each request's
        user open at any time in its window, newest ``connected_at`` first, ties
        by a stable order. A ``connection.closed`` whose open has not arrived is
        kept but not returned until the open arrives."""
        ...

    async def count_connections(self, app: str, queries: Sequence[ConnectionQuery]) -> list[int]:
        """How many logs :meth:`connection_pages` would list for each query, over every page."""
        ...

    async def connections_by_key(
        self, app: str, keys: Sequence[tuple[str, str]]
    ) -> list[ConnectionLog | None]:
        """Connection logs by (user_id, key); None where there is none visible."""
        ...

    async def connections_at(
        self, app: str, keys: Sequence[tuple[str, int]]
    ) -> list[ConnectionLog | None]:
        """For each (user_id, at): the connection of that user open at the instant
        ``at``, i.e. ``connected_at <= at`` and not closed at or before ``at`` (an
        ONLINE log is open until now); the latest opened if several (ties by the
        greater key). None when none was open. A rejected attempt is never open, and
        a ``connection.closed`` whose open has not arrived is not a connection."""
        ...

    async def next_connections(
        self, app: str, keys: Sequence[tuple[str, int]]
    ) -> list[ConnectionLog | None]:
        """For each (user_id, after): the first connection the user opened strictly
        after the instant ``after`` (earliest ``connected_at``, ties by the smaller
        key); rejected attempts do not count. None when there is none (yet)."""
        ...

    async def previous_connections(
        self, app: str, keys: Sequence[tuple[str, int]]
    ) -> list[ConnectionLog | None]:
        """For each (user_id, before): the connection of that user that closed last
        at or before the instant ``before`` (latest ``disconnected_at``, then latest
        ``connected_at``, then the greater key); rejected attempts and connections
        still open do not count. None when there is none."""
        ...

    async def message_pages(
        self, app: str, requests: Sequence[PageRequest[MessageQuery]]
    ) -> list[Page[SentMessage]]:
        """Sent messages matching each query, newest ``sent_at`` first, ties by a stable order."""
        ...

    async def count_messages(self, app: str, queries: Sequence[MessageQuery]) -> list[int]:
        """How many messages :meth:`message_pages` would list for each query, over every page."""
        ...

    async def messages_by_key(self, app: str, keys: Sequence[str]) -> list[SentMessage | None]:
        """Sent messages by their key (see ``records.message_key``); None where there is none."""
        ...

    async def receipt_events(
        self, app: str, msg_uids: Sequence[str]
    ) -> list[list[ReceiptEventRecord]]:
        """Every stored status event of each message, ordered by (recipient_id, at, status rank).

        Events may precede their ``message.sent``: they are returned whether or
        not the message is stored."""
        ...

    async def push_attempts(self, app: str, msg_uids: Sequence[str]) -> list[list[PushAttempt]]:
        """Every push attempt of each message, ordered by (recipient_id, sent_at)."""
        ...

    async def receipt_pages(
        self, app: str, requests: Sequence[PageRequest[ReceiptQuery]]
    ) -> list[Page[Receipt]]:
        """Receipts of each request's message matching its query, by recipient id,
        each with its history (oldest first), from the stored receipts
        (``store.receipts``): a page reads O(first) rows whatever the number of
        recipients. Here ``after`` and each edge's cursor are a recipient id (the
        API wraps them in its own opaque cursor)."""
        ...

    async def count_receipts(self, app: str, queries: Sequence[ReceiptQuery]) -> list[int]:
        """How many receipts :meth:`receipt_pages` would list for each query, over every page."""
        ...

    async def receipt_summaries(
        self, app: str, scopes: Sequence[ReceiptScope]
    ) -> list[ReceiptCounts]:
        """Each message's receipts counted by the store (``store.receipts.receipt_counts``)."""
        ...

    async def receipt_reads(
        self,
        app: str,
        pages: Sequence[PageRequest[ReceiptQuery]],
        scopes: Sequence[ReceiptScope],
    ) -> tuple[list[Page[Receipt]], list[ReceiptCounts]]:
        """:meth:`receipt_pages` and :meth:`receipt_summaries` together, from one
        snapshot where the backend has them (SQLite: one read transaction), so
        that a response's receipts agree with its summary while data arrives."""
        ...

    async def recipient_push_attempts(
        self, app: str, keys: Sequence[tuple[str, str]]
    ) -> list[list[PushAttempt]]:
        """Push attempts of each (msg_uid, recipient_id), oldest first."""
        ...

    async def export_messages(
        self,
        app: str,
        query: MessageQuery,
        first: int,
        after: str | None = None,
        *,
        history: bool = True,
    ) -> ExportPage:
        """A chunk of the bulk export: the messages :meth:`message_pages` lists for
        ``query``, in its order (newest ``sent_at`` first, ties by the same stable
        order), ``first`` of them (at least one) after the cursor ``after``, each
        with every receipt :meth:`receipt_pages` lists for it (by recipient id,
        the PENDING target included), each receipt with its history (oldest first;
        left empty when ``history`` is False, which spares reading the status
        events) and its recipient's push attempts (oldest first, as
        :meth:`recipient_push_attempts`).

        ``ExportPage.after`` is the cursor of the next chunk, None after the last;
        it follows the rules of every cursor (keyset: data arriving meanwhile
        neither repeats nor skips a message that existed at the first chunk).
        Records are lean (``records.ExportMessage``: no ``SentMessage`` nor
        ``Receipt`` a row, times as epoch ms). A chunk is a bounded number of
        reads whatever the window (one range of messages, then the receipts,
        events and pushes of its messages in batches), and memory holds one chunk:
        ``first`` messages and their recipients, never the window. SQLite reads a
        chunk in one read transaction (one snapshot); MongoDB in a few queries."""
        ...


class KeyStore(Protocol):
    async def create_key(self, key: ApiKey) -> None:
        """Store a new key (its secret hashed, never in clear)."""
        ...

    async def list_keys(self) -> list[ApiKey]:
        """Every key, revoked ones included, oldest first."""
        ...

    async def revoke_key(self, key_id: str) -> bool:
        """Revoke a key; False when no active key has that id."""
        ...

    async def key_by_hash(self, secret_hash: str) -> ApiKey | None:
        """The active (unrevoked) key with this hash, read fresh from the store
        so that a running server sees new and revoked keys at once."""
        ...


class Store(TrackingWriter, TrackingReader, KeyStore, Protocol):
    """A whole backend: what ``store.factory.open_store`` returns."""

    async def open(self) -> None:
        """Connect and create the schema (tables, indexes) where missing; migrate a
        store of an earlier release in place; raise :class:`SchemaTooNew` for a
        store of a newer one."""
        ...

    async def ping(self) -> None:
        """Raise :class:`StoreUnavailable` unless the backend answers now."""
        ...

    async def size_bytes(self) -> int | None:
        """What the store takes on disk, every app together (SQLite: the database
        file and its write-ahead log; MongoDB: the database's storage and indexes),
        or ``None`` when the backend does not say."""
        ...

    async def close(self) -> None: ...
