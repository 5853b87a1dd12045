"""Errors a client can act on, each with its ``extensions.code`` (SPEC §5)."""

from graphql import GraphQLError


class UserFacingError(GraphQLError):
    """An error whose message is meant for the client; never masked."""

    code = "INTERNAL_SERVER_ERROR"

    def __init__(self, message: str) -> None:
        super().__init__(message, extensions={"code": self.code})


class BadUserInput(UserFacingError):
    code = "BAD_USER_INPUT"


class OutOfRetention(UserFacingError):
    code = "OUT_OF_RETENTION"


class QueryTooComplex(UserFacingError):
    code = "QUERY_TOO_COMPLEX"


class RateLimited(UserFacingError):
    code = "RATE_LIMITED"


class BadRequest(UserFacingError):
    """A request the service cannot run as sent: not a JSON object, a non-string
    ``operationName``, an unknown operation, several operations and no name."""

    code = "BAD_REQUEST"
