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


_MAX_ZONE_NAME = 64
"""No IANA name is longer; a longer one is refused before any file lookup."""
_MIN_MS = -62_135_596_800_000
"""0001-01-01T00:00:00Z: the first instant a DateTime can show."""
_MAX_MS = 253_402_300_799_999
"""9999-12-31T23:59:59.999Z: the last instant a DateTime can show."""


def time_zone(name: str) -> tzinfo:
    """The zone named ``name``; an empty, unknown or malformed name (a folder of the
    zone database such as ``America`` included) is BAD_USER_INPUT."""
    shown = name if len(name) <= _MAX_ZONE_NAME else name[:_MAX_ZONE_NAME] + "…"
    if not name or len(name) > _MAX_ZONE_NAME:
        raise BadUserInput(f"timeZone: '{shown}' is not a known IANA time zone")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise BadUserInput(f"timeZone: '{shown}' is not a known IANA time zone") from None


def as_datetime(value: object) -> datetime | None:
    """A ``DateTime`` argument as the scalar parsed it (its annotation is the
    scalar's ``NewType``, so the checker needs this narrowing)."""
    assert value is None or isinstance(value, datetime)
    return value


def to_ms(value: datetime, zone: tzinfo = UTC, *, field: str = "DateTime") -> int:
    """Epoch ms of ``value``; a value without offset is read in ``zone``. An instant
    outside years 1 to 9999 in UTC (``0001-01-01T00:00+14:00``) is BAD_USER_INPUT."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    try:
        ms = int(value.timestamp() * 1000)
    except (OverflowError, ValueError):
        ms = _MIN_MS - 1
    if not _MIN_MS <= ms <= _MAX_MS:
        raise BadUserInput(f"{field}: {value.isoformat()} is outside years 1 to 9999 in UTC")
    return ms


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
    start = to_ms(since, zone, field="since") if since is not None else (default_since or horizon)
    end = to_ms(until, zone, field="until") if until is not None else now
    if start > end:
        raise BadUserInput(f"since: {format_ms(start)} is after until {format_ms(end)}")
    if start < horizon - HORIZON_GRACE_MS:
        raise OutOfRetention(
            f"since: {format_ms(start)} is before the retention horizon {format_ms(horizon)} "
            f"(data is kept {retention_days} days)"
        )
    return max(start, horizon), end
