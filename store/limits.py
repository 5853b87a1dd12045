"""Time rules of the domain: retention, settling, clock skew."""

import time

DEFAULT_RETENTION_DAYS = 7
DAY_MS = 86_400_000
HOUR_MS = 3_600_000
SETTLE_MS = 5 * 60_000
"""A message's status is settled this long after it was sent."""
MAX_FUTURE_MS = 5 * 60_000
"""Events stamped further than this in the future are rejected."""
HORIZON_GRACE_MS = HOUR_MS
"""A window starting less than this before the horizon is read as the horizon."""
INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
"""The range of an integer both backends store (SQLite INTEGER, BSON int64)."""


def fits_int64(value: int) -> bool:
    return INT64_MIN <= value <= INT64_MAX


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def horizon_ms(retention_days: int, now: int | None = None) -> int:
    """The oldest instant whose data is still visible."""
    return (now_ms() if now is None else now) - retention_days * DAY_MS
