"""POST /v1/events over HTTP on a real SQLite store (SPEC §4)."""

from collections.abc import AsyncIterator
from typing import Any

import httpx
import orjson
import pytest

from server.ingest import MAX_BYTES, MAX_EVENTS
from store.interface import Store
from store.limits import DAY_MS, HOUR_MS, now_ms
from store.records import ConnectionQuery, MessageQuery, PageRequest
from tests.server.http_helpers import Keys, bearer, every_type, ndjson, sqlite_only, wire

NDJSON = {"Content-Type": "application/x-ndjson"}


async def post(client: httpx.AsyncClient, key: str, body: bytes, headers=NDJSON):
    return await client.post("/v1/events", content=body, headers={**headers, **bearer(key)})


async def test_every_type_is_stored_as_ndjson(client, store: Store, keys: Keys):
    response = await post(client, keys.ingest_a, ndjson(every_type()))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"accepted": 8, "duplicates": 0, "rejected": []}
    await _assert_stored(store, "app-a")


async def test_every_type_is_stored_as_json_array(client, store: Store, keys: Keys):
    body = orjson.dumps(every_type())
    response = await post(client, keys.ingest_a, body, {"Content-Type": "application/json"})
    assert response.json() == {"accepted": 8, "duplicates": 0, "rejected": []}
    await _assert_stored(store, "app-a")


async def _assert_stored(store: Store, app: str) -> None:
    now = now_ms()
    window = (now - DAY_MS, now + HOUR_MS)
    [count] = await store.count_connections(app, [ConnectionQuery("u1", *window)])
    assert count == 2  # the closed connection and the rejected attempt
    [page] = await store.message_pages(app, [PageRequest(MessageQuery("u1", *window), 10)])
    assert [e.node.msg_uid for e in page.edges] == ["M1"]
    [events] = await store.receipt_events(app, ["M1"])
    assert {e.status.value for e in events} == {"DELIVERED", "NOT_DELIVERED", "OFFLINE"}
    [attempts] = await store.push_attempts(app, ["M1"])
    assert [(a.provider.value, a.error_code) for a in attempts] == [("APNS", "Unregistered")]


async def test_partial_acceptance(client, store: Store, keys: Keys):
    good = every_type()
    bad_platform = {**good[0], "eventId": "bad1", "platform": "SYMBIAN"}
    too_old = {**good[1], "eventId": "bad2", "at": now_ms() - 8 * DAY_MS}
    body = ndjson([good[0], bad_platform, good[3], too_old, "not an event"]) + b"{oops\n"
    response = await post(client, keys.ingest_a, body)
    assert response.status_code == 200
    platforms = "ANDROID, IOS, HARMONYOS, WEB, DESKTOP"
    assert response.json() == {
        "accepted": 2,
        "duplicates": 0,
        "rejected": [
            {"index": 1, "eventId": "bad1", "error": f"platform: must be one of {platforms}"},
            {
                "index": 3,
                "eventId": "bad2",
                "error": "at: older than the retention window (7 days)",
            },
            {"index": 4, "eventId": None, "error": "event: must be a JSON object"},
            {"index": 5, "eventId": None, "error": "event: not valid JSON"},
        ],
    }
    [count] = await store.count_messages("app-a", [MessageQuery("u1", 0, now_ms() + HOUR_MS)])
    assert count == 1


async def test_duplicates_change_nothing(client, keys: Keys):
    events = every_type()
    first = await post(client, keys.ingest_a, ndjson(events))
    assert first.json()["accepted"] == 8
    again = await post(client, keys.ingest_a, ndjson([*events, events[0]]))
    assert again.json() == {"accepted": 0, "duplicates": 9, "rejected": []}


async def test_same_event_id_in_two_apps_is_not_a_duplicate(client, keys: Keys):
    await post(client, keys.ingest_all, ndjson(every_type("app-a")))
    response = await post(client, keys.ingest_all, ndjson(every_type("app-b")))
    assert response.json()["accepted"] == 8


async def test_blank_lines_and_crlf(client, keys: Keys):
    body = b"\r\n".join(orjson.dumps(e) for e in every_type()[:2]) + b"\r\n\r\n"
    response = await post(client, keys.ingest_a, b"\n" + body)
    assert response.json() == {"accepted": 2, "duplicates": 0, "rejected": []}


async def test_empty_batches(client, keys: Keys):
    assert (await post(client, keys.ingest_a, b"")).json()["accepted"] == 0
    json_empty = await post(client, keys.ingest_a, b"[]", {"Content-Type": "application/json"})
    assert json_empty.json() == {"accepted": 0, "duplicates": 0, "rejected": []}


async def test_array_is_sniffed_without_content_type(client, keys: Keys):
    response = await post(client, keys.ingest_a, orjson.dumps(every_type()[:3]), {})
    assert response.json()["accepted"] == 3


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"{not json", "application/json"),
        (b'{"eventId": "x"}', "application/json"),
        (b"[1, 2", None),
        (b"\xff\xfe[", "application/json"),
    ],
)
async def test_unreadable_body_is_400(client, keys: Keys, body, content_type):
    headers = {"Content-Type": content_type} if content_type else {}
    response = await post(client, keys.ingest_a, body, headers)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "UNREADABLE_BODY"
    assert error["message"]


@sqlite_only  # volume test: mongomock scans every document, the backend is not under test
@pytest.mark.parametrize("content_type", ["application/x-ndjson", "application/json"])
async def test_too_many_events_is_413(client, store: Store, keys: Keys, content_type):
    events = [wire(i, "message.delivered", msgUid="M", recipientId="u") for i in range(MAX_EVENTS)]
    assert (
        await post(
            client, keys.ingest_a, _encode(events, content_type), {"Content-Type": content_type}
        )
    ).status_code == 200
    events.append(wire(MAX_EVENTS, "message.delivered", msgUid="M", recipientId="u"))
    response = await post(
        client, keys.ingest_a, _encode(events, content_type), {"Content-Type": content_type}
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "PAYLOAD_TOO_LARGE"
    [events_stored] = await store.receipt_events("app-a", ["M"])
    assert len(events_stored) == MAX_EVENTS


def _encode(events: list[dict[str, Any]], content_type: str) -> bytes:
    return orjson.dumps(events) if content_type == "application/json" else ndjson(events)


async def test_too_many_bytes_is_413(client, keys: Keys):
    padding = "x" * 1000
    line = orjson.dumps(
        {**wire(0, "message.delivered", msgUid="M", recipientId="u"), "pad": padding}
    )
    body = line * (MAX_BYTES // len(line) + 1)
    assert len(body) > MAX_BYTES
    response = await post(client, keys.ingest_a, body)
    assert response.status_code == 413


async def test_byte_limit_is_enforced_while_streaming(client, keys: Keys):
    """Without Content-Length, the reader stops as soon as the limit is passed."""
    sent = 0

    async def chunks() -> AsyncIterator[bytes]:
        nonlocal sent
        chunk = b" " * 1024 * 1024
        for _ in range(64):
            sent += len(chunk)
            yield chunk

    response = await client.post(
        "/v1/events", content=chunks(), headers={**NDJSON, **bearer(keys.ingest_a)}
    )
    assert response.status_code == 413
    assert sent < 64 * 1024 * 1024


async def test_app_scoped_key_writes_only_its_app(client, store: Store, keys: Keys):
    events = every_type("app-b")[:2]
    response = await post(client, keys.ingest_a, ndjson([*every_type("app-a")[:1], *events]))
    body = response.json()
    assert body["accepted"] == 1
    assert [r["error"] for r in body["rejected"]] == [
        "appKey: this key may write only app 'app-a'"
    ] * 2
    [count] = await store.count_connections("app-b", [ConnectionQuery("u1", 0, now_ms() + HOUR_MS)])
    assert count == 0


async def test_wildcard_ingest_key_writes_any_app(client, keys: Keys):
    body = ndjson([*every_type("app-a")[:1], *every_type("app-b")[:1]])
    assert (await post(client, keys.ingest_all, body)).json()["accepted"] == 2


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer nope", "Basic abc", "Bearer ptk_x_y"])
async def test_missing_or_unknown_key_is_401(client, header):
    headers = {**NDJSON, **({"Authorization": header} if header else {})}
    response = await client.post("/v1/events", content=b"", headers=headers)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "UNAUTHENTICATED"
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_read_key_cannot_ingest(client, keys: Keys):
    response = await post(client, keys.read_a, ndjson(every_type()))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "FORBIDDEN"


async def test_store_failure_acknowledges_nothing(client, store: Store, keys: Keys, monkeypatch):
    async def broken(events):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(store, "write", broken)
    with pytest.raises(RuntimeError):
        await post(client, keys.ingest_a, ndjson(every_type()))
