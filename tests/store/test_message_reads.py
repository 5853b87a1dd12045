"""Sent messages: every MessageQuery condition, fields, counts and lookups by key."""

from typing import Any

import pytest

from store.interface import Store
from store.limits import now_ms
from store.model import ChannelType, MessageSource, MuteScope, SendResult
from store.records import MessageQuery, PageRequest, SentMessage
from tests.store import wire
from tests.store.mongo_stores import volume

CASES = wire.load("message_queries")


def query(spec: dict[str, Any], now: int) -> MessageQuery:
    fields = dict(spec)
    fields["since"] = wire.at(fields["since"], now)
    fields["until"] = wire.at(fields["until"], now)
    if "channel_type" in fields:
        fields["channel_type"] = ChannelType(fields["channel_type"])
    if "source" in fields:
        fields["source"] = MessageSource(fields["source"])
    return MessageQuery(**fields)


async def all_messages(store: Store, app: str, q: MessageQuery) -> list[SentMessage]:
    page = (await store.message_pages(app, [PageRequest(q, 100)]))[0]
    assert not page.has_next_page
    return [edge.node for edge in page.edges]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
async def test_filter(store: Store, case: dict[str, Any]) -> None:
    now = now_ms()
    await wire.ingest(store, wire.events("messages", now), now)
    q = query(case["query"], now)
    assert [m.key for m in await all_messages(store, "app-a", q)] == case["expect"]
    assert await store.count_messages("app-a", [q]) == [len(case["expect"])]


async def test_fields(store: Store) -> None:
    now = now_ms()
    await wire.ingest(store, wire.events("messages", now), now)
    m1, blocked, muted = await store.messages_by_key("app-a", ["u:m1", "e:blk1", "e:mute1"])
    assert m1 == SentMessage(
        key="u:m1",
        msg_uid="m1",
        sender_id="alice",
        target_id="bob",
        channel_type=ChannelType.DIRECT,
        message_type="NX:TxtMsg",
        source=MessageSource.ANDROID,
        sent_at=wire.at("-2h", now),
        result=SendResult.SENT,
        connection_id="c3",
    )
    assert blocked is not None
    assert (blocked.msg_uid, blocked.result) == (None, SendResult.BLOCKED_BY_BLOCKLIST)
    assert muted is not None
    assert (muted.result, muted.mute_scope) == (SendResult.MUTED, MuteScope.GROUP_MEMBER_MUTED)


async def test_by_key_answers_in_input_order(store: Store) -> None:
    now = now_ms()
    await wire.ingest(store, wire.events("messages", now), now)
    keys = ["u:m6", "u:missing", "e:blk1", "u:m1", "e:m1-sent", "u:m6"]
    found = await store.messages_by_key("app-a", keys)
    assert [None if m is None else m.key for m in found] == [
        "u:m6",
        None,
        "e:blk1",
        "u:m1",
        None,
        "u:m6",
    ]
    assert await store.messages_by_key("app-a", []) == []


async def test_batches_answer_in_input_order(store: Store) -> None:
    now = now_ms()
    await wire.ingest(store, wire.events("messages", now), now)
    queries = [query(case["query"], now) for case in CASES]
    pages = await store.message_pages("app-a", [PageRequest(q, 100) for q in queries])
    assert [[e.node.key for e in page.edges] for page in pages] == [c["expect"] for c in CASES]
    assert await store.count_messages("app-a", queries) == [len(c["expect"]) for c in CASES]
    assert await store.message_pages("app-a", []) == []
    assert await store.count_messages("app-a", []) == []


async def test_many_requests_in_one_call(store: Store, request: pytest.FixtureRequest) -> None:
    now = now_ms()
    senders = [f"sender-{i}" for i in range(volume(request, 450, on_slow_mongo=150))]
    raw = [
        {
            "eventId": f"sent-{i}",
            "type": "message.sent",
            "appKey": "app-a",
            "at": wire.at("-1h", now) + i,
            "senderId": sender,
            "targetId": "bob",
            "channelType": "DIRECT",
            "messageType": "NX:TxtMsg",
            "source": "IOS",
            "result": "SENT",
            "msgUid": f"uid-{i}",
        }
        for i, sender in enumerate(senders)
        if i % 4
    ]
    await wire.ingest(store, raw, now)
    queries = [MessageQuery(s, wire.at("-7d", now), now) for s in reversed(senders)]
    pages = await store.message_pages("app-a", [PageRequest(q, 3) for q in queries])
    expected = [[] if i % 4 == 0 else [f"u:uid-{i}"] for i in reversed(range(len(senders)))]
    assert [[e.node.key for e in page.edges] for page in pages] == expected
    assert await store.count_messages("app-a", queries) == [len(x) for x in expected]
    keys = [f"u:uid-{i}" for i in range(len(senders))]
    found = await store.messages_by_key("app-a", keys)
    assert [m is not None for m in found] == [i % 4 != 0 for i in range(len(senders))]
