"""Automatic persisted queries over HTTP, the way Apollo's links use them (SPEC §10)."""

import hashlib
import json
from typing import Any

import httpx

from server.persisted import MAX_DOCUMENT_CHARS, PersistedQueries
from tests.server.http_helpers import Keys, bearer, every_type, ndjson

MESSAGE = """query Message($uid: String!) {
  message(msgUid: $uid) { msgUid result receipts { nodes { recipientId status } } }
}"""
NESTED = """query Nested($n: Int) { user(id: "u1") { connections(first: 100) { nodes {
  sentMessages(first: $n) { nodes { receipts(first: 100) { totalCount } } } } } } }"""


def _sha(document: str) -> str:
    return hashlib.sha256(document.encode()).hexdigest()


def _persisted(document: str) -> dict[str, Any]:
    return {"persistedQuery": {"version": 1, "sha256Hash": _sha(document)}}


class ApqClient:
    """What Apollo's persisted-query link does: the hash alone first (by GET, so
    that caches can answer), and on PERSISTED_QUERY_NOT_FOUND the document with
    its hash by POST once; the hash alone from then on."""

    def __init__(self, http: httpx.AsyncClient, key: str) -> None:
        self.http = http
        self.headers = bearer(key)
        self.misses = 0

    async def get_hashed(self, document: str, variables: dict[str, Any]) -> httpx.Response:
        params = {
            "extensions": json.dumps(_persisted(document)),
            "variables": json.dumps(variables),
        }
        return await self.http.get("/graphql", params=params, headers=self.headers)

    async def query(self, document: str, variables: dict[str, Any]) -> dict[str, Any]:
        response = await self.get_hashed(document, variables)
        body = response.json()
        if _codes(body) == ["PERSISTED_QUERY_NOT_FOUND"]:
            self.misses += 1
            body = (
                await self.http.post(
                    "/graphql",
                    json={
                        "query": document,
                        "variables": variables,
                        "extensions": _persisted(document),
                    },
                    headers=self.headers,
                )
            ).json()
        return body  # type: ignore[no-any-return]


def _codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]


async def _ingest(client: httpx.AsyncClient, keys: Keys) -> None:
    response = await client.post(
        "/v1/events", content=ndjson(every_type()), headers=bearer(keys.ingest_a)
    )
    assert response.json()["accepted"] == 8


async def test_the_apollo_flow_over_get_and_post(client: httpx.AsyncClient, keys: Keys) -> None:
    await _ingest(client, keys)
    apq = ApqClient(client, keys.read_a)
    miss = await apq.get_hashed(MESSAGE, {"uid": "M1"})
    assert miss.status_code == 200
    [error] = miss.json()["errors"]
    assert error["message"] == "PersistedQueryNotFound"
    assert error["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    assert "no-cache" in miss.headers["Cache-Control"]
    assert miss.json()["extensions"]["cost"]["estimatedNodes"] == 0

    first = await apq.query(MESSAGE, {"uid": "M1"})
    assert apq.misses == 1
    expected = {
        "message": {
            "msgUid": "M1",
            "result": "SENT",
            "receipts": {"nodes": [{"recipientId": "u2", "status": "DELIVERED"}]},
        }
    }
    assert first["data"] == expected
    hit = await apq.get_hashed(MESSAGE, {"uid": "M1"})  # the hash alone now runs it
    assert hit.status_code == 200 and hit.json()["data"] == expected
    assert hit.json()["extensions"]["cost"]["estimatedNodes"] == 50  # the receipts default
    again = await apq.query(MESSAGE, {"uid": "nope"})
    assert apq.misses == 1 and again["data"] == {"message": None}
    # another app's key runs the same document on its own data only
    other = await ApqClient(client, keys.read_b).get_hashed(MESSAGE, {"uid": "M1"})
    assert other.json()["data"] == {"message": None}


async def test_a_document_registered_over_get(client: httpx.AsyncClient, keys: Keys) -> None:
    document = '{ user(id: "u1") { id } }'
    params = {"query": document, "extensions": json.dumps(_persisted(document))}
    registered = await client.get("/graphql", params=params, headers=bearer(keys.read_a))
    assert registered.json()["data"] == {"user": {"id": "u1"}}
    hashed = {"extensions": params["extensions"]}
    hit = await client.get("/graphql", params=hashed, headers=bearer(keys.read_a))
    assert hit.json()["data"] == {"user": {"id": "u1"}}
    browser = await client.get(
        "/graphql", params=hashed, headers={**bearer(keys.read_a), "Accept": "text/html"}
    )
    assert browser.json()["data"] == {"user": {"id": "u1"}}  # not the GraphiQL page


async def test_a_hash_that_does_not_match_is_refused(client: httpx.AsyncClient, keys: Keys) -> None:
    wrong = {"persistedQuery": {"version": 1, "sha256Hash": _sha("{ __typename }")}}
    response = await client.post(
        "/graphql",
        json={"query": '{ user(id: "u1") { id } }', "extensions": wrong},
        headers=bearer(keys.read_a),
    )
    assert response.status_code == 400
    assert _codes(response.json()) == ["BAD_USER_INPUT"]
    assert "does not match" in response.json()["errors"][0]["message"]
    hashed = await client.post("/graphql", json={"extensions": wrong}, headers=bearer(keys.read_a))
    assert _codes(hashed.json()) == ["PERSISTED_QUERY_NOT_FOUND"]  # nothing was stored


async def test_malformed_persisted_query_names_the_field(
    client: httpx.AsyncClient, keys: Keys
) -> None:
    for persisted, field in [
        ({"version": 2, "sha256Hash": _sha("x")}, "persistedQuery.version"),
        ({"version": 1, "sha256Hash": "abc"}, "persistedQuery.sha256Hash"),
        ("hash", "persistedQuery"),
    ]:
        response = await client.post(
            "/graphql",
            json={"extensions": {"persistedQuery": persisted}},
            headers=bearer(keys.read_a),
        )
        assert response.status_code == 400, persisted
        assert _codes(response.json()) == ["BAD_USER_INPUT"]
        assert field in response.json()["errors"][0]["message"]


async def test_query_limits_apply_to_persisted_documents(
    client: httpx.AsyncClient, keys: Keys
) -> None:
    apq = ApqClient(client, keys.read_a)
    small = await apq.query(NESTED, {"n": 1})
    assert "errors" not in small and apq.misses == 1
    big = (await apq.get_hashed(NESTED, {"n": 100})).json()  # stored, and still checked
    assert _codes(big) == ["QUERY_TOO_COMPLEX"]
    assert big["extensions"]["cost"]["estimatedNodes"] == 100 + 100 * (100 + 100 * 100)
    too_complex = NESTED.replace("Nested($n: Int)", "TooComplex").replace("$n", "100")
    refused = await apq.query(too_complex, {})
    assert _codes(refused) == ["QUERY_TOO_COMPLEX"]
    never_stored = (await apq.get_hashed(too_complex, {})).json()
    assert _codes(never_stored) == ["PERSISTED_QUERY_NOT_FOUND"]


def test_the_store_is_a_bounded_lru() -> None:
    store = PersistedQueries(max_documents=2)
    docs = ["{ a }", "{ b }", "{ c }"]
    for doc in docs[:2]:
        store.remember(doc, _persisted(doc))
    assert store.resolve(None, _persisted(docs[0])) == docs[0]  # a is now the newest
    store.remember(docs[2], _persisted(docs[2]))
    assert len(store) == 2
    assert store.resolve(None, _persisted(docs[0])) == docs[0]
    try:
        store.resolve(None, _persisted(docs[1]))
    except Exception as e:  # the least recently used went out
        assert getattr(e, "code", None) == "PERSISTED_QUERY_NOT_FOUND"
    else:
        raise AssertionError("b should have been evicted")
    huge = "{ a }" + " " * MAX_DOCUMENT_CHARS
    store.remember(huge, _persisted(huge))
    assert huge not in {store.resolve(None, _persisted(d)) for d in (docs[0], docs[2])}
    assert len(store) == 2
