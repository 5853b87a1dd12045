"""The one HTTP error of every route, and the one way it is answered.

Every error the service answers outside a GraphQL execution (a bad key, a rate
limit, an unreadable body, a store outage, a defect) is an :class:`HttpError`.
Its JSON carries the error twice, so that both kinds of client read it: as
``{"error": {"code", "message"}}`` for REST clients of ``/v1/events``, and as a
GraphQL ``errors`` array with ``extensions.code`` for GraphQL clients. On
``/graphql`` the body is a GraphQL response (``data`` null and ``errors``), as
Strawberry answers a document that does not validate.
"""

from collections.abc import Mapping
from typing import Any

import orjson
from starlette.responses import Response

from server.ratelimit import retry_after_header

STORE_RETRY_AFTER_S = 5
"""What a client of an unreachable store is told to wait before retrying."""

GRAPHQL_RESPONSE_TYPE = "application/graphql-response+json"


class HttpError(Exception):
    """An error answered as ``status`` with ``code`` and ``message`` (plus ``extra``
    keys in the error, e.g. ``requestId``, and ``headers`` such as ``Retry-After``)."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        headers: Mapping[str, str] | None = None,
        extra: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = dict(headers or {})
        self.extra = dict(extra or {})

    def body(
        self, *, graphql: bool = False, extensions: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """The JSON of the error; ``extensions``: the GraphQL response's own (say, its cost)."""
        errors = [{"message": self.message, "extensions": {"code": self.code, **self.extra}}]
        if graphql:
            found: dict[str, Any] = {"data": None, "errors": errors}
            if extensions:
                found["extensions"] = dict(extensions)
            return found
        error = {"code": self.code, "message": self.message, **self.extra}
        return {"error": error, "errors": errors}

    def response(
        self, *, graphql: bool = False, extensions: Mapping[str, Any] | None = None
    ) -> Response:
        """The error as a response; ``graphql`` for the ``/graphql`` route."""
        return Response(
            orjson.dumps(self.body(graphql=graphql, extensions=extensions)),
            status_code=self.status,
            headers=self.headers,
            media_type="application/json",
        )


def retry_after(wait_s: float) -> dict[str, str]:
    """The ``Retry-After`` header of a wait."""
    return {"Retry-After": retry_after_header(wait_s)}


def store_unavailable(what: str = "retry") -> HttpError:
    """503 while the store cannot be reached; the server recovers by itself."""
    return HttpError(
        503,
        "STORE_UNAVAILABLE",
        f"the store is unavailable; {what}",
        headers=retry_after(STORE_RETRY_AFTER_S),
    )
