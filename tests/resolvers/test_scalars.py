"""``DateTime`` values: epoch ms written as ISO-8601 with milliseconds and offset."""

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from resolvers.scalars import format_ms


@given(st.integers(min_value=0, max_value=253_402_300_799_999))
def test_format_ms_writes_what_datetime_would(ms: int) -> None:
    expected = datetime.fromtimestamp(ms // 1000, UTC).isoformat()
    expected = expected.replace("+00:00", f".{ms % 1000:03d}+00:00")
    assert format_ms(ms) == expected


def test_neighbouring_minutes_and_milliseconds() -> None:
    assert format_ms(0) == "1970-01-01T00:00:00.000+00:00"
    assert format_ms(59_999) == "1970-01-01T00:00:59.999+00:00"
    assert format_ms(60_000) == "1970-01-01T00:01:00.000+00:00"
    assert format_ms(1_796_307_054_030) == "2026-12-03T14:10:54.030+00:00"


def test_threads_formatting_at_first_use_all_get_a_whole_table() -> None:
    """The export formats on worker threads while the event loop formats too: the
    table made at first use must never be seen half made."""
    import sys
    import threading

    from resolvers import scalars

    errors: list[BaseException] = []

    def format_many() -> None:
        try:
            for ms in range(0, 3_000_000, 997):
                scalars.format_ms(1_796_307_054_030 + ms)
        except BaseException as e:  # an IndexError from a half-made table
            errors.append(e)

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        for _ in range(10):
            scalars._IN_MINUTE.clear()
            scalars._MINUTES.clear()
            threads = [threading.Thread(target=format_many) for _ in range(4)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert errors == []
