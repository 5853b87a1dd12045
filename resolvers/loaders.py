"""Per-request dataloaders: each asks the store once per level of the graph.

Every loader's batch function is one store call for all the keys gathered in
that tick, so resolving 20 connections x 20 messages x 50 receipts costs the
same handful of calls whatever the page sizes.
"""

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from strawberry.dataloader import DataLoader

from store.interface import InvalidCursor, TrackingReader
from store.records import (
    ConnectionLog,
    ConnectionQuery,
    MessageQuery,
    Page,
    PageRequest,
    PushAttempt,
    Receipt,
    ReceiptCounts,
    ReceiptQuery,
    ReceiptScope,
    SentMessage,
)

K = TypeVar("K")
V = TypeVar("V")

ConnectionPageKey = PageRequest[ConnectionQuery]
MessagePageKey = PageRequest[MessageQuery]
ConnectionKey = tuple[str, str]
"""(user_id, connection key)."""
ReceiptPageKey = PageRequest[ReceiptQuery]
ReceiptRead = ReceiptPageKey | ReceiptScope
RecipientKey = tuple[str, str]
"""(msg_uid, recipient_id)."""
InstantKey = tuple[str, int]
"""(user_id, epoch ms): a user's connection timeline around an instant."""


def _loader(app: str, fetch: Callable[[str, Sequence[K]], Awaitable[list[V]]]) -> DataLoader[K, V]:
    async def load(keys: Sequence[K]) -> list[V]:
        return await fetch(app, keys)

    return DataLoader(load_fn=load)


def _page_loader(
    app: str, fetch: Callable[[str, Sequence[K]], Awaitable[list[V]]]
) -> DataLoader[K, V]:
    """Like :func:`_loader`, but a bad cursor fails only the page that carried it."""

    async def load(keys: Sequence[K]) -> list[V | BaseException]:
        try:
            return list(await fetch(app, keys))
        except InvalidCursor:
            if len(keys) == 1:
                raise
        results: list[V | BaseException] = []
        for key in keys:
            try:
                results.extend(await fetch(app, [key]))
            except InvalidCursor as error:
                results.append(error)
        return results

    return DataLoader(load_fn=load)


class ReceiptLoader:
    """Receipt pages and summaries asked for in one tick go to the store in one
    call (``receipt_reads``: one snapshot), so that the receipts, the summary and
    the totalCount of a response agree while data arrives."""

    def __init__(self, app: str, store: TrackingReader) -> None:
        self._app = app
        self._store = store
        self._loader: DataLoader[ReceiptRead, Page[Receipt] | ReceiptCounts] = DataLoader(
            load_fn=self._load
        )

    async def _load(self, keys: Sequence[ReceiptRead]) -> list[Page[Receipt] | ReceiptCounts]:
        pages = [k for k in keys if isinstance(k, PageRequest)]
        scopes = [k for k in keys if isinstance(k, ReceiptScope)]
        found_pages, found_counts = await self._store.receipt_reads(self._app, pages, scopes)
        next_page, next_counts = iter(found_pages), iter(found_counts)
        return [next(next_page) if isinstance(k, PageRequest) else next(next_counts) for k in keys]

    def page(self, request: ReceiptPageKey) -> "asyncio.Future[Page[Receipt]]":
        return self._loader.load(request)  # type: ignore[return-value]  # a page for a page

    def summary(self, scope: ReceiptScope) -> "asyncio.Future[ReceiptCounts]":
        return self._loader.load(scope)  # type: ignore[return-value]  # counts for a scope


@dataclass(slots=True)
class Loaders:
    connection_pages: DataLoader[ConnectionPageKey, Page[ConnectionLog]]
    connection_counts: DataLoader[ConnectionQuery, int]
    connections_by_key: DataLoader[ConnectionKey, ConnectionLog | None]
    message_pages: DataLoader[MessagePageKey, Page[SentMessage]]
    message_counts: DataLoader[MessageQuery, int]
    messages_by_key: DataLoader[str, SentMessage | None]
    receipts: "ReceiptLoader"
    receipt_counts: DataLoader[ReceiptQuery, int]
    recipient_push_attempts: DataLoader[RecipientKey, list[PushAttempt]]
    connections_at: DataLoader[InstantKey, ConnectionLog | None]
    next_connections: DataLoader[InstantKey, ConnectionLog | None]
    previous_connections: DataLoader[InstantKey, ConnectionLog | None]

    @classmethod
    def for_app(cls, store: TrackingReader, app: str) -> "Loaders":
        return cls(
            connection_pages=_page_loader(app, store.connection_pages),
            connection_counts=_loader(app, store.count_connections),
            connections_by_key=_loader(app, store.connections_by_key),
            message_pages=_page_loader(app, store.message_pages),
            message_counts=_loader(app, store.count_messages),
            messages_by_key=_loader(app, store.messages_by_key),
            receipts=ReceiptLoader(app, store),
            receipt_counts=_loader(app, store.count_receipts),
            recipient_push_attempts=_loader(app, store.recipient_push_attempts),
            connections_at=_loader(app, store.connections_at),
            next_connections=_loader(app, store.next_connections),
            previous_connections=_loader(app, store.previous_connections),
        )
