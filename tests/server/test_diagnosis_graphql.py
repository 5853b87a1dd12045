"""Diagnosis and navigation over HTTP (SPEC §7), data ingested through ``POST /v1/events``:
every verdict, the same whatever the arrival order, and the bad input of ``at``."""

import random
from typing import Any

import httpx
import pytest

from resolvers.scalars import format_ms
from store.diagnosis import utc
from tests.events import HOUR, MINUTE
from tests.events import now as events_now
from tests.server.diagnosis_scenario import ALICE, CAROL_BACK_AGO, LONG_AGO, SENT_AGO, events
from tests.server.http_helpers import Keys, bearer, gql, ndjson

pytestmark = pytest.mark.usefixtures("execution_path")  # every test, both paths


def ago(ms: int, now: int) -> str:
    return format_ms(now - ms)


async def post(client: httpx.AsyncClient, key: str, batch: list[dict[str, Any]]) -> None:
    response = await client.post("/v1/events", content=ndjson(batch), headers=bearer(key))
    assert response.json()["accepted"] == len(batch), response.text


async def _scenario(client: httpx.AsyncClient, keys: Keys) -> dict[str, Any]:
    """app-a gets the events in order in one batch; app-b the same events shuffled,
    one a request (late and out of order: receipts before their message, a close
    before its open). Returns alice's diagnoses in both apps."""
    ordered = events("app-a")
    await post(client, keys.ingest_a, ordered)
    shuffled = [{**event, "appKey": "app-b"} for event in ordered]
    random.Random(12).shuffle(shuffled)
    for event in shuffled:
        await post(client, keys.ingest_b, [event])
    now = events_now()  # the now the events were built from
    variables = {
        "since": ago(3 * HOUR, now),
        "at1": ago(150 * MINUTE, now),
        "at2": ago(90 * MINUTE, now),
        "at3": ago(39 * MINUTE, now),
    }
    a = await gql(client, keys.read_a, ALICE, variables)
    b = await gql(client, keys.read_b, ALICE, variables)
    assert "errors" not in a, a
    return {"a": a["data"], "b": b["data"], "now": now}


def by_msg(data: dict[str, Any]) -> dict[str | None, dict[str, Any]]:
    return {m["msgUid"]: m for part in ("direct", "group", "open") for m in data[part]["nodes"]}


def receipt(data: dict[str, Any], msg_uid: str, recipient: str) -> dict[str, Any]:
    [found] = [
        r for r in by_msg(data)[msg_uid]["receipts"]["nodes"] if r["recipientId"] == recipient
    ]
    assert found["recipient"] == {"id": recipient}
    diagnosis: dict[str, Any] = found["diagnosis"]
    return diagnosis


async def test_arrival_order_does_not_change_any_diagnosis(
    client: httpx.AsyncClient, keys: Keys
) -> None:
    """Messages sent at one instant list in a stable order of the store's own (arrival
    on SQLite): compared by msgUid; everything else as a whole."""
    scenario = await _scenario(client, keys)
    a, b = scenario["a"], scenario["b"]
    assert by_msg(a) == by_msg(b)
    users = ("alice", "dave", "nobody")
    assert {u: a[u] for u in users} == {u: b[u] for u in users}


async def test_send_diagnosis_verdicts(client: httpx.AsyncClient, keys: Keys) -> None:
    scenario = await _scenario(client, keys)
    data = scenario["a"]
    connected = data["alice"]["connected"]
    assert connected["verdict"] == "CONNECTED" and connected["settled"]
    assert [f["code"] for f in connected["findings"]] == ["CONNECTION_OPEN"]
    between = data["alice"]["between"]
    assert between["verdict"] == "NOT_CONNECTED"
    assert [f["code"] for f in between["findings"]] == ["CONNECTION_CLOSED", "NEXT_CONNECTION"]
    assert "network error" in between["summary"] and "connected again at" in between["summary"]
    dave = data["dave"]["sendDiagnosis"]
    assert dave["verdict"] == "CONNECTION_REJECTED"
    assert "TOKEN_INVALID, APP_BLOCKED" in dave["summary"]
    assert [f["code"] for f in dave["findings"]] == ["CONNECTION_REFUSED"] * 2
    assert data["nobody"]["sendDiagnosis"]["verdict"] == "NO_DATA"


async def test_message_verdicts(client: httpx.AsyncClient, keys: Keys) -> None:
    scenario = await _scenario(client, keys)
    messages = by_msg(scenario["a"])
    verdicts = {uid: m["diagnosis"]["verdict"] for uid, m in messages.items()}
    assert verdicts == {
        "M-DEL": "DELIVERED",
        "M-LATE": "DELIVERED",
        "M-NF": "NOT_DELIVERED",
        "M-PS": "NOT_DELIVERED",
        "M-PF": "NOT_DELIVERED",
        "M-SK": "NOT_DELIVERED",
        "M-NP": "NOT_DELIVERED",
        "M-NS": "NOT_DELIVERED",
        "M-PEND": "IN_PROGRESS",
        "M-GRP": "PARTIALLY_DELIVERED",
        None: "BLOCKED",
        "M-OPEN": "NOT_TRACKED",
    }
    assert not messages["M-PEND"]["diagnosis"]["settled"]
    assert "gap in the tracking data" in messages["M-NS"]["diagnosis"]["summary"]
    blocked = messages[None]["diagnosis"]
    assert "blocklist" in blocked["summary"] and blocked["settled"]
    assert messages[None]["receipts"]["nodes"] == []
    assert messages["M-DEL"]["sender"] == {"id": "alice"}
    assert messages["M-DEL"]["connection"] == {"connectionId": "c2"}
    assert messages["M-PS"]["connection"] is None  # SERVER_API


async def test_receipt_verdicts(client: httpx.AsyncClient, keys: Keys) -> None:
    scenario = await _scenario(client, keys)
    data, now = scenario["a"], scenario["now"]
    verdicts = {
        (uid, r["recipientId"]): r["diagnosis"]["verdict"]
        for uid, m in by_msg(data).items()
        for r in m["receipts"]["nodes"]
    }
    assert verdicts == {
        ("M-DEL", "bob"): "DELIVERED",
        ("M-LATE", "kim"): "DELIVERED",
        ("M-NF", "carol"): "NOT_FETCHED",
        ("M-PS", "erin"): "PUSH_SENT",
        ("M-PF", "frank"): "PUSH_FAILED",
        ("M-SK", "gina"): "PUSH_SKIPPED",
        ("M-NP", "hank"): "NO_PUSH_RECORD",
        ("M-NS", "ivan"): "NO_STATUS",
        ("M-PEND", "judy"): "PENDING",
        ("M-GRP", "bob"): "DELIVERED",
        ("M-GRP", "frank"): "PUSH_FAILED",
    }
    fetched = receipt(data, "M-NF", "carol")
    back = utc(now - CAROL_BACK_AGO)
    assert f"fetched at the next login, at {back[:-7]}" in fetched["summary"]
    codes = [f["code"] for f in fetched["findings"]]
    assert codes == ["RECIPIENT_CONNECTED_AT_SEND", "NOTIFIED_NOT_FETCHED", "NEXT_CONNECTION"]
    ats = [f["at"] for f in fetched["findings"]]
    assert ats == sorted(ats)
    failed = receipt(data, "M-PF", "frank")
    assert "all 2 push attempts failed" in failed["summary"]
    assert "BadDeviceToken" in failed["summary"] and "What to do:" in failed["summary"]
    assert [f["code"] for f in failed["findings"]].count("PUSH_REFUSED") == 2
    assert "not shown on the device" in receipt(data, "M-PS", "erin")["summary"]
    assert "NO_PUSH_TOKEN" in receipt(data, "M-SK", "gina")["summary"]
    gap = receipt(data, "M-NS", "ivan")
    assert "gap in the tracking data" in gap["summary"] and gap["settled"]
    pending = receipt(data, "M-PEND", "judy")
    assert not pending["settled"] and "settles at" in pending["summary"]
    late = receipt(data, "M-LATE", "kim")
    assert [f["code"] for f in late["findings"]] == ["STORED_OFFLINE", "DELIVERED_ONLINE"]
    assert utc(now - SENT_AGO)[:16] in late["summary"]


CONNECTION_AT = """query ($at: DateTime!) { user(id: "alice") {
  connectionAt(at: $at) { connectionId status }
  sendDiagnosis(at: $at) { verdict }
} }"""


async def test_connection_at_and_bad_instants(client, keys: Keys) -> None:
    await post(client, keys.ingest_a, events("app-a"))
    now = events_now()  # the now the events were built from
    body = await gql(client, keys.read_a, CONNECTION_AT, {"at": ago(150 * MINUTE, now)})
    assert body["data"]["user"]["connectionAt"] == {"connectionId": "c1", "status": "CLOSED"}
    body = await gql(client, keys.read_a, CONNECTION_AT, {"at": ago(90 * MINUTE, now)})
    assert body["data"]["user"]["connectionAt"] is None
    for at, code, words in (
        (format_ms(now + 10 * MINUTE), "BAD_USER_INPUT", "in the future"),
        (ago(LONG_AGO, now), "OUT_OF_RETENTION", "retention horizon"),
    ):
        body = await gql(client, keys.read_a, CONNECTION_AT, {"at": at})
        assert body["data"] is None
        errors = body["errors"]
        assert {e["extensions"]["code"] for e in errors} == {code}, errors
        assert all(e["message"].startswith("at: ") and words in e["message"] for e in errors)
    body = await gql(client, keys.read_b, CONNECTION_AT, {"at": ago(150 * MINUTE, now)})
    assert body["data"]["user"] == {"connectionAt": None, "sendDiagnosis": {"verdict": "NO_DATA"}}


async def test_viewer(client, keys: Keys) -> None:
    body = await gql(client, keys.read_b, "{ viewer { app retentionDays settleMinutes } }")
    assert body["data"] == {"viewer": {"app": "app-b", "retentionDays": 7, "settleMinutes": 5}}


async def test_empty_push_error_code_is_bad_input(client, keys: Keys) -> None:
    body = await gql(client, keys.read_a, '{ pushErrors(code: "") { code } }')
    [error] = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT" and "code:" in error["message"]
