from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from resolvers.scalars import format_ms
from resolvers.windows import start_of_day_ms
from store.limits import now_ms
from tests.events import DAY, HOUR, MINUTE, sent
from tests.resolvers.conftest import Graph

SENT = """
query ($filter: SentMessageFilter!, $first: Int, $after: String) {
  sentMessages(filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes {
      id msgUid senderId targetId channelType messageType builtinType source sentAt
      result muteScope prompt statusSettled
    }
  }
}
"""


async def uids(graph: Graph, **filter_: object) -> list[str | None]:
    data = await graph.data(SENT, {"filter": {"senderId": "u1", **filter_}})
    return [n["msgUid"] for n in data["sentMessages"]["nodes"]]


async def test_each_filter_condition(graph: Graph) -> None:
    await graph.ingest(
        sent("u1", "u2", 5 * MINUTE, "text"),
        sent("u1", "u3", 4 * MINUTE, "to-u3"),
        sent("u1", "u2", 3 * MINUTE, "image", message_type="NX:ImgMsg", source="IOS"),
        sent("u1", "u2", 2 * MINUTE, "custom", message_type="App:Poll"),
        sent("u1", "g1", 1 * MINUTE, "group", channel="GROUP"),
        sent("u2", "u1", 1 * MINUTE, "other-sender"),
    )
    assert await uids(graph) == ["custom", "image", "to-u3", "text"]
    assert await uids(graph, channelType="GROUP") == ["group"]
    assert await uids(graph, targetId="u3") == ["to-u3"]
    assert await uids(graph, source="IOS") == ["image"]
    assert await uids(graph, messageType={"builtin": "IMAGE"}) == ["image"]
    assert await uids(graph, messageType={"custom": "App:Poll"}) == ["custom"]
    assert await uids(graph, msgUid="to-u3") == ["to-u3"]
    assert await uids(graph, msgUid="group") == []


async def test_default_since_is_midnight_in_the_time_zone(graph: Graph) -> None:
    zone = ZoneInfo("Pacific/Kiritimati")
    now = now_ms()
    midnight = start_of_day_ms(now, zone)
    utc_midnight = start_of_day_ms(now, UTC)
    await graph.ingest(
        sent("u1", "u2", now - midnight + MINUTE, "before-local-midnight"),
        sent("u1", "u2", 1000, "now"),
    )
    local = await uids(graph, timeZone="Pacific/Kiritimati")
    assert local == ["now"]
    in_utc = await uids(graph)
    expected_utc = ["now"] + (
        ["before-local-midnight"] if midnight - MINUTE >= utc_midnight else []
    )
    assert in_utc == expected_utc


async def test_msg_uid_searches_the_whole_retention_window(graph: Graph) -> None:
    await graph.ingest(sent("u1", "u2", 3 * DAY, "old"))
    assert await uids(graph) == []
    assert await uids(graph, msgUid="old") == ["old"]


async def test_explicit_window_with_offset_and_without(graph: Graph) -> None:
    await graph.ingest(sent("u1", "u2", 2 * DAY, "two-days"), sent("u1", "u2", 1000, "now"))
    since = datetime.now(UTC) - timedelta(days=3)
    until = datetime.now(UTC) - timedelta(days=1)
    assert await uids(graph, since=since.isoformat(), until=until.isoformat()) == ["two-days"]
    naive = since.astimezone(ZoneInfo("Asia/Shanghai")).replace(tzinfo=None).isoformat()
    assert await uids(graph, since=naive, timeZone="Asia/Shanghai") == ["now", "two-days"]


async def test_fields_prompts_and_settling(graph: Graph) -> None:
    await graph.ingest(
        sent("u1", "u2", 10 * MINUTE, "old", result="SENT_PROFANITY_REPLACED"),
        sent("u1", "u2", 2 * MINUTE, None, result="BLOCKED_BY_BLOCKLIST"),
        sent("u1", "g", MINUTE, None, channel="GROUP", result="MUTED", muteScope="GROUP_FROZEN"),
        sent("u1", "u2", 1000, "custom", message_type="Shop:Order", source="SERVER_API"),
    )
    data = await graph.data(SENT, {"filter": {"senderId": "u1"}})
    custom, blocked, replaced = data["sentMessages"]["nodes"]
    assert custom["builtinType"] is None and custom["messageType"] == "Shop:Order"
    assert custom["prompt"] is None and custom["statusSettled"] is False
    assert custom["source"] == "SERVER_API"
    assert blocked["msgUid"] is None and blocked["id"]
    assert blocked["prompt"] == (
        "The sender is on the target user's blocklist; the message was not sent."
    )
    assert replaced["builtinType"] == "TEXT" and replaced["statusSettled"] is True
    assert replaced["prompt"].startswith("Contains replaceable profanity words")
    group = await graph.data(SENT, {"filter": {"senderId": "u1", "channelType": "GROUP"}})
    [frozen] = group["sentMessages"]["nodes"]
    assert frozen["muteScope"] == "GROUP_FROZEN"
    assert frozen["prompt"] == (
        "The group is frozen: no member can send messages; the message was not sent."
    )


async def test_paging_is_stable_while_new_messages_arrive(graph: Graph) -> None:
    await graph.ingest(*(sent("u1", "u2", (i + 1) * MINUTE, f"m{i}") for i in range(5)))
    first = await graph.data(SENT, {"filter": {"senderId": "u1"}, "first": 2})
    page = first["sentMessages"]
    assert page["totalCount"] == 5 and page["pageInfo"]["hasNextPage"]
    await graph.ingest(sent("u1", "u2", 1000, "newer"), sent("u1", "u2", 90 * 1000, "between"))
    rest = await graph.data(
        SENT, {"filter": {"senderId": "u1"}, "first": 10, "after": page["pageInfo"]["endCursor"]}
    )
    listed = [n["msgUid"] for n in page["nodes"] + rest["sentMessages"]["nodes"]]
    assert listed == ["m0", "m1", "m2", "m3", "m4"]
    assert rest["sentMessages"]["pageInfo"]["hasNextPage"] is False


async def test_messages_older_than_retention_are_out_of_window(graph: Graph) -> None:
    await graph.ingest(sent("u1", "u2", 6 * DAY, "six-days"))
    since = format_ms(now_ms() - 7 * DAY + HOUR)
    assert await uids(graph, since=since) == ["six-days"]
    graph.store.retention_days = 5
    assert await uids(graph, msgUid="six-days") == []
