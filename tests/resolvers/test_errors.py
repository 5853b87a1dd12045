import pytest

from resolvers.scalars import format_ms
from store.limits import now_ms
from tests.events import DAY, HOUR, MINUTE, sent
from tests.resolvers.conftest import Graph

SENT = """query ($filter: SentMessageFilter!, $first: Int, $after: String) {
  sentMessages(filter: $filter, first: $first, after: $after) { nodes { msgUid } } }"""


@pytest.mark.parametrize(
    ("variables", "code", "names"),
    [
        ({"filter": {"senderId": " "}}, "BAD_USER_INPUT", "senderId"),
        ({"filter": {"senderId": "u1"}, "first": 101}, "BAD_USER_INPUT", "first"),
        ({"filter": {"senderId": "u1"}, "first": -1}, "BAD_USER_INPUT", "first"),
        ({"filter": {"senderId": "u1", "timeZone": "Mars/Olympus"}}, "BAD_USER_INPUT", "timeZone"),
        (
            {"filter": {"senderId": "u1", "messageType": {"custom": "no colon"}}},
            "BAD_USER_INPUT",
            "messageType",
        ),
        (
            {"filter": {"senderId": "u1", "messageType": {"custom": "NX:Nope"}}},
            "BAD_USER_INPUT",
            "reserved",
        ),
        (
            {
                "filter": {
                    "senderId": "u1",
                    "since": "2026-01-02T00:00:00Z",
                    "until": "2026-01-01T00:00:00Z",
                }
            },
            "BAD_USER_INPUT",
            "since",
        ),
        ({"filter": {"senderId": "u1"}, "after": "garbage"}, "BAD_USER_INPUT", "after"),
    ],
)
async def test_bad_input_names_the_field(
    graph: Graph, variables: dict, code: str, names: str
) -> None:
    result = await graph.run(SENT, variables)
    assert result.errors is not None
    [error] = result.errors
    assert error.extensions == {"code": code}
    assert names in error.message
    assert "Traceback" not in error.message


async def test_out_of_retention_says_where_the_horizon_is(graph: Graph) -> None:
    since = format_ms(now_ms() - 7 * DAY - 2 * HOUR)
    result = await graph.run(SENT, {"filter": {"senderId": "u1", "since": since}})
    [error] = result.errors or []
    assert error.extensions == {"code": "OUT_OF_RETENTION"}
    assert "horizon" in error.message and "7 days" in error.message


async def test_since_within_the_grace_hour_reads_as_the_horizon(graph: Graph) -> None:
    await graph.ingest(sent("u1", "u2", 7 * DAY - 10 * MINUTE, "edge"))
    since = format_ms(now_ms() - 7 * DAY - 30 * MINUTE)
    data = await graph.data(SENT, {"filter": {"senderId": "u1", "since": since}})
    assert data["sentMessages"]["nodes"] == [{"msgUid": "edge"}]


async def test_one_bad_cursor_is_reported_on_its_own_field(graph: Graph) -> None:
    await graph.ingest(sent("u1", "u2", MINUTE, "m1"))
    result = await graph.run(
        """{ good: sentMessages(filter: {senderId: "u1"}) { nodes { msgUid } }
             bad: sentMessages(filter: {senderId: "u1"}, after: "bm9wZQ") { nodes { msgUid } } }"""
    )
    assert result.data is None  # sentMessages is non-null: the error propagates to the root
    assert [(e.path, e.extensions) for e in result.errors or []] == [
        (["bad"], {"code": "BAD_USER_INPUT"})
    ]


async def test_schema_violations_fail_validation(graph: Graph) -> None:
    result = await graph.run("{ sentMessages(filter: {}) { nodes { msgUid } } }")
    assert result.errors and "senderId" in result.errors[0].message
    both = await graph.run(
        """{ sentMessages(filter: {senderId: "u1",
             messageType: {builtin: TEXT, custom: "A:b"}}) { nodes { msgUid } } }"""
    )
    assert both.errors and "exactly one" in both.errors[0].message.lower()


async def test_unexpected_errors_are_masked(graph: Graph, monkeypatch: pytest.MonkeyPatch) -> None:
    async def broken(*_: object) -> list:
        raise RuntimeError("database path /secret/file is corrupt")

    monkeypatch.setattr(graph.store, "message_pages", broken)
    result = await graph.run(SENT, {"filter": {"senderId": "u1"}})
    [error] = result.errors or []
    assert "secret" not in error.message and "corrupt" not in error.message
