"""The assembled schema; ``schema.graphql`` is exported from it."""

import strawberry
from strawberry.extensions import MaskErrors
from strawberry.schema.config import StrawberryConfig

from resolvers.connection_log import ConnectionLogType
from resolvers.errors import UserFacingError
from resolvers.query import Query
from resolvers.scalars import DATETIME_SCALAR, DateTime
from resolvers.sent_message import SentMessageType


def _should_mask(error: Exception) -> bool:
    original = getattr(error, "original_error", None)
    return original is not None and not isinstance(original, UserFacingError)


schema = strawberry.Schema(
    query=Query,
    types=[ConnectionLogType, SentMessageType],
    extensions=[lambda: MaskErrors(should_mask_error=_should_mask)],
    config=StrawberryConfig(scalar_map={DateTime: DATETIME_SCALAR}),
)
