"""Client-caused failures answer a GraphQL JSON error naming the cause, never an internal one."""

import base64
import json

import httpx
import pytest

from tests.server.http_helpers import Keys, bearer, every_type, ndjson


def _b64(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _codes(response: httpx.Response) -> list[str]:
    assert response.headers["content-type"].startswith("application/json"), response.text
    return [e["extensions"]["code"] for e in response.json()["errors"]]


async def _post(client: httpx.AsyncClient, keys: Keys, body: object) -> httpx.Response:
    return await client.post("/graphql", json=body, headers=bearer(keys.read_a))


@pytest.mark.parametrize(
    "raw",
    [
        "c:9999999999999999999:1",
        "c:1:9999999999999999999",
        "c:-9999999999999999999:1",
        '["c", 99999999999999999999999, "k"]',
        '["c", -99999999999999999999999, "k"]',
    ],
)
async def test_a_cursor_with_a_number_beyond_64_bits_is_bad_user_input(
    client: httpx.AsyncClient, keys: Keys, raw: str
) -> None:
    await client.post("/v1/events", content=ndjson(every_type()), headers=bearer(keys.ingest_a))
    cursor = json.dumps(_b64(raw))
    query = f'{{ user(id: "u1") {{ connections(after: {cursor}) {{ totalCount }} }} }}'
    response = await _post(client, keys, {"query": query})
    assert _codes(response) == ["BAD_USER_INPUT"]
    assert "after" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize("zone", ["America", "Etc", "A" * 300, "", "../etc", "America/"])
async def test_a_bad_time_zone_is_bad_user_input(
    client: httpx.AsyncClient, keys: Keys, zone: str
) -> None:
    query = (
        'query($z: String) { sentMessages(filter: {senderId: "u1", timeZone: $z}) { totalCount } }'
    )
    response = await _post(client, keys, {"query": query, "variables": {"z": zone}})
    assert _codes(response) == ["BAD_USER_INPUT"]
    assert "timeZone" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("since", "0001-01-01T00:00:00+14:00"),
        ("until", "0001-01-01T00:00:00+14:00"),
        ("since", "9999-12-31T23:59:59-14:00"),
        ("until", "9999-12-31T23:59:59-14:00"),
    ],
)
async def test_a_date_at_the_calendar_limits_is_a_clean_error(
    client: httpx.AsyncClient, keys: Keys, field: str, value: str
) -> None:
    query = f'{{ sentMessages(filter: {{senderId: "u1", {field}: "{value}"}}) {{ totalCount }} }}'
    response = await _post(client, keys, {"query": query})
    codes = _codes(response)
    assert codes and "INTERNAL_SERVER_ERROR" not in codes, response.text


NOT_JSON = [  # tokens JSON does not have, which Python's own decoder would let through
    '{"query": "{ __typename }", "operationName": Infinity}',
    '{"query": "{ __typename }", "variables": {"x": NaN}}',
]


@pytest.mark.parametrize("body", ["null", "5", '"x"', "true", "[]", "[1]", *NOT_JSON])
async def test_a_body_that_is_not_a_json_object_is_a_400_graphql_error(
    client: httpx.AsyncClient, keys: Keys, body: str
) -> None:
    headers = {**bearer(keys.read_a), "content-type": "application/json"}
    response = await client.post("/graphql", content=body, headers=headers)
    assert response.status_code == 400
    assert _codes(response) == ["BAD_REQUEST"]


@pytest.mark.parametrize("name", [{}, ["a"], 5, True])
async def test_a_non_string_operation_name_is_a_400_graphql_error(
    client: httpx.AsyncClient, keys: Keys, name: object
) -> None:
    response = await _post(client, keys, {"query": "{ __typename }", "operationName": name})
    assert response.status_code == 400
    assert _codes(response) == ["BAD_REQUEST"]
    assert "operationName" in response.json()["errors"][0]["message"]


async def test_an_unknown_operation_name_is_a_graphql_json_error(
    client: httpx.AsyncClient, keys: Keys
) -> None:
    response = await _post(client, keys, {"query": "query A { __typename }", "operationName": "B"})
    assert response.status_code == 400
    assert _codes(response) == ["BAD_REQUEST"]
    assert '"B"' in response.json()["errors"][0]["message"]


async def test_a_batch_is_a_graphql_json_error(client: httpx.AsyncClient, keys: Keys) -> None:
    response = await _post(client, keys, [{"query": "{ __typename }"}])
    assert response.status_code == 400
    assert _codes(response) == ["BAD_REQUEST"]


async def test_two_operations_without_an_operation_name_is_an_error(
    client: httpx.AsyncClient, keys: Keys
) -> None:
    document = "query A { __typename } query B { __typename }"
    response = await _post(client, keys, {"query": document})
    assert response.status_code == 200  # a validation error, as GraphQL over HTTP asks for JSON
    assert response.json()["data"] is None
    assert _codes(response) == ["BAD_REQUEST"]
    assert "operationName" in response.json()["errors"][0]["message"]
    named = await _post(client, keys, {"query": document, "operationName": "B"})
    assert named.json()["data"] == {"__typename": "Query"}


@pytest.mark.parametrize(
    ("path", "which", "status", "code"),
    [
        ("/graphql", None, 401, "UNAUTHENTICATED"),
        ("/graphql", "ingest_a", 403, "FORBIDDEN"),
        ("/v1/events", None, 401, "UNAUTHENTICATED"),
        ("/v1/events", "read_a", 403, "FORBIDDEN"),
    ],
)
async def test_auth_failures_keep_json_and_carry_graphql_errors(
    client: httpx.AsyncClient, keys: Keys, path: str, which: str | None, status: int, code: str
) -> None:
    headers = bearer(getattr(keys, which)) if which else {}
    response = await client.post(path, json={"query": "{ __typename }"}, headers=headers)
    assert response.status_code == status
    body = response.json()
    assert body["error"]["code"] == code
    [error] = body["errors"]
    assert error == {"message": body["error"]["message"], "extensions": {"code": code}}


GRAPHQL_RESPONSE = "application/graphql-response+json"


@pytest.mark.parametrize(
    ("document", "variables", "code"),
    [
        ("{ user(id: ", None, "GRAPHQL_PARSE_FAILED"),
        ("{ nosuchfield }", None, "GRAPHQL_VALIDATION_FAILED"),
        ("query ($n: Int) { user(id: $n) { id } }", None, "GRAPHQL_VALIDATION_FAILED"),
        ("query ($id: String!) { user(id: $id) { id } }", {"id": 5}, "BAD_USER_INPUT"),
    ],
)
async def test_graphql_response_json_refuses_unrunnable_requests_with_400_and_no_data(
    client: httpx.AsyncClient, keys: Keys, document: str, variables: object, code: str
) -> None:
    headers = {**bearer(keys.read_a), "Accept": f"{GRAPHQL_RESPONSE}, application/json;q=0.9"}
    body = {"query": document, "variables": variables}
    response = await client.post("/graphql", json=body, headers=headers)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith(GRAPHQL_RESPONSE)
    assert "data" not in response.json()
    assert response.json()["errors"], response.text
    plain = await _post(client, keys, body)  # application/json: 200 with data null, as before
    assert plain.status_code == 200 and plain.json()["data"] is None


async def test_graphql_response_json_keeps_200_and_data_when_execution_ran(
    client: httpx.AsyncClient, keys: Keys
) -> None:
    headers = {**bearer(keys.read_a), "Accept": GRAPHQL_RESPONSE}
    query = '{ ok: __typename user(id: "u1") { connections(after: "nope") { totalCount } } }'
    response = await client.post("/graphql", json={"query": query}, headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(GRAPHQL_RESPONSE)
    body = response.json()
    assert "data" in body, "execution ran: its data entry stays (null after propagation)"
    assert body["errors"][0]["path"][:2] == ["user", "connections"]


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
async def test_another_method_is_a_405_graphql_error(
    client: httpx.AsyncClient, keys: Keys, method: str
) -> None:
    response = await client.request(method, "/graphql", headers=bearer(keys.read_a))
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"
    assert _codes(response) == ["METHOD_NOT_ALLOWED"]
