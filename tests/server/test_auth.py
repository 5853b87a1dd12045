"""API keys: format, hashing, roles, and a running app seeing key changes at once."""

import hashlib

import httpx
import pytest

from server.auth import create_key, hash_key, new_key
from store.interface import Store
from store.model import KeyRole
from tests.server.http_helpers import bearer

QUERY = {"query": '{ message(msgUid: "x") { msgUid } }'}


def test_key_format_and_hash():
    record, clear = new_key("app-a", KeyRole.READ, now=123)
    prefix, key_id, secret = clear.split("_", 2)
    assert (prefix, key_id) == ("ptk", record.key_id)
    assert len(secret) >= 40
    assert record.secret_hash == hashlib.sha256(clear.encode()).hexdigest() == hash_key(clear)
    assert clear not in repr(record)
    assert (record.app, record.role, record.created_at, record.revoked_at) == (
        "app-a",
        KeyRole.READ,
        123,
        None,
    )


def test_keys_are_unique():
    keys = {new_key("a", KeyRole.INGEST)[1] for _ in range(200)}
    assert len(keys) == 200


@pytest.mark.parametrize(("app", "role"), [("*", KeyRole.READ), ("", KeyRole.INGEST)])
def test_refused_keys(app, role):
    with pytest.raises(ValueError):
        new_key(app, role)


async def test_store_holds_only_the_hash(store: Store):
    _, clear = await create_key(store, "app-a", KeyRole.READ)
    [stored] = await store.list_keys()
    assert stored.secret_hash == hash_key(clear)
    assert await store.key_by_hash(hash_key(clear)) == stored


async def test_running_app_sees_new_and_revoked_keys_at_once(client: httpx.AsyncClient, store):
    record, key = await create_key(store, "app-a", KeyRole.READ)
    assert (await client.post("/graphql", json=QUERY, headers=bearer(key))).status_code == 200
    assert await store.revoke_key(record.key_id)
    assert (await client.post("/graphql", json=QUERY, headers=bearer(key))).status_code == 401


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER"])
async def test_scheme_is_case_insensitive(client, store, scheme):
    _, key = await create_key(store, "app-a", KeyRole.READ)
    headers = {"Authorization": f"{scheme} {key}"}
    assert (await client.post("/graphql", json=QUERY, headers=headers)).status_code == 200


@pytest.mark.parametrize("space", [b"\xa0", b"\x85", b"\x0b", b"\x1c"])
async def test_only_ascii_whitespace_separates_the_key(client, store, space):
    """Header bytes are read as Latin-1, where these are whitespace to str.strip()."""
    _, key = await create_key(store, "app-a", KeyRole.READ)
    padded = {"Authorization": b"Bearer " + space + key.encode()}
    assert (await client.post("/graphql", json=QUERY, headers=padded)).status_code == 401
    tabbed = {"Authorization": f"Bearer \t{key}\t "}
    assert (await client.post("/graphql", json=QUERY, headers=tabbed)).status_code == 200
