"""``GET /metrics`` (SPEC §10): the service's series in Prometheus' text format.

* ``tracking_http_requests_total{route, method, status, operation}`` and
  ``tracking_http_request_duration_seconds{route, operation}``: every request,
  labelled by the route's template (never the raw path: a scan of random paths
  is one ``unmatched`` series) and, on ``/graphql``, the operation's name;
* ``tracking_ingest_events_total{result}``: events accepted, duplicate, rejected;
* ``tracking_store_call_duration_seconds{call}``: every call into the store;
* ``tracking_store_size_bytes``: the store's size on disk, read at each scrape.

Label values are bounded: routes and calls are the code's own, statuses are
HTTP's, methods HTTP's seven (any other token is ``other``), and operation names
are a client's choice, so only the first :data:`MAX_OPERATION_NAMES` distinct
well-formed names a process sees get their own series (the rest count as
``other``); user ids and keys are never labels.

With several worker processes (uvicorn ``--workers`` / ``WEB_CONCURRENCY``) set
``PROMETHEUS_MULTIPROC_DIR`` to an empty directory before the server starts:
each process then writes its counters there and a scrape, whichever process
serves it, sums them all (``prometheus_client``'s multiprocess mode).
"""

import hmac
import os
import re
import tempfile
import time
from pathlib import Path

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    ProcessCollector,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.auth import AuthError, FailedAuthThrottle, bearer_token, client_address
from server.errors import retry_after
from store.interface import Store
from store.observed import observed

MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"
MAX_OPERATION_NAMES = 100
NO_OPERATION = ""
"""The ``operation`` label of a request that is not a GraphQL operation."""
ANONYMOUS = "anonymous"
OTHER = "other"
UNMATCHED = "unmatched"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"})
"""Methods that are their own ``method`` label; any other token a client sends is ``other``."""
_OPERATION_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
_STORE_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5)


def prepare_metrics_dir() -> Path:
    """Before worker processes start (``serve --workers``): the multiprocess directory
    of :data:`MULTIPROCESS_ENV`, emptied of an earlier run's series (a new one in the
    temp folder when unset), exported for the workers."""
    given = os.environ.get(MULTIPROCESS_ENV)
    folder = Path(given) if given else Path(tempfile.mkdtemp(prefix="tracking-metrics-"))
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.db"):
        stale.unlink()
    os.environ[MULTIPROCESS_ENV] = str(folder)
    return folder


class OperationLabels:
    """The ``operation`` label of a GraphQL request: its name while fewer than
    ``limit`` distinct names have been seen, else :data:`OTHER`."""

    def __init__(self, limit: int = MAX_OPERATION_NAMES) -> None:
        self.limit = limit
        self._seen: set[str] = set()

    def label(self, name: str | None) -> str:
        if not name:
            return ANONYMOUS
        if name in self._seen:
            return name
        if not _OPERATION_NAME.fullmatch(name) or len(self._seen) >= self.limit:
            return OTHER
        self._seen.add(name)
        return name


class Metrics:
    """The series of one application. In multiprocess mode they live in the
    directory of :data:`MULTIPROCESS_ENV` (one set per process, summed at scrape);
    otherwise in a registry of their own, so that two apps in one process (tests)
    do not count each other's requests."""

    def __init__(self, token: str | None = None) -> None:
        self.token = token
        folder = os.environ.get(MULTIPROCESS_ENV)
        self.multiprocess = bool(folder)
        if folder:  # a worker may start before anyone made it
            Path(folder).mkdir(parents=True, exist_ok=True)
        self.registry = CollectorRegistry(auto_describe=True)
        owner = None if self.multiprocess else self.registry
        if not self.multiprocess:
            ProcessCollector(registry=self.registry)
        self.operations = OperationLabels()
        self.requests = Counter(
            "tracking_http_requests",
            "HTTP requests answered, by route template, method, status and GraphQL operation.",
            ["route", "method", "status", "operation"],
            registry=owner,
        )
        self.latency = Histogram(
            "tracking_http_request_duration_seconds",
            "Time from a request's arrival to the last byte of its answer.",
            ["route", "operation"],
            registry=owner,
        )
        self.ingest = Counter(
            "tracking_ingest_events",
            "Events posted to /v1/events: accepted (new), duplicate, or rejected.",
            ["result"],
            registry=owner,
        )
        self.store_calls = Histogram(
            "tracking_store_call_duration_seconds",
            "Time of each call into the store, by the interface's method name.",
            ["call"],
            buckets=_STORE_BUCKETS,
            registry=owner,
        )

    def count_ingest(self, accepted: int, duplicates: int, rejected: int) -> None:
        for result, count in (
            ("accepted", accepted),
            ("duplicate", duplicates),
            ("rejected", rejected),
        ):
            if count:
                self.ingest.labels(result).inc(count)

    def measure(self, store: Store) -> Store:
        """``store`` with the time of every call observed."""
        children: dict[str, Histogram] = {}

        def observe(call: str, seconds: float) -> None:
            child = children.get(call)
            if child is None:
                child = children[call] = self.store_calls.labels(call)
            child.observe(seconds)

        return observed(store, observe)

    def exposition(self, store_size: int | None) -> bytes:
        registry = self.registry
        if self.multiprocess:
            registry = CollectorRegistry()
            MultiProcessCollector(registry)  # type: ignore[no-untyped-call]  # unannotated upstream
        size = CollectorRegistry()
        if store_size is not None:
            gauge = Gauge(
                "tracking_store_size_bytes",
                "The store's size on disk (SQLite: database file and write-ahead log;"
                " MongoDB: storage and indexes), read at this scrape.",
                registry=size,
            )
            gauge.set(store_size)
        return generate_latest(registry) + generate_latest(size)


class MetricsMiddleware:
    """Counts and times every HTTP request. The route is read after routing (Starlette
    leaves the matched route in the scope); the GraphQL view leaves the operation's
    name in ``scope["state"]["operation"]``."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # an exception that escapes becomes the 500 of the error handler

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            metrics = self.metrics
            path = getattr(scope.get("route"), "path", None) or UNMATCHED
            state = scope.get("state", {})
            operation = NO_OPERATION
            if "operation" in state:
                operation = metrics.operations.label(state["operation"])
            method = scope["method"] if scope["method"] in METHODS else OTHER
            metrics.requests.labels(path, method, str(status), operation).inc()
            metrics.latency.labels(path, operation).observe(time.perf_counter() - started)


async def metrics_endpoint(request: Request) -> Response:
    """The exposition; with ``TRACKING_METRICS_TOKEN`` set, only for that bearer token."""
    state = request.app.state
    metrics: Metrics = state.metrics
    if metrics.token is not None:
        throttle: FailedAuthThrottle = state.auth_throttle
        address = client_address(request)
        if wait := throttle.wait(address):
            message = "too many failed authentications from this address; retry later"
            return AuthError(429, "RATE_LIMITED", message, retry_after(wait)).response()
        token = bearer_token(request) or ""
        if not hmac.compare_digest(token.encode(), metrics.token.encode()):
            throttle.failed(address)
            message = "send 'Authorization: Bearer <TRACKING_METRICS_TOKEN>'"
            return AuthError(401, "UNAUTHENTICATED", message).response()
    size = await state.store.size_bytes()
    return Response(metrics.exposition(size), media_type=CONTENT_TYPE_LATEST)
