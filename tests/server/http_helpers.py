"""Wire events and headers shared by the HTTP tests."""

from dataclasses import dataclass
from typing import Any

import httpx
import orjson
import pytest

from tests import events

sqlite_only = pytest.mark.parametrize("backend_name", ["sqlite"])
"""Pins a test of the ``store`` fixture to the SQLite backend."""

TIGHT_BURST = 3
"""Requests a key of the ``tight`` fixture's app may make at once; then one every 10 s."""


@dataclass
class Keys:
    read_a: str
    read_b: str
    ingest_a: str
    ingest_b: str
    ingest_all: str


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def wire(n: int, kind: str, app: str = "app-a", **fields: Any) -> dict[str, Any]:
    """Event ``e<n>`` of ``kind``, a minute ago."""
    return events.event(kind, app=app, ago=60_000, event_id=f"e{n}", **fields)


def every_type(app: str = "app-a") -> list[dict[str, Any]]:
    """One event of each type: user u1 on connection c1 sends M1 to u2."""
    conn = {"userId": "u1", "connectionId": "c1"}
    client = {"sdkVersion": "5.12.1", "platform": "IOS", "ip": "2001:db8::7", "osVersion": "18.1"}
    m1 = {"msgUid": "M1", "recipientId": "u2"}
    message = {"senderId": "u1", "targetId": "u2", "channelType": "DIRECT", "source": "IOS"}
    apns_error = {"errorCode": "Unregistered", "errorDescription": "inactive token"}
    return [
        wire(1, "connection.opened", app, **conn, **client, deviceModel="iPhone16,2"),
        wire(2, "connection.closed", app, **conn, reason="NETWORK_ERROR"),
        wire(3, "connection.rejected", app, userId="u1", **client, code="TOKEN_INVALID"),
        wire(
            4,
            "message.sent",
            app,
            **message,
            messageType="NX:TxtMsg",
            connectionId="c1",
            result="SENT",
            msgUid="M1",
        ),
        wire(5, "message.not_delivered", app, **m1),
        wire(6, "message.offline", app, **m1, pushSkipped="DO_NOT_DISTURB"),
        wire(7, "push.attempted", app, **m1, provider="APNS", success=False, **apns_error),
        wire(8, "message.delivered", app, **m1),
    ]


def ndjson(events: list[Any]) -> bytes:
    return b"\n".join(orjson.dumps(e) for e in events) + b"\n"


async def check_graphql(
    client: httpx.AsyncClient, key: str, payload: object, allowed_codes: set[str | None]
) -> None:
    """``payload`` posted to /graphql got no 5xx, and no error code beyond ``allowed_codes``
    (a 400 is an unusable request, answered as such)."""
    response = await client.post("/graphql", json=payload, headers=bearer(key))
    assert response.status_code < 500, response.text
    if response.status_code != 200:
        assert response.status_code == 400, response.text
        return
    body = orjson.loads(response.content)
    for error in body.get("errors") or []:
        code = (error.get("extensions") or {}).get("code")
        assert code in allowed_codes, (payload, error)
        assert "Traceback" not in error["message"]


class Clock:
    """A monotonic clock the test moves by hand (``clock.now += seconds``)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def gql(
    client: httpx.AsyncClient, key: str, query: str, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=bearer(key)
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body
