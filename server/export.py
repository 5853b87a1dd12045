"""``GET /v1/export/sent-messages`` and ``GET /v1/export/connections`` (SPEC §10):
every record of a window, streamed as it is read.

Sent messages come from the store's export read (``Store.export_messages``:
:data:`MESSAGE_PAGE` messages a chunk with all their receipts, history and push
attempts, a keyset cursor from one chunk to the next); each chunk is turned into
bytes on a worker thread (``server.export_rows``), so the event loop stays free,
while the store reads the next one; it is sent before the chunk after that is
read. Memory is bounded by two chunks (and, for a message, by its recipients),
never by the window. Connections are read in keyset pages of
:data:`CONNECTION_PAGE`. A read key sees its own app only. Parameters are checked,
and the store read once, before the first byte is sent (a store that cannot be
reached is then a 503 with ``Retry-After``); a store failure later ends the stream
early (the response is incomplete, and a client sees the chunked transfer cut short).
"""

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from server.auth import AuthError, authenticate
from server.errors import HttpError, retry_after, store_unavailable
from server.export_params import (
    CSV,
    Clock,
    ExportParamError,
    connection_query,
    export_format,
    message_query,
)
from server.export_rows import (
    CONNECTION_CSV_HEADER,
    MESSAGE_CSV_HEADER,
    connection_object,
    connection_row,
    csv_lines,
    message_csv,
    message_ndjson,
)
from store.interface import Store, StoreUnavailable
from store.limits import now_ms
from store.model import KeyRole
from store.records import ConnectionQuery, ExportPage, MessageQuery, PageRequest

log = logging.getLogger("polaris.tracking")

MESSAGE_PAGE = 1000
"""Messages a chunk of the sent-messages export (with every receipt of theirs)."""
CONNECTION_PAGE = 1000
MEDIA_TYPES = {CSV: "text/csv; charset=utf-8", "ndjson": "application/x-ndjson"}


async def message_chunks(
    store: Store, app: str, query: MessageQuery, history: bool = True
) -> AsyncIterator[ExportPage]:
    """Every message of ``query``, :data:`MESSAGE_PAGE` at a time with all its receipts,
    the next chunk read while this one is handled (at most one read ahead)."""

    def read(after: str | None) -> "asyncio.Task[ExportPage]":
        chunk: Awaitable[ExportPage] = store.export_messages(
            app, query, MESSAGE_PAGE, after, history=history
        )
        return asyncio.ensure_future(chunk)

    pending: asyncio.Task[ExportPage] | None = read(None)
    try:
        while pending is not None:
            page = await pending
            pending = None if page.after is None else read(page.after)
            yield page
    finally:
        if pending is not None:  # the client went away: nothing waits for the read ahead
            pending.cancel()


async def connection_pages(
    store: Store, app: str, query: ConnectionQuery
) -> AsyncIterator[list[Any]]:
    after: str | None = None
    while True:
        [page] = await store.connection_pages(app, [PageRequest(query, CONNECTION_PAGE, after)])
        yield [e.node for e in page.edges]
        if not page.has_next_page or not page.edges:
            return
        after = page.edges[-1].cursor


async def _message_body(
    store: Store, app: str, query: MessageQuery, fmt: str, now: int
) -> AsyncIterator[bytes]:
    render = message_csv if fmt == CSV else message_ndjson
    async for page in message_chunks(store, app, query, history=fmt != CSV):
        if page.messages:
            yield await asyncio.to_thread(render, page.messages, now)


async def _connection_body(
    store: Store, app: str, query: ConnectionQuery, fmt: str
) -> AsyncIterator[bytes]:
    async for logs in connection_pages(store, app, query):
        if fmt == CSV:
            yield csv_lines(connection_row(c) for c in logs).encode()
        elif logs:
            yield b"".join(orjson.dumps(connection_object(c)) + b"\n" for c in logs)


async def _streamed(head: list[bytes], rest: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    """The body once it has started: a store failure now can only cut it short (the
    status is sent), and is logged."""
    for chunk in head:
        yield chunk
    try:
        async for chunk in rest:
            yield chunk
    except Exception:
        log.exception("export stopped: the store failed while streaming")
        raise


async def _export(request: Request, kind: str) -> Response:
    state = request.app.state
    try:
        key = await authenticate(state.store, request, KeyRole.READ, state.auth_throttle)
    except AuthError as e:
        return e.response()
    quota = state.rate_limiter.take(key.key_id)
    if quota is not None and quota.wait_s:
        message = "too many requests for this key; retry later"
        error = HttpError(429, "RATE_LIMITED", message, headers=retry_after(quota.wait_s))
        response = error.response()
    else:
        response = await _start(request, kind, key.app)
    if quota is not None:  # every authenticated answer tells the key's bucket
        response.headers.update(quota.headers())
    return response


async def _start(request: Request, kind: str, app: str) -> Response:
    state = request.app.state
    clock = Clock(now=now_ms(), retention_days=state.store.retention_days)
    try:
        fmt = export_format(request.query_params, request.headers)
        if kind == "sent-messages":
            query = message_query(request.query_params, clock)
            body = _message_body(state.store, app, query, fmt, clock.now)
        else:
            body = _connection_body(
                state.store, app, connection_query(request.query_params, clock), fmt
            )
    except ExportParamError as e:
        extra = {"parameter": e.param} if e.param is not None else None
        return HttpError(400, "BAD_USER_INPUT", e.message, extra=extra).response()
    header = MESSAGE_CSV_HEADER if kind == "sent-messages" else CONNECTION_CSV_HEADER
    head = [csv_lines([header]).encode()] if fmt == CSV else []
    try:  # the first read before the response starts: an unreachable store is a 503
        first = await anext(body, None)
    except StoreUnavailable:
        return store_unavailable("retry the export").response()
    if first is not None:
        head.append(first)
    filename = f"{kind}.{'csv' if fmt == CSV else 'ndjson'}"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    return StreamingResponse(_streamed(head, body), media_type=MEDIA_TYPES[fmt], headers=headers)


async def export_sent_messages(request: Request) -> Response:
    return await _export(request, "sent-messages")


async def export_connections(request: Request) -> Response:
    return await _export(request, "connections")
