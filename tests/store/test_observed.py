"""``store.observed``: every call forwarded and reported, attributes passed through."""

import pytest

from store.interface import Store, StoreUnavailable
from store.limits import now_ms
from store.observed import CountingStore, observed
from tests.store import wire
from tests.store.conftest import Stores


async def test_calls_are_forwarded_and_reported_with_their_duration(stores: Stores) -> None:
    store = await stores.open()
    seen: list[tuple[str, float]] = []
    watched = observed(store, lambda name, seconds: seen.append((name, seconds)))
    assert watched.retention_days == store.retention_days
    now = now_ms()
    result = await wire.ingest(watched, wire.events("connections", now), now)
    assert result.accepted > 0
    await watched.ping()
    assert [name for name, _ in seen] == ["write", "ping"]
    assert all(seconds >= 0 for _, seconds in seen)


async def test_a_failing_call_is_reported_and_raises(
    stores: Stores, monkeypatch: pytest.MonkeyPatch
) -> None:
    store: Store = await stores.open()

    async def down() -> None:
        raise StoreUnavailable("away")

    counting = CountingStore(store)
    monkeypatch.setattr(store, "ping", down)  # patched after wrapping: still seen
    with pytest.raises(StoreUnavailable):
        await counting.ping()
    assert counting.calls == {"ping": 1}
