"""Fixture events in the wire format (SPEC §4), with times relative to now.

A time is written ``"now"`` or as signed offsets from now, e.g. ``"-2h"``,
``"-3d+5m"``, ``"-1h+30s+1ms"`` (units d, h, m, s, ms). Events enter the store
through the ingest parser, as users' events do.
"""

import copy
import json
import re
from pathlib import Path
from typing import Any

from server.events import parse_event
from store.interface import Store
from store.limits import DAY_MS
from store.records import Event, WriteResult

FIXTURES = Path(__file__).parent / "fixtures"
_UNIT_MS = {"d": DAY_MS, "h": 3_600_000, "m": 60_000, "s": 1_000, "ms": 1}
_TERM = re.compile(r"([+-])(\d+)(ms|d|h|m|s)")


def at(expr: str, now: int) -> int:
    """Epoch ms of a relative time expression."""
    if expr == "now":
        return now
    terms = _TERM.findall(expr)
    if not terms or "".join("".join(t) for t in terms) != expr:
        raise ValueError(f"bad relative time {expr!r}")
    return now + sum(
        (1 if sign == "+" else -1) * int(n) * _UNIT_MS[unit] for sign, n, unit in terms
    )


def load(name: str) -> Any:
    return json.loads((FIXTURES / f"{name}.json").read_text())


def events(name: str, now: int, app: str | None = None) -> list[dict[str, Any]]:
    """The wire events of fixture ``name``, times resolved, optionally moved to ``app``."""
    return events_of(load(name), now, app)


def events_of(
    written: list[dict[str, Any]], now: int, app: str | None = None
) -> list[dict[str, Any]]:
    """Wire events written with relative times, resolved (a copy), optionally moved
    to ``app``."""
    raw = copy.deepcopy(written)
    for event in raw:
        event["at"] = at(event["at"], now)
        if app is not None:
            event["appKey"] = app
    return raw


def parse(raw: list[dict[str, Any]], now: int, retention_days: int = 7) -> list[Event]:
    return [parse_event(e, now=now, retention_days=retention_days) for e in raw]


async def ingest(store: Store, raw: list[dict[str, Any]], now: int) -> WriteResult:
    """Parse wire events like the ingest endpoint and write them as one batch."""
    return await store.write(parse(raw, now, store.retention_days))
