"""The push error catalogue over HTTP: ``PushAttempt.error`` for attempts ingested through
``POST /v1/events``, and ``Query.pushErrors`` with its filters and its bad input."""

import httpx
import pytest

from store.model import PushProvider
from store.push_errors import catalogue
from tests.server.http_helpers import Keys, bearer, gql, ndjson, wire

pytestmark = pytest.mark.usefixtures("execution_path")  # every test, both paths

ERROR_FIELDS = "provider code known meaning action advice retryable reference"
ATTEMPTS = f"""{{ message(msgUid: "P1") {{ receipts {{ nodes {{ recipientId
  pushAttempts {{ provider success errorCode errorDescription error {{ {ERROR_FIELDS} }} }}
}} }} }} }}"""
PUSH_ERRORS = f"""query ($provider: PushProvider, $code: String) {{
  pushErrors(provider: $provider, code: $code) {{ {ERROR_FIELDS} }}
}}"""


async def _ingest_attempts(client: httpx.AsyncClient, keys: Keys) -> None:
    """A group message P1: u2 got a known APNs error in status-reason form, u3 an FCM code
    the catalogue does not know, u4 a successful Huawei push."""
    message = {"senderId": "u1", "targetId": "g1", "channelType": "GROUP", "source": "IOS"}
    events = [
        wire(1, "message.sent", **message, messageType="NX:TxtMsg", result="SENT", msgUid="P1"),
        *(
            wire(n, "message.offline", msgUid="P1", recipientId=r)
            for n, r in ((2, "u2"), (3, "u3"), (4, "u4"))
        ),
        wire(
            5,
            "push.attempted",
            msgUid="P1",
            recipientId="u2",
            provider="APNS",
            success=False,
            errorCode="410 Unregistered",
            errorDescription="The device token is inactive for the specified topic.",
        ),
        wire(
            6,
            "push.attempted",
            msgUid="P1",
            recipientId="u3",
            provider="FCM",
            success=False,
            errorCode=" BRAND_NEW_CODE ",
            errorDescription="Something the catalogue has never seen",
        ),
        wire(7, "push.attempted", msgUid="P1", recipientId="u4", provider="HUAWEI", success=True),
    ]
    response = await client.post(
        "/v1/events", content=ndjson(events), headers=bearer(keys.ingest_a)
    )
    assert response.json()["accepted"] == len(events), response.text


async def test_push_attempts_carry_their_catalogue_entry(client, keys: Keys) -> None:
    await _ingest_attempts(client, keys)
    body = await gql(client, keys.read_a, ATTEMPTS)
    assert "errors" not in body, body
    nodes = {
        n["recipientId"]: n["pushAttempts"] for n in body["data"]["message"]["receipts"]["nodes"]
    }

    [apns] = nodes["u2"]
    assert apns["errorCode"] == "410 Unregistered"
    error = apns["error"]
    assert error["provider"] == "APNS" and error["code"] == "Unregistered" and error["known"]
    assert error["action"] == "REMOVE_TOKEN" and error["retryable"] is False
    assert "timestamp" in error["advice"]
    assert error["reference"].startswith("https://developer.apple.com/")

    [fcm] = nodes["u3"]
    unknown = fcm["error"]
    assert unknown["known"] is False and unknown["action"] == "UNKNOWN"
    assert unknown["code"] == "BRAND_NEW_CODE" and unknown["provider"] == "FCM"
    assert '"Something the catalogue has never seen"' in unknown["meaning"]
    assert '"Something the catalogue has never seen"' in unknown["advice"]
    assert unknown["retryable"] is False

    [huawei] = nodes["u4"]
    assert huawei["success"] is True and huawei["error"] is None


async def test_push_error_is_read_only_for_the_callers_app(client, keys: Keys) -> None:
    await _ingest_attempts(client, keys)
    body = await gql(client, keys.read_b, ATTEMPTS)
    assert body["data"]["message"] is None


async def test_push_errors_lists_the_whole_catalogue(client, keys: Keys) -> None:
    body = await gql(client, keys.read_a, PUSH_ERRORS)
    entries = body["data"]["pushErrors"]
    assert len(entries) == len(catalogue())
    assert {e["provider"] for e in entries} == {p.value for p in PushProvider}
    assert all(e["known"] and e["action"] != "UNKNOWN" and e["reference"] for e in entries)


async def test_push_errors_filters_by_provider_and_code(client, keys: Keys) -> None:
    vivo = (await gql(client, keys.read_a, PUSH_ERRORS, {"provider": "VIVO"}))["data"]
    assert len(vivo["pushErrors"]) == len(catalogue(PushProvider.VIVO))
    assert {e["provider"] for e in vivo["pushErrors"]} == {"VIVO"}

    one = await gql(client, keys.read_a, PUSH_ERRORS, {"provider": "HUAWEI", "code": " 80300007"})
    [entry] = one["data"]["pushErrors"]
    assert entry["code"] == "80300007" and entry["known"] and entry["action"] == "REMOVE_TOKEN"

    across = await gql(client, keys.read_a, PUSH_ERRORS, {"code": "internalservererror"})
    assert [(e["provider"], e["code"]) for e in across["data"]["pushErrors"]] == [
        ("APNS", "InternalServerError"),
        ("FCM", "INTERNAL"),
    ]


async def test_push_errors_with_an_unknown_code(client, keys: Keys) -> None:
    with_provider = await gql(
        client, keys.read_a, PUSH_ERRORS, {"provider": "OPPO", "code": "12345"}
    )
    [entry] = with_provider["data"]["pushErrors"]
    assert entry == {
        "provider": "OPPO",
        "code": "12345",
        "known": False,
        "meaning": entry["meaning"],
        "action": "UNKNOWN",
        "advice": entry["advice"],
        "retryable": False,
        "reference": entry["reference"],
    }
    assert "not in the catalogue" in entry["meaning"]
    anywhere = await gql(client, keys.read_a, PUSH_ERRORS, {"code": "12345"})
    assert anywhere["data"]["pushErrors"] == []


@pytest.mark.parametrize("code", ["", "   "])
async def test_push_errors_refuses_an_empty_code(client, keys: Keys, code: str) -> None:
    body = await gql(client, keys.read_a, PUSH_ERRORS, {"provider": "APNS", "code": code})
    [error] = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["message"].startswith("code:")
    assert body["data"] is None
