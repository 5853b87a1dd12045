"""Retention: data older than the horizon is hidden before purge, and purge deletes it."""

from store.limits import now_ms
from tests.store import views, wire
from tests.store.conftest import Stores

FIXTURES = ("connections", "messages", "receipts")


def _events(now: int) -> list[dict]:
    return [e for name in FIXTURES for e in wire.events(name, now)]


async def test_shorter_retention_hides_then_purge_deletes(stores: Stores) -> None:
    now = now_ms()
    week = await stores.open(retention_days=7)
    await wire.ingest(week, _events(now), now)
    full = await views.view(week, "app-a", now)

    short = await stores.open(retention_days=2)
    hidden = await views.view(short, "app-a", now)
    # hidden: c1 (-3d), c6 (-6d) and m0 (-2d) are older than two days
    assert [[log.key for log in logs] for logs in hidden["connections"]] == [
        ["c:c3", "e:r1", "c:c2"],
        ["c:c5"],
        [],
    ]
    assert hidden["connection_counts"] == [3, 1, 0]
    assert [None if log is None else log.key for log in hidden["connections_by_key"]] == [
        None,
        None,
        "e:r1",
        "c:c5",
    ]
    assert hidden["message_counts"] == [7, 1, 0]
    assert "u:m0" not in [m.key for m in hidden["messages"][0]]
    assert hidden["messages_by_key"][0] is None
    assert hidden["receipt_events"] == full["receipt_events"]
    if not stores.deletes_on_its_own:
        assert await views.view(week, "app-a", now) == full, "the longer retention sees all"

    purged = await short.purge()
    # c1, c6 and m0; the orphan close of c4 stays: it is 4 hours old. A server's TTL
    # monitor may have deleted some of them since the short retention was opened.
    assert purged == 3 if not stores.deletes_on_its_own else 0 <= purged <= 3
    assert await views.view(week, "app-a", now) == hidden, "purged for every reader"
    assert await views.view(short, "app-a", now) == hidden
    assert await short.purge() == 0

    # the horizon applies to receipts and pushes too (last: on a real server the TTL
    # of a retention of 0 days lets its monitor delete everything)
    tiny = await stores.open(retention_days=0)
    assert views.is_empty(await views.view(tiny, "app-a", now))


async def test_purge_removes_receipts_pushes_and_orphan_closes(stores: Stores) -> None:
    now = now_ms()
    week = await stores.open(retention_days=7)
    await wire.ingest(week, _events(now), now)
    one_hour_old = await stores.open(retention_days=0)
    deleted = await one_hour_old.purge()
    # everything: 5 listed connection logs + bob's + the orphan close, 9 messages,
    # 7 receipt events, 4 push attempts (less what a server's TTL monitor deleted first)
    everything = 7 + 9 + 7 + 4
    assert deleted == everything if not stores.deletes_on_its_own else deleted <= everything
    assert views.is_empty(await views.view(week, "app-a", now))
    assert await one_hour_old.purge() == 0
