"""The export read (``Store.export_messages``): the messages ``message_pages`` lists,
in its order, in chunks joined by a cursor, each with the receipts ``receipt_pages``
lists and their push attempts, scoped to the app."""

import dataclasses
from typing import Any

import pytest

from store.interface import InvalidCursor, Store
from store.limits import now_ms
from store.model import PushProvider, PushSkipReason, ReceiptStatus
from store.receipts import receipt_scope
from store.records import (
    ExportMessage,
    ExportPush,
    ExportReceipt,
    MessageQuery,
    PageRequest,
    ReceiptQuery,
)
from tests.store import wire
from tests.store.conftest import Stores
from tests.store.test_message_reads import CASES, query

FIXTURES = ("messages", "receipts")


async def _fill(store: Store, now: int, app: str = "app-a") -> None:
    for name in FIXTURES:
        await wire.ingest(store, wire.events(name, now, app=app), now)


def _window(now: int, sender: str | None = None) -> MessageQuery:
    return MessageQuery(sender, wire.at("-7d", now), wire.at("+1m", now))


async def export_all(
    store: Store, app: str, q: MessageQuery, first: int = 1000, history: bool = True
) -> list[ExportMessage]:
    """Every chunk of the export, followed to the end."""
    found: list[ExportMessage] = []
    after: str | None = None
    for _ in range(100):
        page = await store.export_messages(app, q, first, after, history=history)
        assert 0 < len(page.messages) <= first or (not page.messages and after is None)
        found += page.messages
        if page.after is None:
            return found
        after = page.after
    raise AssertionError("the export did not end")


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
async def test_filters_list_what_message_pages_lists(store: Store, case: dict[str, Any]) -> None:
    now = now_ms()
    await wire.ingest(store, wire.events("messages", now), now)
    q = query(case["query"], now)
    assert [m.message.key for m in await export_all(store, "app-a", q)] == case["expect"]
    every_sender = dataclasses.replace(q, sender_id=None)
    [page] = await store.message_pages("app-a", [PageRequest(every_sender, 100)])
    listed = [e.node.key for e in page.edges]
    assert [m.message.key for m in await export_all(store, "app-a", every_sender)] == listed


async def test_messages_in_message_pages_order_with_their_fields(store: Store) -> None:
    now = now_ms()
    await _fill(store, now)
    q = _window(now)
    [page] = await store.message_pages("app-a", [PageRequest(q, 100)])
    exported = await export_all(store, "app-a", q)
    # m3 and m6 were sent at the same instant: the tie keeps message_pages' order
    assert [m.message for m in exported] == [e.node for e in page.edges]


async def test_receipts_are_what_receipt_pages_lists(store: Store) -> None:
    now = now_ms()
    await _fill(store, now)
    exported = await export_all(store, "app-a", _window(now))
    assert exported
    for m in exported:
        [sent] = await store.messages_by_key("app-a", [m.message.key])
        assert sent is not None
        scope = receipt_scope(sent)
        if scope is None:
            assert m.receipts == ()
            continue
        [page] = await store.receipt_pages("app-a", [PageRequest(ReceiptQuery(scope), 100)])
        expected = [e.node for e in page.edges]
        keys = [(scope.msg_uid, r.recipient_id) for r in expected]
        attempts = await store.recipient_push_attempts("app-a", keys)
        assert m.receipts == tuple(
            ExportReceipt(
                r.recipient_id,
                r.status,
                r.status_at,
                r.push_skipped,
                tuple((h.status, h.at) for h in r.history),
                tuple(
                    ExportPush(p.provider, p.sent_at, p.success, p.error_code, p.error_description)
                    for p in pushes
                ),
            )
            for r, pushes in zip(expected, attempts, strict=True)
        )


async def test_receipts_history_pushes_and_pending(store: Store) -> None:
    now = now_ms()
    await _fill(store, now)
    by_uid = {m.message.msg_uid: m for m in await export_all(store, "app-a", _window(now))}

    def at(expr: str) -> int:
        return wire.at(expr, now)

    carol, dave = by_uid["m2"].receipts  # erin has a push attempt only: no receipt
    assert carol == ExportReceipt(
        "carol",
        ReceiptStatus.DELIVERED,
        at("-80m"),
        None,
        ((ReceiptStatus.NOT_DELIVERED, at("-89m")), (ReceiptStatus.DELIVERED, at("-80m"))),
        (ExportPush(PushProvider.XIAOMI, at("-85m"), True),),
    )
    # a tie of times: OFFLINE then DELIVERED in the history, DELIVERED wins
    assert dave.history == (
        (ReceiptStatus.OFFLINE, at("-89m")),
        (ReceiptStatus.DELIVERED, at("-89m")),
    )
    assert (dave.status, dave.push_skipped, dave.pushes) == (
        ReceiptStatus.DELIVERED, PushSkipReason.DO_NOT_DISTURB, (),
    )  # fmt: skip
    [bob] = by_uid["m1"].receipts
    assert [p.provider for p in bob.pushes] == [PushProvider.HUAWEI, PushProvider.FCM]
    assert (bob.pushes[1].error_code, bob.pushes[1].success) == ("UNREGISTERED", False)
    [pending] = by_uid["m3"].receipts  # a DIRECT message whose target has no event yet
    assert pending == ExportReceipt("carol", ReceiptStatus.PENDING, None, None, (), ())
    for uid in ("m4", "m5", None):  # OPEN, SYSTEM, blocked: no receipts
        assert by_uid[uid].receipts == ()


async def test_without_history(store: Store) -> None:
    now = now_ms()
    await _fill(store, now)
    whole = await export_all(store, "app-a", _window(now))
    lean = await export_all(store, "app-a", _window(now), history=False)
    assert lean == [
        ExportMessage(
            m.message,
            tuple(
                ExportReceipt(r.recipient_id, r.status, r.status_at, r.push_skipped, (), r.pushes)
                for r in m.receipts
            ),
        )
        for m in whole
    ]
    assert any(r.history for m in whole for r in m.receipts)


@pytest.mark.parametrize("first", [1, 2, 3, 4, 7, 8, 9])
async def test_chunks_join_into_the_whole(store: Store, first: int) -> None:
    """Chunk boundaries anywhere (between the two messages sent at one instant too)
    neither repeat nor skip a message, and split no message's receipts."""
    now = now_ms()
    await _fill(store, now)
    whole = await export_all(store, "app-a", _window(now))
    assert len(whole) == 9
    chunks: list[int] = []
    after: str | None = None
    found: list[ExportMessage] = []
    while True:
        page = await store.export_messages("app-a", _window(now), first, after)
        chunks.append(len(page.messages))
        found += page.messages
        if page.after is None:
            break
        after = page.after
    assert found == whole
    assert chunks == [first] * (9 // first) + ([9 % first] if 9 % first else [])


async def test_a_cursor_survives_new_data(store: Store) -> None:
    now = now_ms()
    await _fill(store, now)
    first = await store.export_messages("app-a", _window(now), 3)
    newer = wire.events("messages", now)[8]  # bob's m6, again under new ids, newest
    newer.update(eventId="m7-sent", msgUid="m7", at=wire.at("-1m", now))
    older = dict(newer, eventId="m8-sent", msgUid="m8", at=wire.at("-3d", now))
    await wire.ingest(store, [newer, older], now)
    rest: list[ExportMessage] = []
    after = first.after
    while after is not None:
        page = await store.export_messages("app-a", _window(now), 3, after)
        rest += page.messages
        after = page.after
    keys = [m.message.key for m in first.messages + rest]
    assert "u:m7" not in keys and len(keys) == len(set(keys)) == 10
    assert keys[-2:] == ["u:m0", "u:m8"]


async def test_scoped_to_its_app(store: Store) -> None:
    now = now_ms()
    await _fill(store, now, "app-a")
    # app-b holds a part of the same events, under the same event ids and msgUids
    await wire.ingest(store, wire.events("messages", now, app="app-b")[1:2], now)
    await wire.ingest(store, wire.events("receipts", now, app="app-b")[:1], now)
    [m1] = await export_all(store, "app-b", _window(now))
    assert m1.message.key == "u:m1"
    [bob] = m1.receipts
    assert (bob.status, bob.history, bob.pushes) == (
        ReceiptStatus.OFFLINE, ((ReceiptStatus.OFFLINE, wire.at("-2h+1s", now)),), (),
    )  # fmt: skip
    in_a = {m.message.msg_uid: m for m in await export_all(store, "app-a", _window(now))}
    assert in_a["m1"].receipts[0].status is ReceiptStatus.DELIVERED
    assert len(in_a["m1"].receipts[0].pushes) == 2
    assert await export_all(store, "app-c", _window(now)) == []
    assert await export_all(store, "app-b", _window(now, sender="bob")) == []


async def test_retention_hides_old_messages_and_events(stores: Stores) -> None:
    now = now_ms()
    week = await stores.open()
    await _fill(week, now)
    day = await stores.open(retention_days=1)
    keys = [m.message.key for m in await export_all(day, "app-a", _window(now))]
    assert "u:m0" not in keys and "u:m1" in keys
    assert len(keys) == len(await export_all(week, "app-a", _window(now))) - 1


async def test_a_history_holds_only_the_events_in_the_window(stores: Stores) -> None:
    """One of a receipt's two events older than the horizon (a clock ahead of the
    sender's): the history holds the other, as receipt_pages' does."""
    now = now_ms()
    week = await stores.open()
    sent = {
        "eventId": "late-sent", "type": "message.sent", "appKey": "app-a", "at": "-23h",
        "senderId": "alice", "targetId": "bob", "channelType": "DIRECT",
        "messageType": "NX:TxtMsg", "source": "ANDROID", "result": "SENT", "msgUid": "late",
    }  # fmt: skip
    receipt = {"appKey": "app-a", "msgUid": "late", "recipientId": "bob"}
    await wire.ingest(
        week,
        wire.events_of(
            [
                sent,
                {**receipt, "eventId": "late-offline", "type": "message.offline", "at": "-25h"},
                {**receipt, "eventId": "late-delivered", "type": "message.delivered", "at": "-22h"},
            ],
            now,
        ),
        now,
    )
    in_week = await export_all(week, "app-a", _window(now))
    day = await stores.open(retention_days=1)
    [exported] = await export_all(day, "app-a", _window(now))
    [bob] = exported.receipts
    assert bob.history == ((ReceiptStatus.DELIVERED, wire.at("-22h", now)),)
    assert [r.history for r in in_week[0].receipts] == [
        ((ReceiptStatus.OFFLINE, wire.at("-25h", now)), bob.history[0])
    ]
    scope = receipt_scope(exported.message)
    assert scope is not None
    [page] = await day.receipt_pages("app-a", [PageRequest(ReceiptQuery(scope), 10)])
    assert [(h.status, h.at) for h in page.edges[0].node.history] == list(bob.history)


async def test_an_unknown_cursor_is_refused(store: Store) -> None:
    now = now_ms()
    await _fill(store, now)
    [page] = await store.message_pages("app-a", [PageRequest(_window(now), 1)])
    for cursor in ["nonsense", "", page.edges[0].cursor]:
        with pytest.raises(InvalidCursor):
            await store.export_messages("app-a", _window(now), 2, cursor)


async def test_an_empty_window(store: Store) -> None:
    page = await store.export_messages("app-a", _window(now_ms()), 10)
    assert (page.messages, page.after) == ([], None)
