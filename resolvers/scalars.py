"""The ``DateTime`` scalar: ISO-8601 with offset and millisecond precision.

Values travel through the resolvers as epoch milliseconds (the store's unit);
inputs are parsed to ``datetime`` and may lack an offset, in which case the
field that reads them decides the zone (see ``resolvers.windows``).
"""

from datetime import UTC, datetime
from typing import NewType

import strawberry

from resolvers.errors import BadUserInput


def format_ms(value: int) -> str:
    return datetime.fromtimestamp(value / 1000, UTC).isoformat(timespec="milliseconds")


def _serialize(value: int | datetime) -> str:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="milliseconds")
    return format_ms(value)


def _parse(value: object) -> datetime:
    if not isinstance(value, str):
        raise BadUserInput("DateTime: expected an ISO-8601 string")
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise BadUserInput(f"DateTime: '{value}' is not an ISO-8601 date-time") from None


DateTime = NewType("DateTime", object)
"""Epoch ms on output, ``datetime`` on input; mapped to the scalar in the schema config."""

DATETIME_SCALAR = strawberry.scalar(
    name="DateTime",
    description="ISO-8601 date-time with offset, millisecond precision.",
    serialize=_serialize,
    parse_value=_parse,
)
