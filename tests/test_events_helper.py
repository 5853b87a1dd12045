"""The shared event builders: events built with one offset tie in time."""

import itertools

import pytest

from tests import events


def test_events_with_one_offset_tie_while_the_clock_ticks(monkeypatch: pytest.MonkeyPatch) -> None:
    ticks = itertools.count(1_700_000_000_000)
    monkeypatch.setattr(events, "now_ms", lambda: next(ticks))
    first = events.receipt("delivered", "m1", "a", 5 * events.MINUTE)
    second = events.receipt("offline", "m1", "a", 5 * events.MINUTE)
    assert first["at"] == second["at"]
    events.anchor(None)  # without the test's anchor, the ticking clock shows through
    assert (
        events.receipt("delivered", "m1", "a", 0)["at"]
        != events.receipt("delivered", "m1", "a", 0)["at"]
    )
