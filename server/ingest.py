"""``POST /v1/events``: read a batch of wire events, validate, store, report (SPEC §4)."""

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from server import wire
from server.auth import ALL_APPS, AuthError, authenticate
from server.config import DEFAULT_BODY_TIMEOUT_S
from server.errors import HttpError, retry_after, store_unavailable
from server.events import EventError, parse_event
from server.ratelimit import Quota
from store.interface import StoreUnavailable, TrackingWriter
from store.limits import now_ms
from store.model import KeyRole
from store.records import ApiKey, Event

MAX_EVENTS = 10_000
MAX_BYTES = 10 * 1024 * 1024
NDJSON_TYPES = frozenset(
    {"application/x-ndjson", "application/ndjson", "application/jsonl", "application/x-jsonlines"}
)


class BodyError(HttpError):
    """A request body that cannot be taken at all (400, 413 or 415)."""


@dataclass(slots=True)
class IngestResult:
    accepted: int = 0
    duplicates: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"accepted": self.accepted, "duplicates": self.duplicates, "rejected": self.rejected}


class _Unreadable:
    """An NDJSON line that is not JSON: reported as a rejected event."""

    __slots__ = ()


_UNREADABLE = _Unreadable()


def validate(
    raws: Iterable[object], *, now: int, retention_days: int, app_scope: str | None = None
) -> tuple[list[Event], list[dict[str, Any]]]:
    """The valid events of a batch and the rejections (index, eventId, error) of the others."""
    events: list[Event] = []
    rejected: list[dict[str, Any]] = []
    append = events.append
    for index, raw in enumerate(raws):
        try:
            append(parse_event(raw, now=now, retention_days=retention_days, app_scope=app_scope))
        except EventError as e:
            error = "event: not valid JSON" if raw is _UNREADABLE else str(e)
            event_id = raw.get("eventId") if type(raw) is dict else None
            rejected.append(
                {
                    "index": index,
                    "eventId": event_id if type(event_id) is str else None,
                    "error": error,
                }
            )
    return events, rejected


async def ingest_batch(
    store: TrackingWriter,
    raws: Iterable[object],
    *,
    now: int,
    retention_days: int,
    app_scope: str | None = None,
) -> IngestResult:
    """Validate a batch and store its valid events; returns once they are durable."""
    events, rejected = validate(raws, now=now, retention_days=retention_days, app_scope=app_scope)
    return await _store(store, events, rejected)


async def ingest_body(
    store: TrackingWriter,
    body: bytes,
    content_type: str | None,
    *,
    now: int,
    retention_days: int,
    app_scope: str | None = None,
) -> IngestResult:
    """Read, validate and store a request body's events (see :func:`read_events`)."""
    events, rejected = read_events(
        body, content_type, now=now, retention_days=retention_days, app_scope=app_scope
    )
    return await _store(store, events, rejected)


async def _store(
    store: TrackingWriter, events: list[Event], rejected: list[dict[str, Any]]
) -> IngestResult:
    if not events:
        return IngestResult(rejected=rejected)
    written = await store.write(events)
    return IngestResult(written.accepted, written.duplicates, rejected)


def read_events(
    body: bytes,
    content_type: str | None,
    *,
    now: int,
    retention_days: int,
    app_scope: str | None = None,
) -> tuple[list[Event], list[dict[str, Any]]]:
    """The valid events of a body and the rejections of the others.

    The typed decoder (``server.wire``) takes a batch whose every event is
    valid, the usual case, in one pass in C; any other batch goes through
    :func:`decode_events` and :func:`validate`, which name each rejected
    event's field and reason. Raises :class:`BodyError` for a body that
    cannot be taken at all."""
    decoded: list[wire.WireEvent] | None
    if _is_array(body, content_type):
        decoded = wire.decode_array(body)
        if decoded is not None and len(decoded) > MAX_EVENTS:
            decoded = None
    else:
        lines = _lines(body)
        decoded = wire.decode_lines(lines) if len(lines) <= MAX_EVENTS else None
    if decoded is not None:
        events = wire.accept_all(
            decoded, now=now, retention_days=retention_days, app_scope=app_scope
        )
        if events is not None:
            return events, []
    raws = decode_events(body, content_type)
    return validate(raws, now=now, retention_days=retention_days, app_scope=app_scope)


async def read_body(
    request: Request, limit: int = MAX_BYTES, timeout_s: float = DEFAULT_BODY_TIMEOUT_S
) -> bytes:
    """The whole body, refused with 413 as soon as it grows past ``limit`` bytes, and
    with 408 when it has not arrived within ``timeout_s`` (a stalled upload must not
    hold a connection for ever)."""
    try:
        async with asyncio.timeout(timeout_s):
            return await _read_body(request, limit)
    except TimeoutError:
        message = f"the request body did not arrive within {timeout_s:g} s"
        raise BodyError(408, "REQUEST_TIMEOUT", message) from None


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _too_large_bytes(limit)
    encoding = request.headers.get("content-encoding", "identity").lower()
    if encoding != "identity":
        raise BodyError(
            415, "UNSUPPORTED_ENCODING", f"Content-Encoding {encoding} is not supported"
        )
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large_bytes(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large_bytes(limit: int) -> BodyError:
    return BodyError(413, "PAYLOAD_TOO_LARGE", f"a request may carry at most {limit} bytes")


def _too_many(count: int) -> BodyError:
    message = f"a request may carry at most {MAX_EVENTS} events, this one has {count}"
    return BodyError(413, "PAYLOAD_TOO_LARGE", message)


def decode_events(body: bytes, content_type: str | None) -> list[object]:
    """The raw events of a body: a JSON array, or NDJSON (one event a line).

    ``application/json`` must be an array; NDJSON types are read line by line
    (a line that is not JSON becomes a rejected event, not a failed request);
    any other or no type is read as an array when the body starts with ``[``.
    """
    if _is_array(body, content_type):
        try:
            decoded = orjson.loads(body)
        except orjson.JSONDecodeError as e:
            raise BodyError(400, "UNREADABLE_BODY", f"body is not valid JSON: {e}") from None
        if type(decoded) is not list:
            raise BodyError(400, "UNREADABLE_BODY", "a JSON body must be an array of events")
        if len(decoded) > MAX_EVENTS:
            raise _too_many(len(decoded))
        return decoded
    lines = _lines(body)
    if len(lines) > MAX_EVENTS:
        raise _too_many(len(lines))
    raws: list[object] = []
    loads = orjson.loads
    for line in lines:
        try:
            raws.append(loads(line))
        except orjson.JSONDecodeError:
            raws.append(_UNREADABLE)
    return raws


def _is_array(body: bytes, content_type: str | None) -> bool:
    media = (content_type or "").split(";", 1)[0].strip().lower()
    return media == "application/json" or (media not in NDJSON_TYPES and body.lstrip()[:1] == b"[")


def _lines(body: bytes) -> list[bytes]:
    return [line for line in body.split(b"\n") if line.strip()]


def json_response(content: object, status: int = 200) -> Response:
    return Response(orjson.dumps(content), status_code=status, media_type="application/json")


async def ingest_endpoint(request: Request) -> Response:
    state = request.app.state
    try:
        key = await authenticate(state.store, request, KeyRole.INGEST, state.auth_throttle)
    except AuthError as e:
        return e.response()
    quota = state.rate_limiter.take(key.key_id)
    response = await _ingest(request, key, quota)
    if quota is not None:  # every authenticated answer tells the key's bucket
        response.headers.update(quota.headers())
    return response


async def _ingest(request: Request, key: ApiKey, quota: Quota | None) -> Response:
    state = request.app.state
    if quota is not None and quota.wait_s:
        message = "too many requests for this key; retry later"
        return HttpError(429, "RATE_LIMITED", message, headers=retry_after(quota.wait_s)).response()
    try:
        body = await read_body(request, timeout_s=state.settings.body_timeout_s)
    except BodyError as e:
        return e.response()
    try:
        result = await ingest_body(
            state.store,
            body,
            request.headers.get("content-type"),
            now=now_ms(),
            retention_days=state.store.retention_days,
            app_scope=None if key.app == ALL_APPS else key.app,
        )
    except BodyError as e:
        return e.response()
    except StoreUnavailable:
        return store_unavailable("retry the batch").response()
    state.metrics.count_ingest(result.accepted, result.duplicates, len(result.rejected))
    return json_response(result.to_json())
