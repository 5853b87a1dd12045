"""Arguments shared by the list fields: page sizes and time windows."""

from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from resolvers.errors import BadUserInput, OutOfRetention
from resolvers.limits import MAX_FIRST
from resolvers.scalars import format_ms
from store.limits import HORIZON_GRACE_MS, horizon_ms


def check_first(first: int | None, default: int) -> int:
    """The page size asked for; ``null`` means the field's default."""
    if first is None:
        return default
    if not 0 <= first <= MAX_FIRST:
        raise BadUserInput(f"first: must be between 0 and {MAX_FIRST}, got {first}")
    return first


def time_zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise BadUserInput(f"timeZone: '{name}' is not a known IANA time zone") from None


def as_datetime(value: object) -> datetime | None:
    """A ``DateTime`` argument as the scalar parsed it (its annotation is the
    scalar's ``NewType``, so the checker needs this narrowing)."""
    assert value is None or isinstance(value, datetime)
    return value


def to_ms(value: datetime, zone: tzinfo = UTC) -> int:
    """Epoch ms of ``value``; a value without offset is read in ``zone``."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    return int(value.timestamp() * 1000)


def start_of_day_ms(now: int, zone: tzinfo) -> int:
    local = datetime.fromtimestamp(now / 1000, zone)
    return to_ms(local.replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=None), zone)


def window(
    since: datetime | None,
    until: datetime | None,
    *,
    now: int,
    retention_days: int,
    default_since: int | None = None,
    zone: tzinfo = UTC,
) -> tuple[int, int]:
    """The ``[since, until)`` window in epoch ms, checked against retention.

    A ``since`` less than an hour before the retention horizon is read as the
    horizon; earlier is OUT_OF_RETENTION. Defaults: ``since`` the horizon
    (or ``default_since``), ``until`` now.
    """
    horizon = horizon_ms(retention_days, now)
    start = to_ms(since, zone) if since is not None else (default_since or horizon)
    end = to_ms(until, zone) if until is not None else now
    if start > end:
        raise BadUserInput(f"since: {format_ms(start)} is after until {format_ms(end)}")
    if start < horizon - HORIZON_GRACE_MS:
        raise OutOfRetention(
            f"since: {format_ms(start)} is before the retention horizon {format_ms(horizon)} "
            f"(data is kept {retention_days} days)"
        )
    return max(start, horizon), end
