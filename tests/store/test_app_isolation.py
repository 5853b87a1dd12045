"""No read method crosses apps: each app sees its own data, under the same ids."""

from store.interface import Store
from store.limits import now_ms
from tests.store import views, wire

FIXTURES = ("connections", "messages", "receipts")


async def test_every_read_method_sees_only_its_app(store: Store) -> None:
    now = now_ms()
    for name in FIXTURES:
        await wire.ingest(store, wire.events(name, now, app="app-a"), now)
    # app-b holds a part of the same events, under the same event ids and keys
    await wire.ingest(store, wire.events("connections", now, app="app-b")[:2], now)
    await wire.ingest(store, wire.events("messages", now, app="app-b")[1:2], now)
    await wire.ingest(store, wire.events("receipts", now, app="app-b")[:1], now)

    a = await views.view(store, "app-a", now)
    b = await views.view(store, "app-b", now)
    c1 = ("alice", "c:c1")
    assert [[log.key for log in logs] for logs in b["connections"]] == [["c:c1"], [], []]
    assert b["connection_counts"] == [1, 0, 0]
    assert [None if log is None else log.key for log in b["connections_by_key"]] == [
        "c:c1" if key == c1 else None for key in views.CONNECTION_KEYS
    ]
    assert [[m.key for m in messages] for messages in b["messages"]] == [["u:m1"], [], []]
    assert b["message_counts"] == [1, 0, 0]
    assert [None if m is None else m.key for m in b["messages_by_key"]] == [
        "u:m1" if key == "u:m1" else None for key in views.MESSAGE_KEYS
    ]
    assert [len(events) for events in b["receipt_events"]] == [
        1 if uid == "m1" else 0 for uid in views.MSG_UIDS
    ]
    assert b["push_attempts"] == [[] for _ in views.MSG_UIDS]

    assert a["connection_counts"] == [5, 1, 0]
    assert a["message_counts"] == [8, 1, 0]
    assert all(a["connections_by_key"][i] is not None for i in (0, 2, 3))
    assert sum(len(x) for x in a["push_attempts"]) == 4

    assert views.is_empty(await views.view(store, "app-c", now))
    assert not views.is_empty(b)
