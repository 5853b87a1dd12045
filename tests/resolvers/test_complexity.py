"""Query limits (SPEC §5): checked before execution, answered with QUERY_TOO_COMPLEX."""

import uuid
from typing import Any

import pytest
from graphql import get_introspection_query

from resolvers import complexity
from resolvers.context import build_context
from resolvers.limits import MAX_ALIASES, MAX_TOKENS
from resolvers.schema import schema
from server.graphql import console_query
from store.records import Page
from tests.events import MINUTE, opened
from tests.resolvers.conftest import Graph

NESTED = """query ($c: Int, $m: Int, $r: Int) {
  user(id: "u1") { connections(first: $c) { nodes {
    sentMessages(first: $m) { nodes { receipts(first: $r) { totalCount } } } } } } }"""

HUNDREDS = """{ user(id: "u1") { connections(first: 100) { nodes {
    sentMessages(first: 100) { nodes { receipts(first: 100) { totalCount } } } } } } }"""


async def too_complex(graph: Graph, document: str, variables: dict | None = None) -> str:
    result = await graph.run(document, variables)
    assert result.data is None
    assert result.errors, "expected QUERY_TOO_COMPLEX"
    codes = {(e.extensions or {}).get("code") for e in result.errors}
    assert codes == {"QUERY_TOO_COMPLEX"}, result.errors
    return " ".join(e.message for e in result.errors)


async def test_the_console_query_is_within_the_limits(graph: Graph) -> None:
    # 20 + 20*20 + 20*20*50 = 20,420 estimated nodes
    await graph.data(console_query("u1"))


async def test_literal_page_sizes_multiply_along_the_path(graph: Graph) -> None:
    document = HUNDREDS
    message = await too_complex(graph, document)
    assert "1,010,100" in message and "100,000" in message  # 100 + 100^2 + 100^3


async def test_variables_are_counted(graph: Graph) -> None:
    await graph.data(NESTED)  # defaults: 20 + 400 + 20,000
    await graph.data(NESTED, {"c": 100, "m": 100, "r": 8})  # 90,100
    message = await too_complex(graph, NESTED, {"c": 100, "m": 100, "r": 9})
    assert "100,100" in message


async def test_variable_defaults_and_schema_defaults_are_counted(graph: Graph) -> None:
    document = NESTED.replace("$r: Int", "$r: Int = 100").replace("$c: Int", "$c: Int = 100")
    # 100 + 100*20 + 100*20*100 = 202,100; the schema's default (20) for $m
    assert "202,100" in await too_complex(graph, document)
    # null means the field's default: 10 + 10*20 + 10*20*50
    await graph.data(document, {"c": 10, "r": None})


async def test_fragments_and_inline_fragments_are_followed(graph: Graph) -> None:
    document = """{ user(id: "u1") { connections(first: 100) { nodes { ...Sent } } } }
      fragment Sent on ConnectionLog {
        sentMessages(first: 100) { edges { node { ... on SentMessage {
          receipts(first: 100) { totalCount } } } } } }"""
    assert "1,010,100" in await too_complex(graph, document)


async def test_every_occurrence_counts(graph: Graph) -> None:
    fields = " ".join(f"m{i}: sentMessages(first: 100) {{ totalCount }}" for i in range(10))
    document = f'{{ user(id: "u1") {{ connections(first: 100) {{ nodes {{ {fields} }} }} }} }}'
    assert "100,100" in await too_complex(graph, document)


def _deep(levels: int) -> str:
    """An introspection query with ``levels`` fields on its longest path."""
    inner = "name"
    for _ in range(levels - 4):
        inner = f"ofType {{ {inner} }}"
    return f'{{ __type(name: "User") {{ fields {{ type {{ {inner} }} }} }} }}'


async def test_depth_limit(graph: Graph) -> None:
    await graph.data(_deep(15))
    assert "depth 16" in await too_complex(graph, _deep(16))


async def test_the_standard_introspection_query_is_allowed(graph: Graph) -> None:
    await graph.data(get_introspection_query(descriptions=True))


async def test_alias_limit(graph: Graph) -> None:
    def aliased(n: int) -> str:
        return "{ " + " ".join(f'a{i}: user(id: "u{i}") {{ id }}' for i in range(n)) + " }"

    await graph.data(aliased(MAX_ALIASES))
    assert f"{MAX_ALIASES + 1} aliases" in await too_complex(graph, aliased(MAX_ALIASES + 1))


async def test_token_limit(graph: Graph) -> None:
    ids = " ".join(["id"] * MAX_TOKENS)
    document = f'{{ user(id: "u1") {{ {ids} }} }}'
    for _ in range(2):  # counted, then remembered
        assert f"{MAX_TOKENS:,}" in await too_complex(graph, document)
    padding = "#" + "x" * complexity._CACHED_DOCUMENT_CHARS + "\n"  # too large to be remembered
    assert f"{MAX_TOKENS:,}" in await too_complex(graph, padding + document)
    comments = "\n".join(["# a comment line does not count"] * MAX_TOKENS)
    await graph.data(f'{comments}\n{{ user(id: "u1") {{ id }} }}')


async def test_fragments_spread_exponentially_are_cheap_to_reject(
    graph: Graph, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each fragment is walked once: the walk grows with the document, not with
    the 2**40 paths its spreads make (counted, so a regression fails fast)."""
    walks = 0
    walk = complexity.Walker.selection_set

    def counted(self: Any, *args: Any) -> Any:
        nonlocal walks
        walks += 1
        assert walks <= 1_000, "the limits walk grows with the paths, not the document"
        return walk(self, *args)

    monkeypatch.setattr(complexity.Walker, "selection_set", counted)
    levels = 40
    fragments = [
        f"fragment F{i} on User {{ a: id b: id ...F{i + 1} ...F{i + 1} }}" for i in range(levels)
    ]
    fragments.append(f"fragment F{levels} on User {{ id }}")
    # A fresh operation name each run, so that no cache answers for the walk.
    document = f'query Spread{uuid.uuid4().hex} {{ user(id: "u1") {{ ...F0 }} }} ' + " ".join(
        fragments
    )
    assert "aliases exceed" in await too_complex(graph, document)
    assert 0 < walks <= 8 * levels  # the limits rule and the cost estimate walk once each


async def test_only_the_selected_operation_counts(graph: Graph) -> None:
    document = "query Heavy " + HUNDREDS + ' query Light { user(id: "u1") { id } }'
    context = build_context(graph.store, "app-a")
    result = await schema.execute(document, context_value=context, operation_name="Light")
    assert result.errors is None


@pytest.mark.parametrize(
    "document",
    [
        "{ user(id: 1) { ...Missing } }",
        "{ user(id: 1) { ...A } } fragment A on User { ...B } fragment B on User { ...A }",
        '{ user(id: "u1") { connections(first: "x") { nodes { nope(first: 5) { a } } } } }',
        '{ user(id: "u1") { ... on Nope { connections { totalCount } } } }',
    ],
)
async def test_invalid_documents_get_validation_errors(graph: Graph, document: str) -> None:
    result = await graph.run(document)
    assert result.errors
    assert all(e.extensions in (None, {}) for e in result.errors), result.errors


async def test_a_rejected_query_never_reaches_the_store(
    graph: Graph, monkeypatch: pytest.MonkeyPatch
) -> None:
    await graph.ingest(opened("u1", "c1", MINUTE))
    calls = []

    async def spy(app: str, requests: list) -> list:
        calls.append(requests)
        return [Page() for _ in requests]

    monkeypatch.setattr(graph.store, "connection_pages", spy)
    document = HUNDREDS
    await too_complex(graph, document)
    assert calls == []


def test_the_rule_cache_keys_on_page_sizes_not_on_payloads() -> None:
    pad = {"filter": {"senderId": "x" * 1_000_000}}
    same = complexity._limits_rule({**pad, "n": 5}, None)
    assert complexity._limits_rule({"filter": {"senderId": "y"}, "n": 5}, None) is same
    assert complexity._limits_rule({"filter": {}, "n": 6}, None) is not same
    assert complexity._limits_rule({"n": 10**9}, None) is complexity._limits_rule({"n": 100}, None)
    assert complexity._limits_rule({"n": None}, None) is not complexity._limits_rule({}, None)
