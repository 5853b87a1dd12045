"""Schema versions: a store of the first release (no stored receipts) opens
migrated in place with every view unchanged; a store of a newer release is refused.

The first release's store is built from its own schema: for SQLite the DDL kept
verbatim in ``fixtures/schema_v1.sql``; for MongoDB a database without the
``receipts`` collection, the schema record, or the new indexes, with the first
release's indexes by message. Its rows are the ones the current writer stores
for the fixture events (the event tables did not change between the releases),
so the views of the migrated store must equal those of a store that was never
migrated.
"""

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from pymongo import ASCENDING, IndexModel

from store.interface import SchemaTooNew
from store.limits import DEFAULT_RETENTION_DAYS, now_ms
from store.mongo import schema as mongo_schema
from store.sqlite import SqliteStore
from store.sqlite import schema as sqlite_schema
from tests.store import views, wire
from tests.store.mongo_stores import MongomockStore
from tests.store.mongomock_async import AsyncMongoMockClient

FIXTURES = ("connections", "messages", "receipts")
V1_DDL = (Path(__file__).parent / "fixtures" / "schema_v1.sql").read_text()
EVENT_TABLES = ("seen_events", "connections", "messages", "receipt_events", "push_attempts")


async def _fill(store: Any, now: int) -> dict[str, Any]:
    """Ingest the fixtures (app-a and app-b) and return app-a's and app-b's views."""
    for name in FIXTURES:
        for app in ("app-a", "app-b"):
            await wire.ingest(store, wire.events(name, now, app=app), now)
    return {app: await views.view(store, app, now) for app in ("app-a", "app-b")}


def _first_release_file(path: Path, rows_from: Path) -> None:
    """A SQLite file of the first release holding the event rows of ``rows_from``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    conn.executescript(V1_DDL)
    conn.execute("ATTACH DATABASE ? AS current", (str(rows_from),))
    for table in EVENT_TABLES:
        columns = ", ".join(row[1] for row in conn.execute(f"PRAGMA main.table_info({table})"))
        conn.execute(f"INSERT INTO main.{table} ({columns}) SELECT {columns} FROM current.{table}")
    conn.commit()
    conn.execute("DETACH DATABASE current")
    conn.close()


def _count(path: Path, table: str) -> int:
    with sqlite3.connect(path) as conn:
        count: int = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    return count


async def test_sqlite_store_of_the_first_release_migrates_with_views_unchanged(
    tmp_path: Path,
) -> None:
    now = now_ms()
    current_path = tmp_path / "current" / "tracking.db"
    current = SqliteStore(str(current_path), DEFAULT_RETENTION_DAYS)
    await current.open()
    expected = await _fill(current, now)
    await current.close()
    assert not views.is_empty(expected["app-a"])

    old_path = tmp_path / "old" / "tracking.db"
    _first_release_file(old_path, current_path)
    with sqlite3.connect(old_path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 0
        assert sqlite_schema.schema_version(conn) == 1
    events_before = {t: _count(old_path, t) for t in EVENT_TABLES}

    migrated = SqliteStore(str(old_path), DEFAULT_RETENTION_DAYS)
    await migrated.open()
    try:
        for app in ("app-a", "app-b"):
            assert await views.view(migrated, app, now) == expected[app]
        again = await wire.ingest(migrated, wire.events("receipts", now), now)
        assert again.accepted == 0, "dedup survives the migration"
    finally:
        await migrated.close()
    assert {t: _count(old_path, t) for t in EVENT_TABLES} == events_before, "no event lost"
    assert _count(old_path, "receipts") == _count(current_path, "receipts") > 0
    with sqlite3.connect(old_path) as conn:
        assert sqlite_schema.schema_version(conn) == sqlite_schema.SCHEMA_VERSION
        indexes = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    assert "receipt_events_by_message" not in indexes
    assert "receipt_events_by_recipient" in indexes
    assert "connections_timeline" in indexes  # the timeline reads name it: INDEXED BY


async def test_sqlite_store_of_a_newer_release_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "tracking.db"
    store = SqliteStore(str(path), DEFAULT_RETENTION_DAYS)
    await store.open()
    await store.close()
    newer = sqlite_schema.SCHEMA_VERSION + 1
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {newer}")

    with pytest.raises(SchemaTooNew, match=f"schema version {newer}, newer than this release"):
        await SqliteStore(str(path), DEFAULT_RETENTION_DAYS).open()
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == newer


def _mongo_store(client: AsyncMongoMockClient, database: str) -> MongomockStore:
    return MongomockStore(
        "mongodb://mongomock/", DEFAULT_RETENTION_DAYS, client=client, database=database
    )


async def _as_first_release(db: Any) -> None:
    """Turn a current database into what the first release left: no receipts, no
    schema record, the receipt events and pushes indexed by message."""
    await db[mongo_schema.RECEIPTS].drop()
    await db[mongo_schema.META].delete_many({})
    by_message = [("app", ASCENDING), ("msgUid", ASCENDING)]
    for name in (mongo_schema.RECEIPT_EVENTS, mongo_schema.PUSHES):
        await db[name].drop_index("app_msgUid_recipientId")
        await db[name].create_indexes([IndexModel(by_message, name="app_msgUid")])


async def test_mongo_database_of_the_first_release_migrates_with_views_unchanged() -> None:
    now = now_ms()
    client = AsyncMongoMockClient()
    store = _mongo_store(client, "tracking")
    await store.open()
    expected = await _fill(store, now)
    await store.close()

    db = client.get_database("tracking")
    receipts_before = await db[mongo_schema.RECEIPTS].count_documents({})
    await _as_first_release(db)
    assert await mongo_schema.schema_version(db) == 1
    events_before = {
        n: await db[n].count_documents({})
        for n in (mongo_schema.RECEIPT_EVENTS, mongo_schema.PUSHES)
    }

    migrated = _mongo_store(client, "tracking")
    await migrated.open()
    try:
        for app in ("app-a", "app-b"):
            assert await views.view(migrated, app, now) == expected[app]
    finally:
        await migrated.close()
    assert await mongo_schema.schema_version(db) == mongo_schema.SCHEMA_VERSION
    assert await db[mongo_schema.RECEIPTS].count_documents({}) == receipts_before > 0
    for name, count in events_before.items():
        assert await db[name].count_documents({}) == count, f"no {name} lost"
        assert "app_msgUid" not in await db[name].index_information()


async def test_mongo_database_of_a_newer_release_is_refused() -> None:
    client = AsyncMongoMockClient()
    store = _mongo_store(client, "tracking")
    await store.open()
    await store.close()
    newer = mongo_schema.SCHEMA_VERSION + 1
    db = client.get_database("tracking")
    await db[mongo_schema.META].update_one({"_id": "schema"}, {"$set": {"version": newer}})

    with pytest.raises(SchemaTooNew, match=f"schema version {newer}, newer than"):
        await _mongo_store(client, "tracking").open()
    assert await mongo_schema.schema_version(db) == newer
