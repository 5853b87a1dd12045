"""API keys: create, list oldest first, revoke, look up active keys by hash."""

import pytest

from store.interface import Store, StoreError
from store.model import KeyRole
from store.records import ApiKey
from tests.store.conftest import Stores

READ = ApiKey("k-read", "app-a", KeyRole.READ, "hash-read", created_at=1_000)
INGEST = ApiKey("k-ingest", "app-a", KeyRole.INGEST, "hash-ingest", created_at=2_000)
ANY_APP = ApiKey("k-any", "*", KeyRole.INGEST, "hash-any", created_at=3_000)


async def test_create_list_lookup(store: Store) -> None:
    assert await store.list_keys() == []
    for key in (ANY_APP, READ, INGEST):
        await store.create_key(key)
    assert await store.list_keys() == [READ, INGEST, ANY_APP]
    assert await store.key_by_hash("hash-read") == READ
    assert await store.key_by_hash("hash-any") == ANY_APP
    assert await store.key_by_hash("k-read") is None
    assert await store.key_by_hash("nope") is None


async def test_revoke(store: Store) -> None:
    await store.create_key(READ)
    await store.create_key(INGEST)
    assert await store.revoke_key("k-read") is True
    assert await store.key_by_hash("hash-read") is None
    assert await store.key_by_hash("hash-ingest") == INGEST
    assert await store.revoke_key("k-read") is False, "already revoked"
    assert await store.revoke_key("k-unknown") is False
    keys = await store.list_keys()
    assert [k.key_id for k in keys] == ["k-read", "k-ingest"]
    assert keys[0].revoked_at is not None
    assert keys[1].revoked_at is None


async def test_duplicate_key_id_is_refused(store: Store) -> None:
    await store.create_key(READ)
    with pytest.raises(StoreError):
        await store.create_key(ApiKey("k-read", "app-b", KeyRole.READ, "other", 5_000))
    assert await store.list_keys() == [READ]


async def test_another_store_sees_new_and_revoked_keys_at_once(stores: Stores) -> None:
    server = await stores.open()
    cli = await stores.open()
    assert await server.key_by_hash("hash-read") is None
    await cli.create_key(READ)
    assert await server.key_by_hash("hash-read") == READ
    assert await cli.revoke_key("k-read")
    assert await server.key_by_hash("hash-read") is None
