"""``GET /v1/export/sent-messages`` and ``GET /v1/export/connections`` (SPEC §10):
every record of a window, streamed as it is read.

The store is read in keyset pages (:data:`MESSAGE_PAGE` messages, their receipts
by :data:`RECEIPT_PAGE`, their push attempts in one call a page), each page
written out before the next is read: memory is bounded by a page (and, for a
message, by its recipients), never by the window. A read key sees its own app
only. Parameters are checked before the first byte is sent; a store failure
later ends the stream early (the response is then incomplete, and a client sees
the chunked transfer cut short).
"""

import logging
from collections.abc import AsyncIterator
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from server.auth import AuthError, authenticate
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
    ExportedMessage,
    connection_object,
    connection_row,
    csv_lines,
    message_object,
    message_rows,
)
from server.ratelimit import retry_after_header
from store.interface import Store
from store.limits import now_ms
from store.model import KeyRole
from store.receipts import receipt_scope
from store.records import ConnectionQuery, MessageQuery, PageRequest, ReceiptQuery

log = logging.getLogger("polaris.tracking")

MESSAGE_PAGE = 200
RECEIPT_PAGE = 1000
CONNECTION_PAGE = 1000
MEDIA_TYPES = {CSV: "text/csv; charset=utf-8", "ndjson": "application/x-ndjson"}


async def message_pages(
    store: Store, app: str, query: MessageQuery
) -> AsyncIterator[list[ExportedMessage]]:
    """Every message of ``query``, a page at a time, with all its receipts and pushes."""
    after: str | None = None
    while True:
        [page] = await store.message_pages(app, [PageRequest(query, MESSAGE_PAGE, after)])
        items = [ExportedMessage(e.node) for e in page.edges]
        await _add_receipts(store, app, items)
        yield items
        if not page.has_next_page or not page.edges:
            return
        after = page.edges[-1].cursor


async def _add_receipts(store: Store, app: str, items: list[ExportedMessage]) -> None:
    pending: list[tuple[ExportedMessage, PageRequest[ReceiptQuery]]] = []
    for item in items:
        scope = receipt_scope(item.message)
        if scope is not None:
            pending.append((item, PageRequest(ReceiptQuery(scope), RECEIPT_PAGE)))
    with_receipts = [item for item, _ in pending]
    while pending:  # every message's first page together, then the longer ones on
        pages = await store.receipt_pages(app, [request for _, request in pending])
        more = []
        for (item, request), page in zip(pending, pages, strict=True):
            item.receipts.extend(e.node for e in page.edges)
            if page.has_next_page and page.edges:
                next_request = PageRequest(request.query, RECEIPT_PAGE, page.edges[-1].cursor)
                more.append((item, next_request))
        pending = more
    uids = [item.message.msg_uid or "" for item in with_receipts]
    if uids:
        for item, attempts in zip(with_receipts, await store.push_attempts(app, uids), strict=True):
            for attempt in attempts:
                item.pushes.setdefault(attempt.recipient_id, []).append(attempt)


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
    if fmt == CSV:
        yield csv_lines([MESSAGE_CSV_HEADER]).encode()
    async for items in _guarded(message_pages(store, app, query)):
        if fmt == CSV:
            yield csv_lines(row for item in items for row in message_rows(item, now)).encode()
        elif items:
            yield b"".join(orjson.dumps(message_object(i, now)) + b"\n" for i in items)


async def _connection_body(
    store: Store, app: str, query: ConnectionQuery, fmt: str
) -> AsyncIterator[bytes]:
    if fmt == CSV:
        yield csv_lines([CONNECTION_CSV_HEADER]).encode()
    async for logs in _guarded(connection_pages(store, app, query)):
        if fmt == CSV:
            yield csv_lines(connection_row(c) for c in logs).encode()
        elif logs:
            yield b"".join(orjson.dumps(connection_object(c)) + b"\n" for c in logs)


async def _guarded(pages: AsyncIterator[Any]) -> AsyncIterator[Any]:
    """The pages, and a log line when reading stops half way (the status is sent)."""
    try:
        async for page in pages:
            yield page
    except Exception:
        log.exception("export stopped: the store failed while streaming")
        raise


def _error(status: int, code: str, message: str, param: str | None = None) -> Response:
    error: dict[str, Any] = {"code": code, "message": message}
    if param is not None:
        error["parameter"] = param
    return JSONResponse({"error": error}, status_code=status)


async def _export(request: Request, kind: str) -> Response:
    state = request.app.state
    try:
        key = await authenticate(state.store, request, KeyRole.READ)
    except AuthError as e:
        return e.response()
    quota = state.rate_limiter.take(key.key_id)
    if quota is not None and quota.wait_s:
        response = _error(429, "RATE_LIMITED", "too many requests for this key; retry later")
        response.headers["Retry-After"] = retry_after_header(quota.wait_s)
    else:
        response = _start(request, kind, key.app)
    if quota is not None:  # every authenticated answer tells the key's bucket
        response.headers.update(quota.headers())
    return response


def _start(request: Request, kind: str, app: str) -> Response:
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
        return _error(400, "BAD_USER_INPUT", e.message, e.param)
    filename = f"{kind}.{'csv' if fmt == CSV else 'ndjson'}"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    return StreamingResponse(body, media_type=MEDIA_TYPES[fmt], headers=headers)


async def export_sent_messages(request: Request) -> Response:
    return await _export(request, "sent-messages")


async def export_connections(request: Request) -> Response:
    return await _export(request, "connections")
