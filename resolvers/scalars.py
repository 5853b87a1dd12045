"""The ``DateTime`` scalar: ISO-8601 with offset and millisecond precision.

Values travel through the resolvers as epoch milliseconds (the store's unit);
inputs are parsed to ``datetime`` and may lack an offset, in which case the
field that reads them decides the zone (see ``resolvers.windows``).
"""

from datetime import UTC, datetime
from typing import NewType

import strawberry

from resolvers.errors import BadUserInput

_MINUTE_MS = 60_000
_MINUTES: dict[int, str] = {}
"""``YYYY-MM-DDTHH:MM:`` by minute since the epoch (a week is about 10,000 of them)."""
_MINUTES_KEPT = 100_000
_IN_MINUTE: list[str] = []
"""``SS.mmm+00:00`` for every millisecond of a minute (60,000 strings, ~4 MiB), made
at the first use."""


def format_ms(value: int) -> str:
    """``2026-11-27T12:41:56.338+00:00``: the minute from a cache, the rest from a
    table (a console page writes a thousand times, an export millions)."""
    minute = value // _MINUTE_MS
    head = _MINUTES.get(minute) or _minute(minute)
    return head + _IN_MINUTE[value - minute * _MINUTE_MS]


def _minute(minute: int) -> str:
    if not _IN_MINUTE:  # made whole, then published at once: the export's threads use it too
        _IN_MINUTE[:] = [f"{s:02d}.{ms:03d}+00:00" for s in range(60) for ms in range(1000)]
    if len(_MINUTES) >= _MINUTES_KEPT:
        _MINUTES.clear()
    head = datetime.fromtimestamp(minute * 60, UTC).strftime("%Y-%m-%dT%H:%M:")
    _MINUTES[minute] = head
    return head


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
    description="A date and time as an RFC 3339 (ISO-8601) string with offset and millisecond "
    "precision, e.g. 2026-11-27T12:41:56.338+00:00; output is always in UTC. Inputs may omit "
    "the offset: the argument's description says which zone it is then read in.",
    specified_by_url="https://datatracker.ietf.org/doc/html/rfc3339#section-5.6",
    serialize=_serialize,
    parse_value=_parse,
)
