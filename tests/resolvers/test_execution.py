"""The fast execution path (``resolvers.fastpath.execution``) answers exactly as graphql-core does.

Every resolver test runs on both paths (see ``execution_path`` in ``tests/conftest.py``); the
tests here run each document on both within one test and compare the whole
results, on the shapes where an inline path could go wrong: aliases,
fragments, ``@include``/``@skip``, ``__typename``, and errors with their null
propagation.
"""

import dataclasses
import enum
from typing import Any

import pytest

from resolvers.context import Context
from resolvers.fastpath import compiled, execution
from resolvers.fastpath.lean import lean_resolvers
from resolvers.loaders import Loaders
from resolvers.schema import schema
from store.records import Page
from tests.events import HOUR, MINUTE, closed, opened, push, receipt, rejected, sent
from tests.resolvers.conftest import Graph

SHAPES = {
    "aliases": """{ user(id: "u1") { connections { nodes {
        a: status b: status when: connectedAt id sdkVersion ip2: ip
        sentMessages { nodes { uid: msgUid msgUid kind: builtinType p: prompt
          receipts { nodes { s: status history { t: at status } } } } } } } } }""",
    "fragments": """
      fragment Log on ConnectionLog { status platform ...More }
      fragment More on ConnectionLog { ip osVersion platform }
      fragment Msg on SentMessage { msgUid result ... on SentMessage { sentAt } }
      fragment R on Receipt { recipientId status pushAttempts { ...P } }
      fragment P on PushAttempt { provider success errorCode }
      { user(id: "u1") { connections { nodes { ...Log ... on Node { id }
        sentMessages { nodes { ...Msg receipts { nodes { ...R history { at } } } } } } } } }""",
    "directives": """query ($yes: Boolean!, $no: Boolean!) { user(id: "u1") { connections {
        nodes { status @include(if: $yes) ip @include(if: $no) platform @skip(if: $yes)
          deviceModel @skip(if: $no) ... @include(if: $no) { sdkVersion }
          sentMessages { nodes { msgUid @skip(if: $yes) result receipts { nodes {
            status @include(if: $yes) statusAt @skip(if: $yes) } } } } } } } }""",
    "typename": """{ user(id: "u1") { __typename connections { __typename pageInfo { __typename }
        edges { __typename node { __typename status } }
        nodes { __typename id sentMessages { nodes { __typename msgUid
          receiptSummary { __typename total } receipts { nodes { __typename status
            history { __typename at } pushAttempts { __typename provider } } } } } } } } }""",
    "arguments": """query ($status: ReceiptStatus, $first: Int) { user(id: "u1") {
        connections { nodes { sentMessages(first: 5) { nodes { statusSettled
          all: receipts { totalCount nodes { recipientId } }
          some: receipts(status: $status, first: $first) { pageInfo { hasNextPage endCursor } }
          one: receipts(recipientId: "u4") { nodes { status } } } } } } } }""",
    "argument_error": """{ user(id: "u1") { connections { nodes { sentMessages { nodes {
          msgUid receipts(first: -1) { totalCount } } } } } } }""",
    "node": """query ($id: ID!) { node(id: $id) { __typename id
        ... on ConnectionLog { status ip } ... on SentMessage { msgUid } } }""",
}


async def _fill(graph: Graph) -> None:
    await graph.ingest(
        opened("u1", "c1", 2 * HOUR, platform="IOS", osVersion="17.4", deviceModel="iPhone"),
        closed("u1", "c1", HOUR, reason="NETWORK_ERROR"),
        rejected("u1", 90 * MINUTE),
        sent("u1", "u2", 90 * MINUTE, "M1", connectionId="c1"),
        sent("u1", "g1", 80 * MINUTE, "M2", channel="GROUP", connectionId="c1"),
        sent("u1", "u3", 70 * MINUTE, None, result="BLOCKED_BY_BLOCKLIST"),
        receipt("offline", "M1", "u2", 89 * MINUTE),
        push("M1", "u2", 88 * MINUTE, success=False, errorCode="UNREGISTERED"),
        receipt("delivered", "M1", "u2", 80 * MINUTE),
        receipt("delivered", "M2", "u4", 79 * MINUTE),
        receipt("not_delivered", "M2", "u5", 79 * MINUTE),
    )


async def _both(monkeypatch: pytest.MonkeyPatch, run: Any, *args: Any) -> tuple[Any, Any]:
    results = []
    for flag in ("1", "0"):
        monkeypatch.setenv("TRACKING_GRAPHQL_FAST_PATH", flag)
        result = await run(*args)
        errors = [(e.message, e.path) for e in result.errors or []]
        results.append((result.data, errors))
    return results[0], results[1]


@pytest.mark.parametrize("shape", sorted(SHAPES))
async def test_shapes_answer_the_same_on_both_paths(
    graph: Graph, monkeypatch: pytest.MonkeyPatch, shape: str
) -> None:
    await _fill(graph)
    ids = await graph.data('{ user(id: "u1") { connections { nodes { id } } } }')
    variables = {
        "yes": True,
        "no": False,
        "status": "DELIVERED",
        "first": 1,
        "id": ids["user"]["connections"]["nodes"][0]["id"],
    }
    fast, plain = await _both(monkeypatch, graph.run, SHAPES[shape], variables)
    assert fast == plain
    data, errors = fast
    if shape == "argument_error":  # raised by the resolver, nulled up to the root
        assert data is None and errors and errors[0][0].startswith("first:")
    else:
        assert data and errors == []


async def test_aliases_and_directives_shape_the_response(graph: Graph) -> None:
    await _fill(graph)
    data = await graph.data(SHAPES["aliases"])
    log = data["user"]["connections"]["nodes"][1]
    assert list(log) == ["a", "b", "when", "id", "sdkVersion", "ip2", "sentMessages"]
    assert log["a"] == log["b"] == "CLOSED"
    _blocked, m1, _ = log["sentMessages"]["nodes"]
    assert (m1["uid"], m1["kind"], m1["p"]) == ("M2", "TEXT", None)
    assert [r["s"] for r in m1["receipts"]["nodes"]] == ["DELIVERED", "NOT_DELIVERED"]
    data = await graph.data(SHAPES["directives"], {"yes": True, "no": False})
    log = data["user"]["connections"]["nodes"][1]
    assert list(log) == ["status", "deviceModel", "sentMessages"]
    assert list(log["sentMessages"]["nodes"][0]) == ["result", "receipts"]


def _broken_store(graph: Graph, method: str, **changes: Any) -> Any:
    """The graph's store, with every record that ``method`` reads back changed by ``changes``."""

    def change(record: Any) -> Any:
        return dataclasses.replace(record, **changes)

    class Broken:
        retention_days = graph.store.retention_days

        def __getattr__(self, name: str) -> Any:
            return getattr(graph.store, name)

        async def connection_pages(self, app: str, requests: Any) -> list[Page[Any]]:
            pages = await graph.store.connection_pages(app, requests)
            if method != "connection_pages":
                return pages
            edges = [[dataclasses.replace(e, node=change(e.node)) for e in p.edges] for p in pages]
            return [Page(e, p.has_next_page) for e, p in zip(edges, pages, strict=True)]

        async def receipt_reads(self, app: str, requests: Any, scopes: Any) -> Any:
            pages, summaries = await graph.store.receipt_reads(app, requests, scopes)
            if method != "receipt_history":
                return pages, summaries

            def with_history(receipt: Any) -> Any:
                history = tuple(change(h) for h in receipt.history)
                return dataclasses.replace(receipt, history=history)

            edges = [
                [dataclasses.replace(e, node=with_history(e.node)) for e in p.edges] for p in pages
            ]
            changed = [Page(e, p.has_next_page) for e, p in zip(edges, pages, strict=True)]
            return changed, summaries

        async def recipient_push_attempts(self, app: str, keys: Any) -> list[list[Any]]:
            found = await graph.store.recipient_push_attempts(app, keys)
            return [[change(p) for p in ps] for ps in found] if method == "push_attempts" else found

    return Broken()


BAD_VALUES = [
    # null on a non-null field: propagates to the list item, and on up
    ("connection_pages", {"sdk_version": None}),
    # an int where a String is due: coerced as graphql-core does
    ("connection_pages", {"device_model": 42}),
    # a value String refuses: a nulled nullable field
    ("connection_pages", {"os_version": object()}),
    # not a value of the enum: an error on a non-null field
    ("connection_pages", {"platform": "MARS"}),
    # the same inside the sub-trees completed inline: history and push attempts
    ("receipt_history", {"at": "yesterday"}),
    ("push_attempts", {"provider": None}),
    ("push_attempts", {"error_code": 7}),
    ("push_attempts", {"success": "yes"}),
]


@pytest.mark.parametrize(("method", "changes"), BAD_VALUES)
async def test_bad_values_fail_as_graphql_says(
    graph: Graph, monkeypatch: pytest.MonkeyPatch, method: str, changes: dict[str, Any]
) -> None:
    await _fill(graph)
    store = _broken_store(graph, method, **changes)
    document = """{ user(id: "u1") { connections { nodes {
        status sdkVersion platform deviceModel osVersion
        sentMessages { nodes { msgUid receipts { nodes {
          status history { status at }
          pushAttempts { provider success errorCode } } } } } } } } }"""

    async def run() -> Any:
        context = Context(store, "app-a", Loaders.for_app(store, "app-a"))
        return await schema.execute(document, context_value=context)

    fast, plain = await _both(monkeypatch, run)
    assert fast == plain
    if changes in ({"device_model": 42}, {"error_code": 7}):
        assert fast[1] == []  # graphql-core coerces these
    else:
        assert fast[1], "expected an error"


def test_hot_types_have_inline_plans() -> None:
    graphql_schema = schema._schema
    names = {
        name: set(
            execution.plans_of(graphql_schema.type_map[name], lean_resolvers(graphql_schema)) or ()
        )  # type: ignore[arg-type]
        for name in (
            "ConnectionLog",
            "SentMessage",
            "Receipt",
            "ReceiptEvent",
            "PushAttempt",
            "PushError",
            "User",
        )
    }
    assert {"id", "status", "connectedAt", "ip"} <= names["ConnectionLog"]
    assert "sentMessages" not in names["ConnectionLog"]  # arguments: graphql-core's path
    assert {"id", "builtinType", "prompt", "sentAt"} <= names["SentMessage"]
    # repeatable resolvers with info or arguments: inline too; async ones are not
    assert {"statusSettled", "receipts", "receiptSummary", "diagnosis"} <= names["SentMessage"]
    assert "connection" not in names["SentMessage"]
    assert names["User"] == {"id", "connectionAt"}
    receipt = {"recipientId", "status", "statusAt", "pushSkipped", "history", "pushAttempts"}
    receipt.add("recipient")  # a plain function of the receipt: a User by its id
    receipt.add("diagnosis")  # computed with the receipt's node
    assert names["Receipt"] == receipt
    assert names["ReceiptEvent"] == {"status", "at"}
    assert names["PushAttempt"] == {
        "provider",
        "sentAt",
        "success",
        "errorCode",
        "errorDescription",
        "error",
    }
    assert names["PushError"] == {
        "provider",
        "code",
        "known",
        "meaning",
        "action",
        "advice",
        "retryable",
        "reference",
    }


def test_simple_resolvers_are_called_directly() -> None:
    graphql_schema = schema._schema
    table = lean_resolvers(graphql_schema)
    lean = {
        (type_name, name)
        for type_name in ("Query", "ConnectionLog", "SentMessage", "SentMessageConnection")
        for name, field in graphql_schema.type_map[type_name].fields.items()  # type: ignore[union-attr]
        if field.resolve in table
    }
    assert {("SentMessage", "receipts"), ("SentMessage", "statusSettled")} <= lean
    assert ("ConnectionLog", "sentMessages") not in lean  # async: Strawberry's own path
    assert ("Query", "sentMessages") not in lean  # an input object argument, converted
    assert ("SentMessageConnection", "totalCount") not in lean


def test_an_executor_without_the_overridden_signature_is_refused_in_words() -> None:
    from resolvers.fastpath.execution import _check_executor

    class Renamed:
        def execute_fields(self, parent_type, source, path, fields, position_context): ...  # type: ignore[no-untyped-def]

    with pytest.raises(ImportError, match=r"overrides Renamed\.execute_fields"):
        _check_executor(Renamed)
    with pytest.raises(ImportError, match=r"needs object\.execute_fields"):
        _check_executor(object)


async def test_an_operation_leaves_no_work_running_after_its_answer() -> None:
    """A non-null field failing beside a pending sibling: graphql-core settles the
    sibling in the background; the answer comes once that has ended too."""
    import asyncio

    import strawberry

    @strawberry.type
    class Item:
        n: int

        @strawberry.field
        async def slow(self) -> int:
            await asyncio.sleep(0.01)
            return self.n

        @strawberry.field
        def boom(self) -> int:
            if self.n == 2:
                raise ValueError("item 2 fails")
            return self.n

    @strawberry.type
    class Root:
        @strawberry.field
        def items(self) -> list[Item]:
            return [Item(n=1), Item(n=2)]

    tiny = strawberry.Schema(query=Root, execution_context_class=execution.FastExecutionContext)
    result = await tiny.execute("{ items { slow boom } }")
    assert result.data is None and result.errors
    current = asyncio.current_task()
    left = [t for t in asyncio.all_tasks() if t is not current and not t.done()]
    assert left == [], "the failed operation left work running"


def test_a_compiled_completer_reads_finishes_and_refuses_as_the_walk_would() -> None:
    """``resolvers.fastpath.compiled``: one factory a shape (response names are
    bound, not shaped); a completer gives the fields in order, returns a leaf of
    its own value type as it is, serialises the rest, and raises for None, an
    awaitable or an object its type refuses."""

    class Impure(Exception):
        pass

    shape = (
        True,
        (
            compiled.Field("typename", None, "call"),
            compiled.Field("attribute", "name", "same"),
            compiled.Field("call", None, "call"),
            compiled.Field("attribute", "status", "enum"),
        ),
    )
    make = compiled.object_factory(shape)
    assert compiled.object_factory(shape) is make

    class Status(enum.Enum):
        ON = "on"

    @dataclasses.dataclass
    class Source:
        name: Any
        n: int
        status: Any = Status.ON

    def accepts(value: Any, _info: Any) -> bool:
        return isinstance(value, Source)

    def awaitable(value: Any) -> bool:
        return value == "awaitable"

    names = {Status.ON: "ON"}
    complete = make(
        Impure,
        awaitable,
        accepts,
        "T",
        "__typename",
        "name",
        str,
        lambda v: f"<{v}>",
        "twice",
        lambda v: v.n * 2,
        str,
        "status",
        Status,
        names,
        lambda v: f"[{v}]",
    )
    assert list(complete(Source("a", 2)).items()) == [
        ("__typename", "T"),
        ("name", "a"),
        ("twice", "4"),
        ("status", "ON"),
    ]
    assert complete(Source(7, 1))["name"] == "<7>"  # not a str: the serialiser's
    assert complete(Source("a", 1, "on"))["status"] == "[on]"  # not a member: the same
    for refused in (None, "awaitable", object()):
        with pytest.raises(Impure):
            complete(refused)
