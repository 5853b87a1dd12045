"""/graphql: read-key authentication, app scoping over HTTP, GraphiQL ready to use."""

import json
import re

import httpx
import orjson
import pytest

from server.app import create_app
from server.demo import SHOWCASE_USER, load_demo
from server.graphql import DIAGNOSIS_FIELDS, console_query
from store.interface import Store
from tests.server.http_helpers import Keys, bearer, every_type, ndjson, sqlite_only

pytestmark = pytest.mark.usefixtures("execution_path")  # every test, both paths

USER_QUERY = """{ user(id: "u1") { connections(first: 5) { totalCount nodes {
  connectionId status sentMessages { nodes { msgUid receipts { nodes { status } } } } } } } }"""
MESSAGE_QUERY = '{ message(msgUid: "M1") { msgUid senderId } }'


async def gql(client: httpx.AsyncClient, key: str | None, query: str) -> httpx.Response:
    headers = bearer(key) if key else {}
    return await client.post("/graphql", json={"query": query}, headers=headers)


async def _ingest_two_apps(client: httpx.AsyncClient, keys: Keys) -> None:
    """The same user and msgUid in app-a and app-b; app-b's has no receipts."""
    a = every_type("app-a")
    b = [e for e in every_type("app-b") if e["type"] != "message.delivered"]
    response = await client.post(
        "/v1/events", content=ndjson(a + b), headers=bearer(keys.ingest_all)
    )
    assert response.json()["accepted"] == len(a) + len(b)


async def test_read_key_queries_its_app(client, keys: Keys):
    await _ingest_two_apps(client, keys)
    response = await gql(client, keys.read_a, USER_QUERY)
    assert response.status_code == 200
    body = response.json()
    assert "errors" not in body
    connections = body["data"]["user"]["connections"]
    assert connections["totalCount"] == 2
    statuses = {n["status"] for n in connections["nodes"]}
    assert statuses == {"CLOSED", "REJECTED"}
    closed = next(n for n in connections["nodes"] if n["status"] == "CLOSED")
    [message] = closed["sentMessages"]["nodes"]
    assert message["receipts"]["nodes"] == [{"status": "DELIVERED"}]


async def test_each_read_key_sees_only_its_app(client, keys: Keys):
    await _ingest_two_apps(client, keys)
    a = (await gql(client, keys.read_a, MESSAGE_QUERY)).json()["data"]["message"]
    b = (await gql(client, keys.read_b, MESSAGE_QUERY)).json()["data"]["message"]
    assert a == b == {"msgUid": "M1", "senderId": "u1"}
    receipts = '{ message(msgUid: "M1") { receipts { nodes { status } } } }'
    a = (await gql(client, keys.read_a, receipts)).json()["data"]["message"]["receipts"]["nodes"]
    b = (await gql(client, keys.read_b, receipts)).json()["data"]["message"]["receipts"]["nodes"]
    assert (a, b) == ([{"status": "DELIVERED"}], [{"status": "NOT_DELIVERED"}])


async def test_other_apps_data_is_invisible(client, keys: Keys):
    await client.post(
        "/v1/events", content=ndjson(every_type("app-a")), headers=bearer(keys.ingest_a)
    )
    node = (await gql(client, keys.read_a, USER_QUERY)).json()["data"]["user"]["connections"]
    assert node["totalCount"] == 2
    ids = '{ user(id: "u1") { connections { nodes { id } } } }'
    data = (await gql(client, keys.read_a, ids)).json()["data"]
    first = data["user"]["connections"]["nodes"][0]
    by_id = f"{{ node(id: {json.dumps(first['id'])}) {{ id }} }}"
    assert (await gql(client, keys.read_a, by_id)).json()["data"]["node"] == first
    assert (await gql(client, keys.read_b, by_id)).json()["data"]["node"] is None
    assert (await gql(client, keys.read_b, MESSAGE_QUERY)).json()["data"]["message"] is None
    other = (await gql(client, keys.read_b, USER_QUERY)).json()["data"]["user"]
    assert other["connections"] == {"totalCount": 0, "nodes": []}


async def test_missing_key_is_401(client):
    response = await gql(client, None, MESSAGE_QUERY)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "UNAUTHENTICATED"


async def test_unknown_key_is_401(client):
    assert (await gql(client, "ptk_0000_nope", MESSAGE_QUERY)).status_code == 401


async def test_ingest_key_is_403(client, keys: Keys):
    response = await gql(client, keys.ingest_a, MESSAGE_QUERY)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "FORBIDDEN"


async def test_get_query_needs_a_key(client, keys: Keys):
    params = {"query": MESSAGE_QUERY}
    assert (await client.get("/graphql", params=params)).status_code == 401
    response = await client.get("/graphql", params=params, headers=bearer(keys.read_a))
    assert response.status_code == 200
    assert response.json()["data"] == {"message": None}


async def test_errors_carry_no_internal_detail(client, keys: Keys, store: Store, monkeypatch):
    async def broken(*args, **kwargs):
        raise RuntimeError("sqlite3.OperationalError at /secret/path.db line 42")

    monkeypatch.setattr(store, "messages_by_key", broken)
    monkeypatch.setattr(store, "message_pages", broken)
    body = (await gql(client, keys.read_a, MESSAGE_QUERY)).json()
    text = orjson.dumps(body).decode()
    assert body["errors"]
    assert "secret" not in text and "Traceback" not in text and "sqlite3" not in text
    bad = await client.post(
        "/graphql",
        content=b"{nope",
        headers={**bearer(keys.read_a), "Content-Type": "application/json"},
    )
    assert bad.status_code == 400
    assert "Traceback" not in bad.text


async def test_graphiql_page_needs_no_key(client):
    response = await client.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "<title>Nexconn Data Tracking</title>" in response.text
    assert "polaris-tracking keys create" in response.text  # the header hint without --demo


async def test_graphiql_comes_with_the_console_query_and_no_key(store: Store):
    app = create_app(store, example_user="alice")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        html = (await client.get("/graphql", headers={"Accept": "text/html"})).text
    assert "ptk_" not in html  # no key in the page: the browser brings its own
    assert "shouldPersistHeaders: false" in html
    assert "location.hash" in html and 'sessionStorage.getItem("nexconn.readKey")' in html
    match = re.search(r"parameters\.q \|\| (\"(?:[^\"\\]|\\.)*\")", html)
    assert match is not None
    example = json.loads(match.group(1))
    assert example == console_query("alice", diagnosis=DIAGNOSIS_FIELDS)
    assert example.count("diagnosis { verdict summary }") == 2  # messages and receipts


async def test_graphiql_offline_says_why_and_links_to_the_console(client):
    html = (await client.get("/graphql", headers={"Accept": "text/html"})).text
    assert '<a href="/console">' in html
    assert "could not load: its scripts come from unpkg.com" in html
    assert "if (!window.React || !window.ReactDOM || !window.GraphiQL" in html


@sqlite_only  # volume test: mongomock scans every document, the backend is not under test
async def test_the_console_query_runs_on_demo_data(client, store: Store):
    from server.auth import create_key
    from store.model import KeyRole

    accepted, rejected = await load_demo(store, users=6)
    assert accepted > 1000 and rejected == 0
    _, key = await create_key(store, "demo", KeyRole.READ)
    response = await gql(client, key, console_query(SHOWCASE_USER))
    body = response.json()
    assert "errors" not in body, body.get("errors")
    nodes = body["data"]["user"]["connections"]["nodes"]
    assert len(nodes) == 20
    assert {n["platform"] for n in nodes} == {"ANDROID", "IOS", "HARMONYOS", "WEB", "DESKTOP"}
    messages = [m for n in nodes for m in n["sentMessages"]["nodes"]]
    receipts = [r for m in messages for r in m["receipts"]["nodes"]]
    attempts = [a for r in receipts for a in r["pushAttempts"]]
    assert {r["status"] for r in receipts} >= {"DELIVERED", "NOT_DELIVERED", "OFFLINE", "PENDING"}
    assert {a["errorCode"] for a in attempts} >= {"BadDeviceToken", "UNREGISTERED", "80300007"}
    assert any(m["prompt"] for m in messages)
