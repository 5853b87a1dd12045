"""Fuzzing /graphql with queries generated from the schema (hypothesis-graphql), over HTTP.

Whatever the document: never a 5xx, never an internal error, and no error code
outside the documented ones. Valid documents (``Mode.POSITIVE``) and documents
with one schema violation (``Mode.NEGATIVE``) both run, against a store with
data in it, with random and real cursors, ids and date-times.
"""

from datetime import UTC, datetime, timedelta

import graphql
import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis_graphql import Mode, nodes, queries

from resolvers.schema import schema
from tests.fuzzing import fuzz_settings
from tests.server.http_helpers import Keys, check_graphql

# On SQLite only: this module fuzzes the HTTP and GraphQL layers, the same on every backend.
pytestmark = pytest.mark.parametrize("backend_name", ["sqlite"])

ALLOWED_CODES = {None, "BAD_USER_INPUT", "OUT_OF_RETENTION", "QUERY_TOO_COMPLEX"}
NOW = datetime.now(UTC)

_date_times = st.one_of(
    st.datetimes(
        min_value=(NOW - timedelta(days=9)).replace(tzinfo=None),
        max_value=(NOW + timedelta(days=1)).replace(tzinfo=None),
        timezones=st.sampled_from([UTC, None]),
    ).map(lambda d: d.isoformat()),
    st.text(max_size=30),
)
DOCUMENTS = st.one_of(
    queries(
        schema._schema,
        custom_scalars={"DateTime": _date_times.map(nodes.String)},
        mode=mode,
        print_ast=lambda document: document,
    )
    for mode in (Mode.POSITIVE, Mode.POSITIVE, Mode.NEGATIVE)
)


class _Focus(graphql.Visitor):
    """Replaces some generated argument values with values that reach stored data, so
    that the nested resolvers run too, not only the arguments' checks; drops some
    arguments (hypothesis-graphql always writes every argument)."""

    def __init__(self, data: st.DataObject, pools: dict[str, list[str]]) -> None:
        super().__init__()
        self.data = data
        self.pools = pools

    def enter_argument(self, node: graphql.ArgumentNode, *_: object) -> object:
        if self.data.draw(st.integers(0, 4), label=f"drop {node.name.value}") == 0:
            return graphql.REMOVE  # also fields without arguments, and missing required ones
        return self._replace(node)

    def enter_object_field(
        self, node: graphql.ObjectFieldNode, *_: object
    ) -> graphql.ObjectFieldNode:
        return self._replace(node)

    def _replace(self, node: graphql.ArgumentNode | graphql.ObjectFieldNode) -> object:
        name = node.name.value
        if not self.data.draw(st.booleans(), label=f"focus {name}"):
            return node
        if name == "first" and isinstance(node.value, graphql.IntValueNode):
            value: graphql.ValueNode = graphql.IntValueNode(
                value=str(self.data.draw(st.integers(0, 25)))
            )
        elif name in self.pools and isinstance(node.value, graphql.StringValueNode):
            value = graphql.StringValueNode(value=self.data.draw(st.sampled_from(self.pools[name])))
        else:
            return node
        return type(node)(name=node.name, value=value)


async def check(client: httpx.AsyncClient, key: str, payload: object) -> None:
    await check_graphql(client, key, payload, ALLOWED_CODES)


@fuzz_settings(examples=300)
@given(document=DOCUMENTS, data=st.data())
async def test_generated_queries_never_fail_the_server(
    fuzz_client: httpx.AsyncClient,
    keys: Keys,
    fuzz_pools: dict[str, list[str]],
    document: graphql.DocumentNode,
    data: st.DataObject,
) -> None:
    focused = graphql.visit(document, _Focus(data, fuzz_pools))
    await check(fuzz_client, keys.read_a, {"query": graphql.print_ast(focused)})


ARGUMENT_QUERY = """query ($id: ID!, $m: String!, $after: String, $first: Int,
    $since: DateTime, $until: DateTime, $filter: SentMessageFilter!) {
  node(id: $id) { id }
  message(msgUid: $m) { receipts(first: $first, after: $after) { totalCount } }
  user(id: $id) { connections(since: $since, until: $until, first: $first, after: $after) {
    totalCount nodes { sentMessages(first: $first, after: $after) { totalCount } } } }
  sentMessages(filter: $filter, first: $first, after: $after) { totalCount }
}"""

_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=8,
)
_strings = st.one_of(
    st.text(max_size=40),
    st.binary(max_size=30).map(lambda b: __import__("base64").urlsafe_b64encode(b).decode()),
    st.sampled_from(["", "=", "WyJ4Il0", "WyJTZW50TWVzc2FnZSJd", "W10", "bnVsbA"]),
)
_filter = st.fixed_dictionaries(
    {"senderId": _strings},
    optional={
        "msgUid": _strings,
        "targetId": _strings,
        "channelType": st.sampled_from(["DIRECT", "GROUP", "OPEN", "SYSTEM", "NOPE"]),
        "messageType": st.one_of(
            st.fixed_dictionaries({"builtin": st.sampled_from(["TEXT", "IMAGE", "X"])}),
            st.fixed_dictionaries({"custom": _strings}),
            _json,
        ),
        "source": st.sampled_from(["ANDROID", "SERVER_API", "x"]),
        "since": _date_times,
        "until": _date_times,
        "timeZone": st.one_of(st.sampled_from(["UTC", "Asia/Shanghai", "Mars/Base"]), _strings),
    },
)
VARIABLES = st.fixed_dictionaries(
    {"id": _strings, "m": _strings, "filter": st.one_of(_filter, _json)},
    optional={
        "after": _strings,
        "first": st.one_of(st.integers(-5, 120), st.integers(), _json),
        "since": _date_times,
        "until": _date_times,
    },
)


@fuzz_settings(examples=200)
@given(variables=VARIABLES)
async def test_generated_variables_never_fail_the_server(
    fuzz_client: httpx.AsyncClient, keys: Keys, variables: dict
) -> None:
    await check(fuzz_client, keys.read_a, {"query": ARGUMENT_QUERY, "variables": variables})
