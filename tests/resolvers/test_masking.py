"""Unexpected exceptions become "Internal server error" with a request id; the log has the stack."""

import logging

import pytest

from resolvers import complexity
from resolvers.context import build_context
from resolvers.schema import schema
from tests.resolvers.conftest import Graph

SENT = '{ sentMessages(filter: {senderId: "u1"}) { nodes { msgUid } } }'
SECRET = "database path /secret/tracking.db is corrupt"


def _assert_generic(error: object, request_id: str) -> None:
    formatted = error.formatted  # type: ignore[attr-defined]
    assert formatted["message"] == "Internal server error"
    assert formatted["extensions"] == {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id}
    assert "secret" not in str(formatted) and "Traceback" not in str(formatted)


def _assert_logged(caplog: pytest.LogCaptureFixture, request_id: str) -> None:
    [record] = [r for r in caplog.records if r.name == "polaris.tracking.graphql"]
    assert request_id in record.getMessage()
    assert record.exc_info is not None and SECRET in str(record.exc_info[1])
    assert "Traceback" in caplog.text and SECRET in caplog.text


async def test_a_failing_store_is_masked_and_logged(
    graph: Graph, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(*_: object) -> list:
        raise RuntimeError(SECRET)

    monkeypatch.setattr(graph.store, "message_pages", broken)
    context = build_context(graph.store, "app-a")
    result = await schema.execute(SENT, context_value=context)
    [error] = result.errors or []
    _assert_generic(error, context.request_id)
    assert error.path == ["sentMessages"]
    _assert_logged(caplog, context.request_id)


async def test_a_failure_before_execution_is_masked_too(
    graph: Graph, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*_: object) -> object:
        raise KeyError(SECRET)

    monkeypatch.setattr(complexity.Walker, "operation", broken)
    complexity._cached_limits_rule.cache_clear()  # validate afresh, not from the cache
    context = build_context(graph.store, "app-a")
    result = await schema.execute(SENT, context_value=context)
    [error] = result.errors or []
    _assert_generic(error, context.request_id)
    _assert_logged(caplog, context.request_id)


@pytest.mark.parametrize(
    ("document", "variables", "code"),
    [
        ("{ nope }", None, None),
        ("{ user(id: ", None, None),
        (
            "query ($n: Int) { user(id: 1) { connections(first: $n) { totalCount } } }",
            {"n": "x"},
            None,
        ),
        (
            '{ sentMessages(filter: {senderId: "u1", since: "yesterday"}) { totalCount } }',
            None,
            "BAD_USER_INPUT",
        ),
        ('{ sentMessages(filter: {senderId: ""}) { totalCount } }', None, "BAD_USER_INPUT"),
    ],
)
async def test_the_clients_own_mistakes_are_not_masked(
    graph: Graph,
    caplog: pytest.LogCaptureFixture,
    document: str,
    variables: dict | None,
    code: str | None,
) -> None:
    with caplog.at_level(logging.DEBUG):
        result = await graph.run(document, variables)
    assert result.errors
    for error in result.errors:
        assert error.message != "Internal server error"
        assert (error.extensions or {}).get("code") == code
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
