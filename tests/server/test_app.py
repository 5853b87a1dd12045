"""Health, readiness and the app's store lifecycle."""

import asyncio
import contextlib
import gc

import httpx

from server.app import GC_THRESHOLDS, create_app, purge_forever, served_app
from server.config import Settings
from store.interface import Store, StoreUnavailable


async def test_healthz_needs_no_key(client):
    response = await client.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


async def test_readyz(client, store: Store, monkeypatch):
    assert (await client.get("/readyz")).json() == {"status": "ready"}

    async def down() -> None:
        raise StoreUnavailable("connection refused to 10.0.0.7:27017")

    monkeypatch.setattr(store, "ping", down)
    response = await client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}
    assert "10.0.0.7" not in response.text


async def test_unknown_route_and_method(client):
    assert (await client.get("/nope")).status_code == 404
    assert (await client.get("/v1/events")).status_code == 405


async def test_lifespan_opens_purges_and_closes_an_owned_store(store_url: str, monkeypatch):
    app = create_app(Settings(store_url=store_url, purge_interval_s=0.01))
    store = app.state.store
    purged = asyncio.Event()
    original = store.purge

    async def purge() -> int:
        purged.set()
        return await original()

    monkeypatch.setattr(store, "purge", purge)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            assert (await client.get("/readyz")).status_code == 200
        await asyncio.wait_for(purged.wait(), timeout=5)
    assert (await _ready(app)) == 503  # closed with the app


async def test_purge_failure_keeps_the_task_alive(store: Store, monkeypatch, caplog):
    calls = 0

    async def flaky() -> int:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise StoreUnavailable("down")
        return 0

    monkeypatch.setattr(store, "purge", flaky)
    task = asyncio.create_task(purge_forever(store, 0.01))
    for _ in range(500):
        if calls >= 2:
            break
        await asyncio.sleep(0.01)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    assert calls >= 2
    assert "purge failed" in caplog.text


async def test_a_given_store_stays_open_after_the_app(store: Store):
    app = create_app(store)
    async with app.router.lifespan_context(app):
        pass
    await store.ping()


async def _ready(app) -> int:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        return (await client.get("/readyz")).status_code


async def test_a_served_app_tunes_the_collector(store_url: str, monkeypatch) -> None:
    """``serve``'s workers build their app with ``served_app``: settings from the
    environment, what exists then frozen out of collections, young objects
    collected less often."""
    monkeypatch.setenv("TRACKING_STORE", store_url)
    thresholds = gc.get_threshold()
    try:
        app = served_app()
        assert gc.get_threshold() == GC_THRESHOLDS != thresholds
        assert gc.get_freeze_count() > 0
        async with app.router.lifespan_context(app):
            assert (await _ready(app)) == 200
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)
