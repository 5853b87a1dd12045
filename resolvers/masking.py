"""Errors never leak (SPEC §5): an unexpected exception anywhere in an operation —
a resolver, a loader, the store, an extension, validation — reaches the client as
``Internal server error`` with a request id, and the server log as the full stack.

What stays as it is: errors meant for the client (:class:`UserFacingError`, with
their code) and graphql-core's own errors about the document or the variables
(syntax, validation, coercion: they describe what the client sent). Anything
caused by another exception is internal.
"""

import logging
import uuid
from collections.abc import Sequence

from graphql import GraphQLError

from resolvers.errors import UserFacingError

log = logging.getLogger("polaris.tracking.graphql")

INTERNAL_MESSAGE = "Internal server error"
INTERNAL_CODE = "INTERNAL_SERVER_ERROR"


def new_request_id() -> str:
    return uuid.uuid4().hex


def is_internal(error: GraphQLError) -> bool:
    if isinstance(error, UserFacingError):
        return False
    original = error.original_error
    return original is not None and not isinstance(original, GraphQLError)


def mask_errors(errors: Sequence[GraphQLError], request_id: str) -> list[GraphQLError]:
    """``errors`` with every internal one logged and replaced by a generic error."""
    masked = []
    for error in errors:
        if not is_internal(error):
            masked.append(error)
            continue
        original = error.original_error
        assert original is not None
        log.error(
            "internal error in GraphQL request %s at %s",
            request_id,
            ".".join(map(str, error.path or ())) or "(operation)",
            exc_info=(type(original), original, original.__traceback__),
        )
        masked.append(
            GraphQLError(
                INTERNAL_MESSAGE,
                nodes=error.nodes,
                path=error.path,
                extensions={"code": INTERNAL_CODE, "requestId": request_id},
            )
        )
    return masked
