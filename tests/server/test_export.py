"""``GET /v1/export/...`` (SPEC §10) over HTTP on every backend: what a partner
exporting a window gets, as NDJSON and CSV, streamed by keyset pages."""

import asyncio
import csv
import io
from typing import Any

import httpx
import orjson
import pytest

from server import export
from server.export_rows import CONNECTION_CSV_HEADER, MESSAGE_CSV_HEADER, cell
from store.interface import Store, StoreUnavailable
from store.limits import now_ms
from tests.server.http_helpers import TIGHT_BURST, Keys, bearer, every_type, ndjson, wire


def _others() -> list[dict[str, Any]]:
    """Besides ``every_type`` (u1 sends M1 to u2 on c1, a minute ago): a GROUP message of a
    sender whose id a spreadsheet would run, with a push error description that would run
    too; a blocked message of another sender; a message of app-b that app-a never sees.
    Made when the test runs: the order by time depends on it."""
    return [
        wire(20, "message.sent", at=now_ms() - 50_000, senderId="=carol", targetId="g1",
             channelType="GROUP", messageType="NX:TxtMsg", source="WEB", result="SENT",
             msgUid="G1"),
        *(wire(21 + i, "message.delivered", msgUid="G1", recipientId=r)
          for i, r in enumerate(["m1", "m2"])),
        wire(30, "message.offline", msgUid="G1", recipientId="m3"),
        wire(31, "push.attempted", msgUid="G1", recipientId="m3", provider="FCM", success=False,
             errorCode="UNREGISTERED", errorDescription="+SUM(A1)"),
        wire(40, "message.sent", at=now_ms() - 40_000, senderId="dave", targetId="u9",
             channelType="DIRECT", messageType="NX:TxtMsg", source="ANDROID",
             result="BLOCKED_BY_BLOCKLIST"),
        wire(50, "message.sent", app="app-b", senderId="u1", targetId="u2", channelType="DIRECT",
             messageType="NX:TxtMsg", source="IOS", result="SENT", msgUid="B1"),
    ]  # fmt: skip


MESSAGE_FIELDS = """id msgUid senderId targetId channelType messageType builtinType source
  sentAt result muteScope prompt statusSettled
  receipts(first: 100) { nodes { recipientId status statusAt pushSkipped history { status at }
    pushAttempts { provider sentAt success errorCode errorDescription
      error { provider code known meaning action advice retryable reference } } } }"""


async def _fill(client: httpx.AsyncClient, keys: Keys) -> httpx.AsyncClient:
    """``client`` once ``every_type`` and ``_others`` are ingested."""
    events = every_type() + _others()
    response = await client.post(
        "/v1/events", content=ndjson(events), headers=bearer(keys.ingest_all)
    )
    assert response.json()["rejected"] == []
    return client


def _lines(response: httpx.Response) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.text
    return [orjson.loads(line) for line in response.content.splitlines()]


async def _export(
    client: httpx.AsyncClient, key: str, kind: str = "sent-messages", **params: str
) -> httpx.Response:
    return await client.get(f"/v1/export/{kind}", params=params, headers=bearer(key))


async def test_ndjson_is_what_the_graph_answers(client: httpx.AsyncClient, keys: Keys) -> None:
    filled = await _fill(client, keys)
    response = await _export(filled, keys.read_a)
    assert response.headers["content-type"].startswith("application/x-ndjson")
    lines = _lines(response)
    assert [m["senderId"] for m in lines] == ["dave", "=carol", "u1"]  # newest first
    for line in lines:
        if line["msgUid"] is None:
            continue
        graph = await filled.post(
            "/graphql",
            json={"query": f'{{ message(msgUid: "{line["msgUid"]}") {{ {MESSAGE_FIELDS} }} }}'},
            headers=bearer(keys.read_a),
        )
        answer = graph.json()["data"]["message"]
        answer["receipts"] = answer["receipts"]["nodes"]
        assert line == answer
    group = lines[1]
    assert [r["status"] for r in group["receipts"]] == ["DELIVERED", "DELIVERED", "OFFLINE"]
    [attempt] = group["receipts"][2]["pushAttempts"]
    assert attempt["error"]["action"] == "REMOVE_TOKEN"
    assert lines[0]["receipts"] == [] and lines[0]["prompt"]


async def test_csv_rows_escape_formulas(client: httpx.AsyncClient, keys: Keys) -> None:
    filled = await _fill(client, keys)
    for response in [
        await _export(filled, keys.read_a, format="csv"),
        await filled.get(
            "/v1/export/sent-messages", headers={**bearer(keys.read_a), "Accept": "text/csv"}
        ),
    ]:
        assert response.headers["content-type"].startswith("text/csv")
        assert 'filename="sent-messages.csv"' in response.headers["content-disposition"]
        rows = list(csv.DictReader(io.StringIO(response.text)))
        assert list(rows[0]) == MESSAGE_CSV_HEADER
        assert [(r["senderId"], r["recipientId"]) for r in rows] == [
            ("dave", ""),
            ("'=carol", "m1"),
            ("'=carol", "m2"),
            ("'=carol", "m3"),
            ("u1", "u2"),
        ]
        pushed = rows[3]
        assert (pushed["pushProvider"], pushed["pushSuccess"]) == ("FCM", "false")
        assert pushed["pushErrorDescription"] == "'+SUM(A1)"
        assert pushed["pushErrorMeaning"] and pushed["pushAttempts"] == "1"
    for text in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"]:
        assert cell(text) == "'" + text
    assert (cell("a=b"), cell(None), cell(False), cell(3)) == ("a=b", "", "false", "3")


async def test_filters_and_app_scope(client: httpx.AsyncClient, keys: Keys) -> None:
    filled = await _fill(client, keys)
    lines = _lines(await _export(filled, keys.read_a, senderId="u1"))
    assert [m["msgUid"] for m in lines] == ["M1"]
    groups = _lines(await _export(filled, keys.read_a, channelType="GROUP"))
    assert [m["msgUid"] for m in groups] == ["G1"]
    texts = _lines(await _export(filled, keys.read_a, messageType="TEXT", source="WEB"))
    assert [m["msgUid"] for m in texts] == ["G1"]
    by_uid = _lines(await _export(filled, keys.read_a, msgUid="G1", messageType="NX:TxtMsg"))
    assert [m["msgUid"] for m in by_uid] == ["G1"]
    assert _lines(await _export(filled, keys.read_a, targetId="u9"))[0]["senderId"] == "dave"
    other = _lines(await _export(filled, keys.read_b))
    assert [m["msgUid"] for m in other] == ["B1"]
    assert _lines(await _export(filled, keys.read_b, msgUid="G1")) == []


async def test_pages_are_followed_to_the_end(
    client: httpx.AsyncClient, keys: Keys, monkeypatch: pytest.MonkeyPatch
) -> None:
    filled = await _fill(client, keys)
    whole = _lines(await _export(filled, keys.read_a, "connections", userId="u1"))
    monkeypatch.setattr(export, "MESSAGE_PAGE", 1)
    monkeypatch.setattr(export, "CONNECTION_PAGE", 1)
    lines = _lines(await _export(filled, keys.read_a))
    assert [m["senderId"] for m in lines] == ["dave", "=carol", "u1"]
    assert [r["recipientId"] for r in lines[1]["receipts"]] == ["m1", "m2", "m3"]
    connections = _lines(await _export(filled, keys.read_a, "connections", userId="u1"))
    assert connections == whole and len(whole) == 2


async def test_connections(client: httpx.AsyncClient, keys: Keys) -> None:
    filled = await _fill(client, keys)
    lines = _lines(await _export(filled, keys.read_a, "connections", userId="u1"))
    assert len(lines) == 2 and {c["status"] for c in lines} == {"CLOSED", "REJECTED"}
    assert list(lines[0]) == CONNECTION_CSV_HEADER
    graph = await filled.post(
        "/graphql",
        json={"query": "{ user(id: \"u1\") { connections { nodes { "
              + " ".join(CONNECTION_CSV_HEADER) + " } } } }"},
        headers=bearer(keys.read_a),
    )  # fmt: skip
    assert graph.json()["data"]["user"]["connections"]["nodes"] == lines
    table = await _export(filled, keys.read_a, "connections", userId="u1", format="csv")
    rows = list(csv.reader(io.StringIO(table.text)))
    assert rows[0] == CONNECTION_CSV_HEADER and len(rows) == 3
    assert _lines(await _export(filled, keys.read_b, "connections", userId="u1")) == []


@pytest.mark.parametrize(
    ("kind", "params", "param"),
    [
        ("sent-messages", {"channelType": "FOO"}, "channelType"),
        ("sent-messages", {"source": "PHONE"}, "source"),
        ("sent-messages", {"since": "yesterday"}, "since"),
        ("sent-messages", {"since": ""}, "since"),
        ("sent-messages", {"until": "2026-13-01"}, "until"),
        ("sent-messages", {"timeZone": "Mars/Olympus"}, "timeZone"),
        ("sent-messages", {"messageType": "NX:Bogus"}, "messageType"),
        ("sent-messages", {"senderId": " "}, "senderId"),
        ("sent-messages", {"format": "xml"}, "format"),
        ("sent-messages", {"sender": "u1"}, "sender"),
        ("sent-messages", {"since": "2000-01-01T00:00:00Z"}, "since"),
        ("sent-messages", {"since": "2030-01-02T00:00:00Z", "until": "2030-01-01T00:00:00Z"},
         "since"),
        ("connections", {}, "userId"),
        ("connections", {"userId": "u1", "channelType": "GROUP"}, "channelType"),
    ],
)  # fmt: skip
async def test_bad_parameters_are_400_naming_them(
    client: httpx.AsyncClient, keys: Keys, kind: str, params: dict[str, str], param: str
) -> None:
    response = await _export(client, keys.read_a, kind, **params)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] in {"BAD_USER_INPUT"} and error["parameter"] == param
    assert error["message"].startswith(param)


async def test_a_bad_parameter_is_the_one_error_envelope(
    client: httpx.AsyncClient, keys: Keys
) -> None:
    body = (await _export(client, keys.read_a, since="yesterday")).json()
    [error] = body["errors"]  # for GraphQL-minded clients, as on every route
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "parameter": "since"}
    assert error["message"] == body["error"]["message"]


@pytest.mark.parametrize(
    ("kind", "method", "params"),
    [
        ("sent-messages", "export_messages", {}),
        ("sent-messages", "export_messages", {"format": "csv"}),
        ("connections", "connection_pages", {"userId": "u1"}),
    ],
)
async def test_a_store_outage_before_the_first_byte_is_503_with_retry_after(
    client: httpx.AsyncClient,
    keys: Keys,
    store: Store,
    monkeypatch: pytest.MonkeyPatch,
    kind: str,
    method: str,
    params: dict[str, str],
) -> None:
    async def down(*args: object, **kwargs: object) -> None:
        raise StoreUnavailable("cannot reach the store")

    monkeypatch.setattr(store, method, down)
    response = await _export(client, keys.read_a, kind, **params)
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert response.json()["error"]["code"] == "STORE_UNAVAILABLE"


async def test_bad_keys_are_throttled_like_on_every_route(throttled: httpx.AsyncClient) -> None:
    statuses = [(await _export(throttled, "ptk_nobody_x")).status_code for _ in range(6)]
    assert statuses[:4] == [401] * 4, "the address's burst"
    assert statuses[-1] == 429


async def test_over_its_rate_a_key_gets_the_one_429(tight: httpx.AsyncClient, keys: Keys) -> None:
    for _ in range(TIGHT_BURST):
        assert (await _export(tight, keys.read_a)).status_code == 200
    refused = await _export(tight, keys.read_a)
    assert refused.status_code == 429 and 1 <= int(refused.headers["Retry-After"]) <= 10
    assert refused.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"


async def test_keys_and_rate_limit_headers(client: httpx.AsyncClient, keys: Keys) -> None:
    assert (await client.get("/v1/export/sent-messages")).status_code == 401
    assert (await _export(client, keys.ingest_a)).status_code == 403
    ok = await _export(client, keys.read_a)
    assert ok.status_code == 200 and ok.content == b""
    assert int(ok.headers["X-RateLimit-Remaining"]) < int(ok.headers["X-RateLimit-Limit"])


async def test_the_body_is_sent_page_by_page(
    client: httpx.AsyncClient, keys: Keys, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each store page is written out before the next is read: one body message a page."""
    filled = await _fill(client, keys)
    monkeypatch.setattr(export, "MESSAGE_PAGE", 1)
    app = filled._transport.app  # type: ignore[attr-defined]
    scope = {
        "type": "http",
        "method": "GET",
        "path": "/v1/export/sent-messages",
        "raw_path": b"/v1/export/sent-messages",
        "query_string": b"",
        "headers": [(b"authorization", f"Bearer {keys.read_a}".encode())],
        "http_version": "1.1",
        "scheme": "http",
        "server": ("test", 80),
        "client": ("127.0.0.1", 1),
        "root_path": "",
    }
    chunks: list[bytes] = []

    requested = False

    async def receive() -> dict[str, Any]:
        nonlocal requested
        if requested:  # the client stays connected
            await asyncio.Event().wait()
        requested = True
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.body" and message.get("body"):
            chunks.append(message["body"])

    await app(scope, receive, send)
    assert [len(c.splitlines()) for c in chunks] == [1, 1, 1]
