"""What write() acknowledged is there for a new store on the same data."""

from store.limits import now_ms
from tests.store import views, wire
from tests.store.conftest import Stores

FIXTURES = ("connections", "messages", "receipts")


async def test_reopen_sees_everything(stores: Stores) -> None:
    now = now_ms()
    first = await stores.open()
    for name in FIXTURES:
        await wire.ingest(first, wire.events(name, now), now)
    before = await views.view(first, "app-a", now)
    await stores.close(first)

    reopened = await stores.open()
    assert await views.view(reopened, "app-a", now) == before
    again = await wire.ingest(reopened, wire.events("connections", now), now)
    assert again.accepted == 0, "dedup survives a reopen"


async def test_ping(stores: Stores) -> None:
    store = await stores.open()
    await store.ping()


async def test_size_is_positive_and_grows_with_the_data_where_known(stores: Stores) -> None:
    now = now_ms()
    store = await stores.open()
    before = await store.size_bytes()
    for name in FIXTURES:
        await wire.ingest(store, wire.events(name, now), now)
    after = await store.size_bytes()
    assert (before is None) == (after is None), "a backend says its size always or never"
    if before is not None and after is not None:
        assert 0 < before <= after
