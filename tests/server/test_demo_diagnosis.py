"""The demo shows every verdict of the diagnosis on the showcase user's first page,
through GraphiQL's example query (the console query with diagnoses)."""

from typing import Any

import httpx

from server.auth import create_key
from server.demo import SHOWCASE_USER, load_demo
from server.graphql import console_query
from store.interface import Store
from store.model import KeyRole, Verdict
from tests.server.http_helpers import bearer, sqlite_only

MESSAGE_VERDICTS = {
    "BLOCKED",
    "DELIVERED",
    "PARTIALLY_DELIVERED",
    "NOT_DELIVERED",
    "IN_PROGRESS",
    "NOT_TRACKED",
}
RECEIPT_VERDICTS = {
    "DELIVERED",
    "NOT_FETCHED",
    "PUSH_SENT",
    "PUSH_FAILED",
    "PUSH_SKIPPED",
    "NO_PUSH_RECORD",
    "PENDING",
    "NO_STATUS",
}
SEND = """query ($at: DateTime!) { user(id: "alice") { sendDiagnosis(at: $at) { verdict } } }"""


async def post(client: httpx.AsyncClient, key: str, query: str, **variables: Any) -> Any:
    body = {"query": query, "variables": variables}
    response = await client.post("/graphql", json=body, headers=bearer(key))
    document = response.json()
    assert "errors" not in document, document["errors"]
    return document["data"]


@sqlite_only  # volume test: mongomock scans every document, the backend is not under test
async def test_every_verdict_on_the_showcase_users_first_page(client, store: Store) -> None:
    _accepted, rejected = await load_demo(store, users=4)
    assert rejected == 0
    _, key = await create_key(store, "demo", KeyRole.READ)
    data = await post(client, key, console_query(SHOWCASE_USER, diagnosis="verdict summary"))
    connections = data["user"]["connections"]["nodes"]
    messages = [m for c in connections for m in c["sentMessages"]["nodes"]]
    receipts = [r for m in messages for r in m["receipts"]["nodes"]]
    assert {m["diagnosis"]["verdict"] for m in messages} == MESSAGE_VERDICTS
    assert {r["diagnosis"]["verdict"] for r in receipts} == RECEIPT_VERDICTS
    fetched = [r for r in receipts if r["diagnosis"]["verdict"] == "NOT_FETCHED"]
    assert any("fetched at the next login, at " in r["diagnosis"]["summary"] for r in fetched)
    # sendDiagnosis: at a refused attempt, at the start and end of each closed session
    rejected_at = next(c for c in connections if c["status"] == "REJECTED")["connectedAt"]
    closed = [c for c in connections if c["status"] == "CLOSED"]
    verdicts = set()
    instants = [rejected_at, *(c[at] for c in closed for at in ("connectedAt", "disconnectedAt"))]
    for at in instants:
        verdicts.add((await post(client, key, SEND, at=at))["user"]["sendDiagnosis"]["verdict"])
    assert verdicts == {"CONNECTION_REJECTED", "CONNECTED", "NOT_CONNECTED"}
    assert MESSAGE_VERDICTS | RECEIPT_VERDICTS | verdicts | {"NO_DATA"} == set(Verdict)
