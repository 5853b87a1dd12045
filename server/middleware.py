"""HTTP hygiene shared by every route: a request id on each request and response,
a 503 while the store cannot be reached, and a generic JSON answer (with the
request id) for any unexpected failure."""

import logging
import re

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from resolvers.masking import INTERNAL_CODE, INTERNAL_MESSAGE, new_request_id
from server.errors import HttpError
from server.errors import store_unavailable as unavailable
from store.interface import StoreUnavailable

log = logging.getLogger("polaris.tracking")

REQUEST_ID_HEADER = "X-Request-Id"
_SAFE_ID = re.compile(r"^[A-Za-z0-9._\-]{1,64}$")


class RequestIdMiddleware:
    """Gives each request an id (the caller's ``X-Request-Id`` when it is a short token,
    else a new one), kept in ``request.state.request_id`` and echoed on the response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = Request(scope).headers.get(REQUEST_ID_HEADER, "")
        request_id = given if _SAFE_ID.match(given) else new_request_id()
        scope.setdefault("state", {})["request_id"] = request_id

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        await self.app(scope, receive, send_with_id)


def request_id_of(request: Request) -> str:
    return getattr(request.state, "request_id", None) or new_request_id()


async def internal_error(request: Request, exc: Exception) -> Response:
    """Starlette's handler for an unhandled exception: log the stack, answer generic JSON."""
    request_id = request_id_of(request)
    log.error(
        "internal error in %s %s (request %s)",
        request.method,
        request.url.path,
        request_id,
        exc_info=exc,
    )
    error = HttpError(
        500,
        INTERNAL_CODE,
        INTERNAL_MESSAGE,
        headers={REQUEST_ID_HEADER: request_id},
        extra={"requestId": request_id},
    )
    return error.response()


async def store_unavailable(request: Request, exc: Exception) -> Response:
    """Starlette's handler for a store that cannot be reached (say, MongoDB down while
    a key is looked up): 503 with ``Retry-After``; the server recovers by itself."""
    assert isinstance(exc, StoreUnavailable)
    log.warning("store unavailable in %s %s: %s", request.method, request.url.path, exc)
    return unavailable().response()
