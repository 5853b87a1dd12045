"""One batch of the ingest limit (10,000 events) through every write path, with
merging events: connections closed before their open arrives, messages sent
twice, receipt statuses and push attempts that supersede each other. Runs on
every backend but mongomock, which keeps no index and would take minutes.

SecantusDB, the test server of ``./tasks test``, applies about a hundred updates
a second (a server written in Python): the full batch, about 25,000 updates,
took 9 minutes there (accepted whole), so on it the test writes a tenth of it
(1,000 events, the same mix); SQLite and a real MongoDB get the whole batch."""

import pytest

from server.ingest import MAX_EVENTS
from store.interface import Store
from store.limits import now_ms
from store.model import ConnectionStatus
from store.records import ConnectionQuery, MessageQuery, ReceiptCounts, ReceiptScope
from tests import events as ev
from tests.store import wire
from tests.store.mongo_stores import volume

USERS = 250
PER_USER = 5
"""250 users with 5 connections and 5 messages each: 1,250 of each, 8 events apiece."""
SECANTUS_USERS = USERS // 10


def batch(now: int, users: int = USERS) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for u in range(users):
        user = f"u{u}"
        for i in range(PER_USER):
            conn, uid = f"c{u}-{i}", f"m{u}-{i}"
            at = now - ev.HOUR - (u * PER_USER + i) * 10
            pair = [ev.opened(user, conn, 0, at=at), ev.closed(user, conn, 0, at=at + 5)]
            out += pair[::-1] if i % 2 else pair  # a close before its open, every other one
            out += [
                ev.sent(user, "bob", 0, uid, at=at + 4, eventId=f"late-{uid}"),  # the repeat first
                ev.sent(user, "bob", 0, uid, at=at + 3, eventId=f"first-{uid}"),
                ev.receipt("offline", uid, "bob", 0, at=at + 4),
                ev.receipt("delivered", uid, "bob", 0, at=at + 5),
                ev.push(uid, "bob", 0, success=False, errorCode="UNREGISTERED", at=at + 4),
                ev.push(uid, "bob", 0, at=at + 5),
            ]
    return out


async def test_a_batch_of_the_ingest_limit_merges(
    store: Store, request: pytest.FixtureRequest
) -> None:
    if request.node.callspec.params["backend"] == "mongomock":
        pytest.skip("mongomock keeps no index: minutes for this batch; runs on a real server")
    users = volume(request, USERS, on_slow_mongo=SECANTUS_USERS)
    now = now_ms()
    events = batch(now, users)
    assert len(events) == MAX_EVENTS * users // USERS
    result = await wire.ingest(store, events, now)
    assert (result.accepted, result.duplicates) == (len(events), 0)
    keys = [(f"u{u}", f"c:c{u}-{i}") for u in range(users) for i in range(PER_USER)]
    logs = await store.connections_by_key("app-a", keys)
    assert all(log is not None and log.status is ConnectionStatus.CLOSED for log in logs)
    assert {log.disconnected_at - log.connected_at for log in logs if log} == {5}
    ids = [f"u{u}" for u in range(users)]
    window = (now - ev.DAY, now)
    counted = await store.count_connections("app-a", [ConnectionQuery(u, *window) for u in ids])
    assert counted == [PER_USER] * users
    counted = await store.count_messages("app-a", [MessageQuery(u, *window) for u in ids])
    assert counted == [PER_USER] * users
    uids = [f"m{u}-{i}" for u in range(users) for i in range(PER_USER)]
    messages = await store.messages_by_key("app-a", [f"u:{uid}" for uid in uids])
    opened_at = {log.key: log.connected_at for log in logs if log}
    assert [m.sent_at if m else None for m in messages] == [
        opened_at[f"c:c{u}-{i}"] + 3 for u in range(users) for i in range(PER_USER)
    ]
    summaries = await store.receipt_summaries("app-a", [ReceiptScope(uid) for uid in uids])
    assert set(summaries) == {ReceiptCounts(total=1, delivered=1, push_succeeded=1)}
