"""Fuzzing the input classes that once reached internal errors (cursors, time
zones, calendar-edge date-times, request bodies, operationName), over HTTP.

Each property: whatever the value, the answer is a client error (BAD_USER_INPUT,
OUT_OF_RETENTION, a validation error, BAD_REQUEST or a 400), never a 5xx or
INTERNAL_SERVER_ERROR.
"""

import base64
import json
from datetime import UTC, datetime, timedelta, timezone

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.fuzzing import fuzz_settings
from tests.server.http_helpers import Keys, bearer, check_graphql

pytestmark = pytest.mark.parametrize("backend_name", ["sqlite"])

CLIENT_CODES = {
    None,
    "BAD_USER_INPUT",
    "OUT_OF_RETENTION",
    "QUERY_TOO_COMPLEX",
    "BAD_REQUEST",
    "GRAPHQL_PARSE_FAILED",
    "GRAPHQL_VALIDATION_FAILED",
}
_INT64 = 2**63
_BEYOND_64_BITS = st.one_of(  # 19 digits, what a cursor's pattern lets through
    st.integers(_INT64, 10**19 - 1), st.integers(-(10**19 - 1), -_INT64 - 1)
)
_BIG = st.one_of(st.integers(-(2**80), 2**80), _BEYOND_64_BITS)
_CURSOR_TEXT = st.one_of(
    st.builds(lambda p, a, b: f"{p}:{a}:{b}", st.sampled_from("cmrx"), _BIG, _BIG),
    st.builds(lambda p, a, k: json.dumps([p, a, k]), st.sampled_from("cmr"), _BIG, st.text()),
    st.text(max_size=40),
)
_OVERFLOWING = st.one_of(  # a cursor of a real list with a position beyond 64 bits
    st.builds(lambda p, a, b: f"{p}:{a}:{b}", st.sampled_from("cmr"), _BEYOND_64_BITS, _BIG),
    st.builds(lambda p, a, b: f"{p}:{a}:{b}", st.sampled_from("cmr"), _BIG, _BEYOND_64_BITS),
    st.builds(lambda p, a: json.dumps([p, a, "k"]), st.sampled_from("cmr"), _BEYOND_64_BITS),
)


def _encoded(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


CURSORS = st.one_of(_CURSOR_TEXT.map(_encoded), _OVERFLOWING.map(_encoded), st.text(max_size=60))
ZONES = st.one_of(
    st.text(max_size=300),
    st.sampled_from(["", "UTC", "America", "Etc", "Etc/GMT+99", "../etc/passwd", "Asia/Shanghai"]),
    st.builds(lambda a, b: f"{a}/{b}", st.text(max_size=20), st.text(max_size=20)),
)
_OFFSETS = st.integers(-14 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m)))
DATE_TIMES = st.one_of(
    st.datetimes(timezones=_OFFSETS).map(lambda d: d.isoformat()),
    # the calendar's first and last days, where an offset leaves the calendar
    st.datetimes(max_value=datetime(1, 1, 2), timezones=_OFFSETS).map(lambda d: d.isoformat()),
    st.datetimes(min_value=datetime(9999, 12, 30), timezones=_OFFSETS).map(lambda d: d.isoformat()),
    st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=_OFFSETS
    ).map(lambda d: d.isoformat()),
    st.just(datetime.now(UTC).isoformat()),
)
# JSON has no NaN or Infinity (a client cannot even encode them), so neither is drawn.
JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)

_PAGES = """query ($after: String) {
  user(id: "u1") { connections(after: $after) { totalCount nodes {
    sentMessages(after: $after) { nodes { receipts(after: $after) { totalCount } } } } } }
  sentMessages(filter: {senderId: "u1"}, after: $after) { totalCount } }"""
_WINDOW = """query ($since: DateTime, $until: DateTime, $zone: String) {
  sentMessages(filter: {senderId: "u1", since: $since, until: $until, timeZone: $zone}) {
    totalCount }
  user(id: "u1") { connections(since: $since, until: $until) { totalCount } } }"""


@given(cursor=CURSORS)
@fuzz_settings(60)
async def test_any_cursor_is_a_client_error_at_worst(
    fuzz_client: httpx.AsyncClient, keys: Keys, cursor: str
) -> None:
    payload = {"query": _PAGES, "variables": {"after": cursor}}
    await check_graphql(fuzz_client, keys.read_a, payload, CLIENT_CODES)


@given(zone=ZONES, since=st.none() | DATE_TIMES, until=st.none() | DATE_TIMES)
@fuzz_settings(80)
async def test_any_time_zone_and_window_is_a_client_error_at_worst(
    fuzz_client: httpx.AsyncClient, keys: Keys, zone: str, since: str | None, until: str | None
) -> None:
    payload = {"query": _WINDOW, "variables": {"since": since, "until": until, "zone": zone}}
    await check_graphql(fuzz_client, keys.read_a, payload, CLIENT_CODES)


@given(body=JSON)
@fuzz_settings(60)
async def test_any_json_body_is_answered_as_graphql_json(
    fuzz_client: httpx.AsyncClient, keys: Keys, body: object
) -> None:
    response = await fuzz_client.post(
        "/graphql",
        content=json.dumps(body).encode(),  # any integer, even past 64 bits
        headers={**bearer(keys.read_a), "Content-Type": "application/json"},
    )
    assert response.status_code in (200, 400), response.text
    document = response.json()
    codes = [(e.get("extensions") or {}).get("code") for e in document.get("errors") or []]
    assert set(codes) <= CLIENT_CODES, (body, document)
    if response.status_code == 400:
        assert codes and None not in codes, "a 400 names its code"


@given(name=JSON)
@fuzz_settings(40)
async def test_any_operation_name_is_a_client_error_at_worst(
    fuzz_client: httpx.AsyncClient, keys: Keys, name: object
) -> None:
    payload = {"query": "query A { __typename } query B { __typename }", "operationName": name}
    await check_graphql(fuzz_client, keys.read_a, payload, CLIENT_CODES)


@pytest.mark.parametrize(
    ("document", "variables"),
    [
        (_PAGES, {"after": None}),
        (_WINDOW, {"since": None, "until": None, "zone": "Asia/Shanghai"}),
    ],
)
async def test_the_fuzzed_documents_run_with_good_values(
    fuzz_client: httpx.AsyncClient, keys: Keys, document: str, variables: dict[str, object]
) -> None:
    """The properties above would hold vacuously for a document that never validates."""
    payload = {"query": document, "variables": variables}
    response = await fuzz_client.post("/graphql", json=payload, headers=bearer(keys.read_a))
    body = response.json()
    assert "errors" not in body, body
    assert body["data"]["user"]["connections"]["totalCount"] >= 1
